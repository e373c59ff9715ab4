"""The `sfia-assess` command line: click commands over the library, one module per group."""

from .main import cli

__all__ = ["cli"]
