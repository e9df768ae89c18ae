"""Function references (``"pkg.module:func"``, ``"mod:Class.method"``) -> callables.

Resolution imports the module with importlib (on first use) and walks the dotted attribute
path. Successes are cached with a precomputed argument plan, so the per-call cost is a dict
lookup and a length check; failures are not cached (a module may appear later).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import sys
import sysconfig
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ._exposure import PERMISSION_DENIED, Refused, Roots
from ._failures import type_name
from ._proto import worker_pb2 as pb

log = logging.getLogger("braid_worker")

ASYNC = pb.ASYNC
SYNC = pb.SYNC
ASYNC_GENERATOR = pb.ASYNC_GENERATOR
GENERATOR = pb.GENERATOR

# Frames of the import machinery (and ours) say nothing about where an import failed.
_MACHINERY = ("<", os.path.dirname(importlib.__file__), os.path.dirname(__file__))
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


class ResolveError(Exception):
    """A reference that cannot be resolved.

    ``type`` is the failure type to report (the original exception's, e.g.
    ``ModuleNotFoundError``), ``message`` the full human text, ``original`` the exception
    behind it (its traceback is the failure's stack).
    """

    def __init__(self, type_: str, message: str, original: BaseException) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message
        self.original = original


@dataclass(frozen=True, slots=True)
class Target:
    """A resolved function and what is needed to call it cheaply.

    ``check_args`` raises TypeError (with inspect's message) when the argument list does not
    fit the signature, before the function runs; a function without an introspectable
    signature is not checked.
    """

    ref: str
    fn: Callable[..., Any]
    kind: pb.FunctionKind
    signature: inspect.Signature | None
    min_positional: int
    max_positional: int
    # True when a call without kwargs is valid iff min <= len(args) <= max.
    counts_suffice: bool

    def check_args(self, args: list[Any], kwargs: dict[str, Any]) -> None:
        if (
            not kwargs
            and self.counts_suffice
            and self.min_positional <= len(args) <= self.max_positional
        ):
            return
        if self.signature is not None:
            self.signature.bind(*args, **kwargs)


def split_ref(ref: str) -> tuple[str, str]:
    """``"pkg.mod:Class.func"`` -> ``("pkg.mod", "Class.func")``. Raises ValueError."""
    module, sep, attr = ref.partition(":")
    if not sep or not module or not attr or ":" in attr:
        raise ValueError(
            f"malformed function reference {ref!r}: expected 'module:function' "
            "(e.g. 'shop.users:get_profile')"
        )
    return module, attr


class Resolver:
    """Caches resolved references. Not thread-safe: use it from the event loop only.

    With ``roots`` (``BRAID_ROOTS``, set by ``braid serve``) only modules under those folders
    (or named in ``preloaded``) resolve, see _exposure.py; without, anything importable does.
    """

    def __init__(self, roots: Iterable[str] | None = None, preloaded: Iterable[str] = ()) -> None:
        self._cache: dict[str, Target] = {}
        self._roots = None if roots is None else Roots(roots, preloaded)
        # Preloaded modules that failed to import, with the cause: sent in Hello, so that the
        # gateway's error about a missing function says why instead of pointing at a log.
        self.module_errors: list[pb.ModuleError] = []

    def resolve(self, ref: str) -> Target:
        """Return the Target for ``ref``; raises ResolveError (never anything else)."""
        target = self._cache.get(ref)
        if target is None:
            target = self._cache[ref] = _load(ref, self._roots)
        return target

    def preload(self, modules: Iterable[str]) -> list[pb.FunctionInfo]:
        """Import ``modules`` and return the catalog of their public functions.

        A module that fails to import is logged and skipped. Public functions are those named
        in the module's ``__all__`` and the non-underscore functions defined in it.
        """
        catalog: list[pb.FunctionInfo] = []
        for name in modules:
            try:
                module = importlib.import_module(name)
            except (Exception, SystemExit) as e:
                why = describe_import_error(e)
                log.error("preload of %s failed: %s", name, why)
                # preloaded again at each reconnect (standalone workers): reported once
                if not any(m.module == name for m in self.module_errors):
                    self.module_errors.append(pb.ModuleError(module=name, message=why))
                continue
            for attr, fn in _public_functions(module):
                try:
                    target = self.resolve(f"{name}:{attr}")
                except ResolveError as e:  # pragma: no cover - __all__ naming a non-function
                    log.warning("skipping %s:%s in the catalog: %s", name, attr, e.message)
                    continue
                keywords = _keywords(target.signature)
                catalog.append(
                    pb.FunctionInfo(
                        name=target.ref,
                        kind=target.kind,
                        signature=_display_signature(fn),
                        doc=_first_line(fn.__doc__),
                        keywords=keywords or [],
                        keywords_known=keywords is not None,
                    )
                )
        return catalog


def _load(ref: str, roots: Roots | None = None) -> Target:
    try:
        module_name, attr_path = split_ref(ref)
    except ValueError as e:
        raise ResolveError("ValueError", str(e), e) from None
    try:
        expected = roots.check_module(module_name) if roots is not None else None
    except Refused as e:
        raise ResolveError(PERMISSION_DENIED, f"refused '{ref}': {e}", e) from None
    obj: Any = _import(module_name, ref)
    if roots is not None:
        try:
            roots.check_loaded(obj, expected)
        except Refused as e:
            raise ResolveError(PERMISSION_DENIED, f"refused '{ref}': {e}", e) from None
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as e:
            raise ResolveError("AttributeError", f"unknown function '{ref}': {e}", e) from None
        if roots is not None:
            try:
                roots.check_attribute(module_name, part, obj)
            except Refused as e:
                raise ResolveError(PERMISSION_DENIED, f"refused '{ref}': {e}", e) from None
    if not callable(obj):
        err = TypeError(f"'{ref}' is not callable (it is a {type(obj).__name__})")
        raise ResolveError("TypeError", str(err), err)
    return _plan(ref, obj)


def _import(module_name: str, ref: str) -> Any:
    module = sys.modules.get(module_name)
    if module is not None:
        return module
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name and (module_name == e.name or module_name.startswith(e.name + ".")):
            raise ResolveError("ModuleNotFoundError", f"unknown function '{ref}': {e}", e) from None
        # The module exists but one of its own imports does not.
        raise _import_error(module_name, ref, e) from None
    except (Exception, SystemExit) as e:
        raise _import_error(module_name, ref, e) from None


def _import_error(module_name: str, ref: str, e: BaseException) -> ResolveError:
    return ResolveError(
        type_name(e),
        f"cannot import module '{module_name}' for '{ref}': {describe_import_error(e)}",
        e,
    )


def describe_import_error(e: BaseException) -> str:
    """``Type: message (file:line)``, the line being the offending one for a SyntaxError
    and the innermost raise otherwise; then, if a file on the path shadows a standard library
    module (an ``http.py`` next to the workflow), which one."""
    shadows = "".join(
        f"; {file} shadows the standard library module '{name}': rename it"
        for name, file in shadowed_stdlib()
    )
    return _describe(e) + shadows


def shadowed_stdlib() -> list[tuple[str, str]]:
    """``(module, file)`` for each loaded standard library module name served by a file outside
    the standard library: a user's ``http.py`` imported in place of the ``http`` package.

    Scans ``sys.modules`` (a few hundred entries) on the error path only. Names that are
    legitimately installed elsewhere (backports in site-packages) are not reported.
    """
    stdlib = tuple(
        os.path.realpath(p)
        for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
    )
    found = []
    for name in sorted(sys.stdlib_module_names):
        module = sys.modules.get(name)
        file = getattr(module, "__file__", None) if module is not None else None
        if not isinstance(file, str):
            continue  # built in, frozen or a namespace package
        real = os.path.realpath(file)
        if real.startswith(stdlib) or f"{os.sep}site-packages{os.sep}" in real:
            continue
        found.append((name, file))
    return found


def _describe(e: BaseException) -> str:
    if isinstance(e, SyntaxError) and e.filename:
        where = f"{e.filename}:{e.lineno}"
    else:
        frames = [
            f
            for f in traceback.extract_tb(e.__traceback__)
            if not f.filename.startswith(_MACHINERY)
        ]
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type_name(e)}: {e}" + (f" ({where})" if where else "")


def _plan(ref: str, fn: Callable[..., Any]) -> Target:
    if inspect.isasyncgenfunction(fn):
        kind = ASYNC_GENERATOR
    elif inspect.iscoroutinefunction(fn):
        kind = ASYNC
    elif inspect.isgeneratorfunction(fn):
        kind = GENERATOR
    else:
        kind = SYNC
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # some builtins and C callables have none
        return Target(ref, fn, kind, None, 0, sys.maxsize, True)
    min_pos = max_pos = 0
    counts_suffice = True
    for p in sig.parameters.values():
        if p.kind in _POSITIONAL:
            max_pos += 1
            if p.default is p.empty:
                min_pos += 1
        elif p.kind is inspect.Parameter.VAR_POSITIONAL:
            max_pos = sys.maxsize
        elif p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is p.empty:
            counts_suffice = False
    return Target(ref, fn, kind, sig, min_pos, max_pos, counts_suffice)


def _keywords(sig: inspect.Signature | None) -> list[str] | None:
    """The names a keyword argument may have; None when any name goes (``**kwargs``) or the
    signature is unknown."""
    if sig is None:
        return None
    names = []
    for p in sig.parameters.values():
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            return None
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY):
            names.append(p.name)
    return names


def _public_functions(module: Any) -> list[tuple[str, Callable[..., Any]]]:
    # ``__all__`` governs star-imports, not what a workflow may call: the worker calls any public
    # function by name, so the catalog (which ``braid check`` holds calls against) lists every one.
    exported = [str(n) for n in getattr(module, "__all__", None) or []]
    names = exported + [n for n in vars(module) if n not in exported]
    found: list[tuple[str, Callable[..., Any]]] = []
    for name in names:
        if name.startswith("_"):
            continue
        fn = getattr(module, name, None)
        if not inspect.isfunction(fn):
            continue
        if name not in exported and fn.__module__ != module.__name__:
            continue  # imported from elsewhere, not part of this module's API
        found.append((name, fn))
    return found


def _display_signature(fn: Callable[..., Any]) -> str:
    try:
        return str(inspect.signature(fn, eval_str=True))
    except Exception:
        try:
            return str(inspect.signature(fn))
        except (TypeError, ValueError):
            return ""


def _first_line(doc: str | None) -> str:
    return inspect.cleandoc(doc).partition("\n")[0] if doc else ""
