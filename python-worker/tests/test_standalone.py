"""The standalone worker's command line and reconnect backoff (no network)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from braid_worker import _standalone as S


def _token(tmp_path: Path, text: str = "edge-token-0123456789\n") -> Path:
    p = tmp_path / "edge.token"
    p.write_text(text)
    return p


def test_loopback_without_a_ca_is_plaintext_with_keepalive(tmp_path: Path) -> None:
    c = S.parse_args(
        [
            "--connect",
            "127.0.0.1:7071",
            "--pool",
            "edge",
            "--token-file",
            str(_token(tmp_path)),
            "--keepalive",
            "2",
            "--preload",
            "shop",
            "--root",
            str(tmp_path),
        ]
    )
    assert c.target == "127.0.0.1:7071"
    assert c.pool == "edge"
    assert c.token == "edge-token-0123456789"
    assert c.tls is None
    assert c.keepalive_ms == 2000
    assert c.preload == ("shop",)
    assert c.roots == (str(tmp_path.resolve()),)


def test_off_loopback_is_always_tls(tmp_path: Path) -> None:
    c = S.parse_args(
        [
            "--connect",
            "gateway.internal:7071",
            "--pool",
            "edge",
            "--token-file",
            str(_token(tmp_path)),
        ]
    )
    assert c.tls is not None
    assert c.tls.ca is None  # the system's roots


def test_the_ca_and_client_certificate_are_read(tmp_path: Path) -> None:
    for name in ("ca.pem", "w.pem", "w.key"):
        (tmp_path / name).write_text(name)
    c = S.parse_args(
        [
            "--connect",
            "127.0.0.1:7071",
            "--pool",
            "edge",
            "--token-file",
            str(_token(tmp_path)),
            "--tls-ca",
            str(tmp_path / "ca.pem"),
            "--tls-cert",
            str(tmp_path / "w.pem"),
            "--tls-key",
            str(tmp_path / "w.key"),
        ]
    )
    assert c.tls is not None
    assert (c.tls.ca, c.tls.cert, c.tls.key) == (b"ca.pem", b"w.pem", b"w.key")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--max-in-flight", "0"], "--max-in-flight < 1"),
        (["--tls-cert", "x.pem"], "go together"),
        (["--tls-ca", "/nonexistent/ca.pem"], "--tls-ca: cannot read"),
        (["--keepalive", "0.5"], "--keepalive < 1"),
    ],
)
def test_bad_flags_name_themselves(tmp_path: Path, extra: list[str], message: str) -> None:
    base = ["--connect", "127.0.0.1:1", "--pool", "edge", "--token-file", str(_token(tmp_path))]
    with pytest.raises(S.UsageError, match=message):
        S.parse_args(base + extra)


def test_a_token_file_without_a_token_or_too_big_is_refused(tmp_path: Path) -> None:
    base = ["--connect", "127.0.0.1:1", "--pool", "edge", "--token-file"]
    with pytest.raises(S.UsageError, match="holds no token"):
        S.parse_args([*base, str(_token(tmp_path, "# none\n\n"))])
    with pytest.raises(S.UsageError, match="over 4096 bytes"):
        S.parse_args([*base, str(_token(tmp_path, "x" * 5000))])
    with pytest.raises(S.UsageError, match="not HOST:PORT"):
        S.parse_args(["--connect", "nohost", "--pool", "e", "--token-file", str(_token(tmp_path))])


def test_backoff_is_full_jitter_capped_at_ten_seconds() -> None:
    rng = random.Random(7)
    for attempt in range(30):
        cap = min(S.BACKOFF_MAX, S.BACKOFF_FIRST * 2**attempt)
        delays = [S.backoff(attempt, rng) for _ in range(50)]
        assert all(0 <= d <= cap for d in delays)
    # jittered: a fleet does not reconnect in lockstep
    assert len({round(S.backoff(5, rng), 6) for _ in range(20)}) > 10


def test_max_in_flight_is_split_across_the_gateways() -> None:
    from braid_worker._gateways import split

    assert split(1024, 1) == 1024
    assert split(1024, 3) == 341
    assert split(2, 5) == 1  # every stream takes at least one call
    assert split(7, 0) == 7


async def test_names_resolve_to_every_address_literals_stay_as_given() -> None:
    from braid_worker._gateways import Gateway, resolve

    assert await resolve("127.0.0.1:7071, [::1]:7072") == [
        Gateway("127.0.0.1:7071"),
        Gateway("[::1]:7072"),
    ]
    assert await resolve("localhost:7071") == [Gateway("localhost:7071")]


def test_a_list_is_plaintext_only_when_every_host_is_loopback(tmp_path: Path) -> None:
    tok = str(_token(tmp_path))
    both = S.parse_args(
        ["--connect", "127.0.0.1:1,127.0.0.2:2", "--pool", "e", "--token-file", tok]
    )
    assert both.tls is None
    mixed = S.parse_args(
        ["--connect", "127.0.0.1:1,gw.internal:2", "--pool", "e", "--token-file", tok]
    )
    assert mixed.tls is not None
