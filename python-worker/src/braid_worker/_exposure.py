"""The worker's own check that a reference stays inside its roots (``braid serve``).

The gateway already refuses references outside the exposed roots; this is the second line
(defence in depth): a worker started with ``BRAID_ROOTS`` refuses, without importing anything
first, a module that is not a source file under one of its roots - the standard library,
built-in and frozen modules, site-packages - and, after the import, a module whose file is not
the one found, and any attribute path that leaves the module: a name starting with ``_``, or an
object not *defined* in the module (``from os import system`` in a module does not expose
``system``; ``mod:os.system`` does not reach ``os``).

Refusals are ``ResolveError``s of type ``PermissionDenied``, which the runner reports as
``INVALID_ARGUMENT``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

PERMISSION_DENIED = "PermissionDenied"


class Refused(Exception):
    """A reference outside the roots; the message is one sentence naming the rule."""


class Roots:
    """The folders user modules may come from, as real paths. Immutable."""

    def __init__(self, roots: Iterable[str], preloaded: Iterable[str] = ()) -> None:
        self._given = tuple(os.path.abspath(r) for r in roots)
        self._real = tuple(os.path.realpath(r) for r in self._given)
        self._preloaded = frozenset(preloaded)

    def check_module(self, module: str) -> str | None:
        """Before import: the file ``module`` must come from, or None for a preloaded module.

        Raises Refused.
        """
        top = module.partition(".")[0]
        if module in self._preloaded:
            return None
        if top in sys.builtin_module_names or top in sys.stdlib_module_names:
            raise Refused(
                f"{module} is outside the worker's roots: it is a standard-library module"
            )
        rel = module.replace(".", os.sep)
        for given in self._given:
            for candidate in (rel + ".py", os.path.join(rel, "__init__.py")):
                path = os.path.join(given, candidate)
                if os.path.isfile(path):
                    real = os.path.realpath(path)
                    if not self._inside(real):
                        raise Refused(
                            f"{module} is outside the worker's roots: {candidate} leads outside"
                            " every root"
                        )
                    return real
        raise Refused(
            f"{module} is outside the worker's roots: no {rel}.py or {rel}/__init__.py under them"
        )

    def check_loaded(self, module: Any, expected: str | None) -> None:
        """After import: the module object must be the file found. Raises Refused."""
        if expected is None:
            return
        file = getattr(module, "__file__", None)
        if not isinstance(file, str) or os.path.realpath(file) != expected:
            raise Refused(
                f"{module.__name__} is outside the worker's roots: the module imported is not"
                " the file under the roots"
            )

    def check_attribute(self, module_name: str, part: str, obj: Any) -> None:
        """Each step of the attribute path must be defined in the module. Raises Refused."""
        if part.startswith("_"):
            raise Refused(f"'{part}' starts with '_': private and special names are never exposed")
        if getattr(obj, "__module__", None) != module_name:
            raise Refused(
                f"'{part}' is not defined in {module_name} (it is imported from elsewhere),"
                " and only a module's own functions are exposed"
            )

    def _inside(self, real: str) -> bool:
        return any(real.startswith(r + os.sep) for r in self._real)
