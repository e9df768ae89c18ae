"""Configuration from the BRAID_* environment."""

from __future__ import annotations

import pytest

from braid_worker._config import Config, ConfigError


def test_socket_becomes_a_unix_target_and_defaults_apply() -> None:
    cfg = Config.from_env({"BRAID_SOCKET": "/run/gw.sock"})
    assert cfg == Config(target="unix:/run/gw.sock")
    assert (cfg.max_in_flight, cfg.threads, cfg.preload) == (1024, 32, ())


def test_target_is_used_as_given_and_socket_wins() -> None:
    assert Config.from_env({"BRAID_TARGET": "127.0.0.1:7070"}).target == "127.0.0.1:7070"
    both = {"BRAID_TARGET": "127.0.0.1:7070", "BRAID_SOCKET": "/s"}
    assert Config.from_env(both).target == "unix:/s"


def test_all_knobs() -> None:
    cfg = Config.from_env(
        {
            "BRAID_SOCKET": "/s",
            "BRAID_WORKER_ID": "w7",
            "BRAID_TOKEN": "secret",
            "BRAID_MAX_IN_FLIGHT": "8",
            "BRAID_THREADS": "3",
            "BRAID_PRELOAD": " shop.users, ,pricing ",
            "BRAID_LOG_LEVEL": "debug",
        }
    )
    assert (cfg.worker_id, cfg.token, cfg.max_in_flight, cfg.threads) == ("w7", "secret", 8, 3)
    assert cfg.preload == ("shop.users", "pricing")
    assert cfg.log_level == "DEBUG"


def test_missing_target() -> None:
    with pytest.raises(ConfigError, match="neither BRAID_SOCKET nor BRAID_TARGET"):
        Config.from_env({})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("many", "BRAID_MAX_IN_FLIGHT is not an integer: 'many'"),
        ("0", "BRAID_MAX_IN_FLIGHT < 1: 0"),
    ],
)
def test_bad_numbers_name_the_variable_and_value(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_env({"BRAID_SOCKET": "/s", "BRAID_MAX_IN_FLIGHT": value})
