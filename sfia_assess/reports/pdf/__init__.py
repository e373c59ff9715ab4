"""PDF from a view's HTML through WeasyPrint (imported only here), with fast font subsetting."""
