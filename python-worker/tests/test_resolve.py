"""Function references: resolution, caching, argument checks, catalog, error messages."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from braid_worker._proto import worker_pb2 as pb
from braid_worker._resolve import ResolveError, Resolver, split_ref

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def fixtures_on_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.syspath_prepend(str(FIXTURES))
    yield
    for name in ("broken_syntax", "raises_on_import", "needs_missing"):
        sys.modules.pop(name, None)


async def coro(a: int, b: int = 1, *, c: int = 2) -> int:
    return a + b + c


def needs_kw(*, key: str) -> str:
    return key


def variadic(a: int, *rest: int) -> int:
    return a + sum(rest)


class Box:
    class Inner:
        @staticmethod
        def deep() -> str:
            return "deep"


def test_split_ref() -> None:
    assert split_ref("pkg.mod:Class.func") == ("pkg.mod", "Class.func")
    for bad in ("nocolon", ":f", "m:", "a:b:c"):
        with pytest.raises(ValueError, match="malformed function reference"):
            split_ref(bad)


def test_resolution_is_cached_and_kinds_are_detected() -> None:
    r = Resolver()
    target = r.resolve(f"{__name__}:coro")
    assert r.resolve(f"{__name__}:coro") is target
    assert (target.fn, target.kind) == (coro, pb.ASYNC)
    assert r.resolve(f"{__name__}:needs_kw").kind == pb.SYNC
    assert r.resolve("samples:numbers").kind == pb.ASYNC_GENERATOR
    assert r.resolve("samples:sync_numbers").kind == pb.GENERATOR
    assert r.resolve(f"{__name__}:Box.Inner.deep").fn() == "deep"


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [([1], {}), ([1, 2], {}), ([1], {"c": 3}), ([], {"a": 1, "b": 2})],
)
def test_valid_arguments_pass(args: list[Any], kwargs: dict[str, Any]) -> None:
    Resolver().resolve(f"{__name__}:coro").check_args(args, kwargs)


@pytest.mark.parametrize(
    ("ref", "args", "kwargs", "message"),
    [
        ("coro", [], {}, "missing a required argument: 'a'"),
        ("coro", [1, 2, 3], {}, "too many positional arguments"),
        ("coro", [1], {"d": 1}, "got an unexpected keyword argument 'd'"),
        ("needs_kw", [], {}, "missing a required argument: 'key'"),
        ("variadic", [], {}, "missing a required argument: 'a'"),
    ],
)
def test_invalid_arguments_raise_type_error(
    ref: str, args: list[Any], kwargs: dict[str, Any], message: str
) -> None:
    target = Resolver().resolve(f"{__name__}:{ref}")
    with pytest.raises(TypeError, match=message):
        target.check_args(args, kwargs)


def test_variadic_functions_accept_any_count() -> None:
    Resolver().resolve(f"{__name__}:variadic").check_args([1, 2, 3, 4], {})


def test_callables_without_signature_are_not_checked_up_front() -> None:
    target = Resolver().resolve("builtins:max")  # C function: no inspect.signature
    assert target.signature is None
    target.check_args([1, 2, 3, 4, 5], {"key": None})  # the call itself will judge


@pytest.mark.parametrize(
    ("ref", "type_", "message"),
    [
        (
            "braid_nope_mod:f",
            "ModuleNotFoundError",
            "unknown function 'braid_nope_mod:f': No module named 'braid_nope_mod'",
        ),
        (
            "samples.sub:f",
            "ModuleNotFoundError",
            "unknown function 'samples.sub:f': No module named 'samples.sub'",
        ),
        (
            "samples:absent",
            "AttributeError",
            "unknown function 'samples:absent': module 'samples' has no attribute 'absent'",
        ),
        (
            "samples:Greeter.absent",
            "AttributeError",
            "unknown function 'samples:Greeter.absent': type object 'Greeter' has no attribute",
        ),
        ("samples:_produced", "TypeError", "'samples:_produced' is not callable (it is a int)"),
        ("broken_syntax:f", "SyntaxError", "broken_syntax.py:1"),
        ("raises_on_import:f", "RuntimeError", "RuntimeError: boom at import ("),
        ("needs_missing:f", "ModuleNotFoundError", "cannot import module 'needs_missing'"),
        ("nocolon", "ValueError", "malformed function reference 'nocolon'"),
    ],
)
def test_resolution_errors(ref: str, type_: str, message: str) -> None:
    with pytest.raises(ResolveError) as info:
        Resolver().resolve(ref)
    assert info.value.type == type_
    assert message in info.value.message
    assert isinstance(info.value.original, BaseException)


def test_import_errors_name_file_and_line() -> None:
    with pytest.raises(ResolveError) as info:
        Resolver().resolve("raises_on_import:f")
    assert f"{FIXTURES / 'raises_on_import.py'}:4" in info.value.message


def test_failures_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    r = Resolver()
    with pytest.raises(ResolveError):
        r.resolve("braid_appears_later:f")
    (tmp_path / "braid_appears_later.py").write_text("def f():\n    return 1\n")
    import importlib

    importlib.invalidate_caches()
    try:
        assert r.resolve("braid_appears_later:f").fn() == 1
    finally:
        sys.modules.pop("braid_appears_later", None)


def test_preload_builds_the_catalog_and_survives_bad_modules(
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = Resolver()
    catalog = r.preload(["samples", "broken_syntax", "braid_nope_mod"])
    by_name = {info.name: info for info in catalog}
    # __all__'s functions, and spin: defined in samples though not in __all__
    assert set(by_name) == {
        f"samples:{name}" for name in __import__("samples").__all__ if name[0].islower()
    } | {"samples:spin"}
    echo = by_name["samples:echo"]
    assert (echo.kind, echo.signature, echo.doc) == (
        pb.ASYNC,
        "(x: Any) -> Any",
        "Return the argument.",
    )
    assert by_name["samples:sync_add"].doc == "Add in a worker thread."
    # the names braid check holds with: keys against
    assert (echo.keywords_known, list(echo.keywords)) == (True, ["x"])
    assert "preload of broken_syntax failed" in caplog.text
    assert "preload of braid_nope_mod failed" in caplog.text
    # ... and sent in Hello with the cause, so that braid check can say why
    errors = {e.module: e.message for e in r.module_errors}
    assert set(errors) == {"broken_syntax", "braid_nope_mod"}
    assert errors["broken_syntax"].startswith("SyntaxError: ")
    assert "broken_syntax.py:" in errors["broken_syntax"]
    assert errors["braid_nope_mod"] == "ModuleNotFoundError: No module named 'braid_nope_mod'"
    assert r.resolve("samples:echo").ref == "samples:echo"  # cached by the preload


def test_a_file_shadowing_the_standard_library_is_named_in_the_import_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "http.py").write_text("# a user's helper, named like the stdlib package\n")
    (tmp_path / "braid_uses_http.py").write_text("import http.client\n\n\ndef f():\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    saved = {n: m for n, m in sys.modules.items() if n == "http" or n.startswith("http.")}
    for n in saved:
        del sys.modules[n]
    try:
        with pytest.raises(ResolveError) as e:
            Resolver().resolve("braid_uses_http:f")
        assert e.value.message.startswith(
            "cannot import module 'braid_uses_http' for 'braid_uses_http:f': ModuleNotFoundError: "
            "No module named 'http.client'; 'http' is not a package"
        )
        assert e.value.message.endswith(
            f"; {tmp_path / 'http.py'} shadows the standard library module 'http': rename it"
        )
    finally:
        for n in [n for n in sys.modules if n == "http" or n.startswith("http.")]:
            del sys.modules[n]
        sys.modules.update(saved)
        sys.modules.pop("braid_uses_http", None)


def test_catalog_keywords_are_the_names_with_may_use() -> None:
    import inspect

    from braid_worker._resolve import _keywords

    def named(a: int, /, b: int, *, c: int = 0) -> None: ...
    def open_ended(a: int, **rest: Any) -> None: ...

    assert _keywords(inspect.signature(named)) == ["b", "c"]
    assert _keywords(inspect.signature(open_ended)) is None
    assert _keywords(None) is None
