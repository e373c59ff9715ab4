"""Pydantic without its plugin search, for the command line.

Before pydantic builds its first validator it asks `pydantic.plugin._loader.get_plugins()` for
plugins. With PYDANTIC_DISABLE_PLUGINS=__all__ that function returns no plugins without looking,
but importing its module still imports `importlib.metadata` (email, zipfile, csv, socket...):
~13 ms of every command's ~180 ms, for nothing, since no plugin has a say in this tool.

So, when plugins are disabled, the command line puts in that module's place one whose
`get_plugins()` returns what pydantic's would (no plugins), and which hands any other name on to
pydantic's own module (imported then). Plugins stay available to a user who sets
PYDANTIC_DISABLE_PLUGINS to anything else (even empty); library users are not affected.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from types import ModuleType
from typing import Any

LOADER = "pydantic.plugin._loader"
DISABLED = ("__all__", "1", "true")  # the values for which pydantic's get_plugins() returns ()


def disable_pydantic_plugins() -> None:
    """Disable pydantic plugins unless PYDANTIC_DISABLE_PLUGINS says otherwise, and skip the
    import of pydantic's plugin loader when they are disabled."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if os.environ["PYDANTIC_DISABLE_PLUGINS"] in DISABLED and LOADER not in sys.modules:
        sys.modules[LOADER] = _NoPlugins(LOADER, __doc__)


class _NoPlugins(ModuleType):
    """Stands for pydantic's plugin loader while plugins are disabled."""

    @staticmethod
    def get_plugins() -> Iterable[Any]:
        if os.environ.get("PYDANTIC_DISABLE_PLUGINS") in DISABLED:
            return ()
        return _pydantics_loader().get_plugins()  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # what the import system asks a module (__path__...)
            raise AttributeError(name)
        return getattr(_pydantics_loader(), name)


def _pydantics_loader() -> Any:
    """Pydantic's own loader module, which from now on replaces the stand-in."""
    if isinstance(sys.modules.get(LOADER), _NoPlugins):
        del sys.modules[LOADER]
    return importlib.import_module(LOADER)
