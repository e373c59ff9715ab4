"""The browser app (`sfia-assess serve`): Starlette routes over the library and the store."""
