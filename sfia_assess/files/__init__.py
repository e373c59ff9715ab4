"""Reading and writing files with no knowledge of SFIA: YAML, CSV, XLSX, output paths, today."""
