"""Lazy exports for a package (PEP 562): its public names come from one module, imported on first use,
so importing one small part of the package does not load everything behind the rest."""

from __future__ import annotations

from importlib import import_module
from typing import Any


def attribute(package: str, module: str, exported: list[str], name: str) -> Any:
    """`module`'s `name` when the package exports it, for the package's module-level __getattr__.

    Only the exported names: Python asks the package for a submodule's name too (`from package
    import moves`), and answering that by importing `module` would import it half-way through its
    own imports."""
    if name not in exported:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return getattr(import_module(module), name)
