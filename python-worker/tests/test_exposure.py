"""A worker started with roots (``braid serve``) refuses references outside them on its own."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import StartWorker

from braid_worker._proto import worker_pb2 as pb
from braid_worker._resolve import ResolveError, Resolver


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A root with an exposed module; it is first on sys.path, as the launcher puts it."""
    r = tmp_path / "root"
    (r / "pkg").mkdir(parents=True)
    (r / "exposed_mod.py").write_text(
        "import os\n"
        "from os import system\n"
        "def hello(name):\n    return 'hi ' + name\n"
        "def _private():\n    return 1\n"
        "class Greeter:\n    def greet(self):\n        return 'hey'\n"
    )
    (r / "pkg" / "__init__.py").write_text("")
    (r / "pkg" / "inner.py").write_text("def f():\n    return 7\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret_mod.py").write_text("def f():\n    return 'secret'\n")
    (r / "linked_mod.py").symlink_to(outside / "secret_mod.py")
    monkeypatch.syspath_prepend(str(outside))
    monkeypatch.syspath_prepend(str(r))
    yield r
    for name in ("exposed_mod", "pkg", "pkg.inner", "secret_mod", "linked_mod"):
        sys.modules.pop(name, None)


def refused(resolver: Resolver, ref: str) -> str:
    with pytest.raises(ResolveError) as e:
        resolver.resolve(ref)
    assert e.value.type == "PermissionDenied", e.value.message
    return e.value.message


def test_functions_defined_under_the_roots_resolve(root: Path) -> None:
    r = Resolver(roots=[str(root)])
    assert r.resolve("exposed_mod:hello").fn("ada") == "hi ada"
    assert r.resolve("pkg.inner:f").fn() == 7
    assert r.resolve("exposed_mod:Greeter.greet").ref == "exposed_mod:Greeter.greet"


@pytest.mark.parametrize(
    ("ref", "rule"),
    [
        ("os:system", "standard-library"),
        ("subprocess:getoutput", "standard-library"),
        ("builtins:eval", "standard-library"),
        ("posix:system", "standard-library"),
        ("secret_mod:f", "no secret_mod.py"),
        ("linked_mod:f", "leads outside"),
        ("exposed_mod:system", "not defined in exposed_mod"),
        ("exposed_mod:os.system", "not defined in exposed_mod"),
        ("exposed_mod:_private", "starts with '_'"),
        ("exposed_mod:hello.__globals__", "starts with '_'"),
    ],
)
def test_references_outside_the_roots_are_refused(root: Path, ref: str, rule: str) -> None:
    assert rule in refused(Resolver(roots=[str(root)]), ref)


def test_a_refused_module_is_never_imported(root: Path) -> None:
    refused(Resolver(roots=[str(root)]), "secret_mod:f")
    assert "secret_mod" not in sys.modules


def test_without_roots_everything_importable_resolves(root: Path) -> None:
    # the local CLI keeps its freedom
    assert Resolver().resolve("os:getcwd").fn() == os.getcwd()


async def test_worker_with_roots_refuses_stdlib_and_hides_the_token(
    start_worker: StartWorker, root: Path
) -> None:
    _, session, _ = await start_worker(
        BRAID_ROOTS=str(root), PYTHONPATH=f"{root}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    )
    out = await session.call("os:getenv", "BRAID_TOKEN")
    assert out.failure.code == pb.INVALID_ARGUMENT
    assert out.failure.type == "PermissionDenied"
    ok = await session.call("exposed_mod:hello", "ada")
    assert ok.value.data == b'"hi ada"'


async def test_the_token_is_not_in_the_worker_environment(start_worker: StartWorker) -> None:
    # no roots: the local CLI's worker, which may call os.getenv; the token is still gone
    _, session, _ = await start_worker()
    out = await session.call("os:getenv", "BRAID_TOKEN")
    assert out.value.data == b"null"
    sock = await session.call("os:getenv", "BRAID_WORKER_ID")
    assert sock.value.data == b'"worker-1"'
