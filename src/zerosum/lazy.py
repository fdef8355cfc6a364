"""A function named by its import path and imported on its first call.

The registries (dataset readers, metric protocols, reproduce experiments) declare every entry in a module that
needs no torch, so listing them (`zerosum data`, `zerosum metrics`, `zerosum reproduce --list`) is instant; the
code behind an entry needs torch (seconds to import) and loads only when the entry is used.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LazyFunction:
    """The function at `path`, "package.module:function" (entry-point syntax), imported when first called."""

    path: str

    def resolve(self) -> Callable[..., Any]:
        """The function itself; its module is imported once, then found in `sys.modules`."""
        return pkgutil.resolve_name(self.path)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)


def lazy_attributes(
    namespace: dict[str, Any], names: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for a package whose public `names` (name → defining module) are imported on
    first use and then kept in `namespace` (PEP 562): the package itself imports without torch."""

    def getattr_(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted({*namespace, *names})

    return getattr_, dir_
