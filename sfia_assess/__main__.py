"""`python -m sfia_assess`: the same command line as `sfia-assess`."""

from .cli.main import cli

cli(prog_name="sfia-assess")
