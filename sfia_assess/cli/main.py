"""The `sfia-assess` command group: its commands registered by name, and the one place where the
library's errors become a message and an exit code."""

from __future__ import annotations

import importlib
from typing import Any

import click

from ..errors import InputFileError, OutputConflict, SfiaAssessError
from ..files.printable import printable
from ..version import __version__
from .pydantic_plugins import disable_pydantic_plugins


class _Cli(click.Group):
    """Turns the library's errors into a message on stderr and exit code 1, never a traceback.

    Every command lives in a module of this package and is registered by name in `lazy_commands`
    (at the end of this file); its module is imported only when it runs or --help lists it
    (click's lazy group pattern): a text report need not import the store, web or queue modules.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str] = {}  # name -> "module:attribute" in this package

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.lazy_commands:
            return self.commands.get(cmd_name)
        module, _, attribute = self.lazy_commands[cmd_name].partition(":")
        command = getattr(importlib.import_module(module, __package__), attribute)
        if not isinstance(command, click.Command) or command.name != cmd_name:
            raise TypeError(f"{self.lazy_commands[cmd_name]} is not the command {cmd_name!r}")
        self.add_command(command)
        return command

    def all_commands(self) -> dict[str, click.Command]:
        """Every command by name, the lazy ones imported (for tests and documentation)."""
        ctx = click.Context(self)
        found = {name: self.get_command(ctx, name) for name in self.list_commands(ctx)}
        return {name: command for name, command in found.items() if command is not None}

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputFileError as exc:
            click.echo(printable(str(exc)), err=True)
            raise click.exceptions.Exit(1) from None
        except OutputConflict as exc:
            click.echo(f"Error: {exc}", err=True)
            raise click.exceptions.Exit(2) from None
        except SfiaAssessError as exc:
            click.echo(printable(f"Error: {exc}"), err=True)
            raise click.exceptions.Exit(1) from None


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sfia-assess")
def cli() -> None:
    """Assess people against SFIA skills from evidence, and report the gaps.

    \b
    Example:
        sfia-assess init --level 3 -o me.yaml     # a template to fill in
        sfia-assess assess me.yaml                # your level and your gaps
    """
    # Before pydantic builds its first validator it looks for plugins (importing
    # importlib.metadata, scanning entry points): ~13 ms of each start-up, and no plugin has a
    # say in this tool. An explicit PYDANTIC_DISABLE_PLUGINS (even empty) is kept.
    disable_pydantic_plugins()


# -- the commands: register each here, by name and "module:attribute" --------------------------

cli.lazy_commands = {
    "skills": ".framework:skills",
    "skill": ".framework:skill",
    "diff": ".framework:diff_command",
    "migrate": ".framework:migrate_command",
    "import-sfia": ".framework:import_sfia_command",
    "init": ".assess:init",
    "validate": ".assess:validate",
    "assess": ".assess:assess",
    "review": ".assess:review_command",
    "suggest": ".assess:suggest_command",
    "schema": ".assess:schema",
    "policy": ".assess:policy_command",
    "profile": ".roles:profile_command",
    "pathway": ".roles:pathway_command",
    "roles": ".roles:roles_group",
    "batch": ".team:batch_command",
    "team": ".team:team_command",
    "attributes": ".career:attributes_command",
    "fit": ".career:fit_command",
    "db": ".store:db_group",
    "record": ".store:record_command",
    "history": ".store:history_command",
    "export": ".store:export_command",
    "attach": ".store:attach_command",
    "serve": ".web:serve",
    "worker": ".queue:worker_command",
    "batch-status": ".queue:batch_status_command",
    "batch-collect": ".queue:batch_collect_command",
    "users": ".accounts:users_group",
    "audit": ".accounts:audit_command",
    "remind": ".notices:remind_command",
}
