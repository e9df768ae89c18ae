"""End to end: the real worker process against a fake gateway over a Unix socket.

Every wait is bounded (fake_gateway.WAIT, pytest-timeout); no assertion depends on speed.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import StartWorker
from fake_gateway import (
    FakeGateway,
    Session,
    WorkerProcess,
    invoke_frame,
    value_of,
    worker_env,
)

from braid_worker._proto import worker_pb2 as pb

Worker = tuple[WorkerProcess, Session, pb.Hello]
Code = pb.Code


async def started(session: Session, call_id: int) -> None:
    """Wait for the function's "started" heartbeat: its body is running."""
    beat = await session.expect("heartbeat", call_id)
    assert json.loads(beat.details.data) == "started"


# -- connection ---------------------------------------------------------------------------


async def test_hello_carries_identity_limits_and_catalog(start_worker: StartWorker) -> None:
    proc, session, hello = await start_worker(
        BRAID_PRELOAD="samples, broken_syntax,no_such_module", BRAID_MAX_IN_FLIGHT="7"
    )
    assert hello.language == "python"
    assert hello.runtime_version == f"CPython {'.'.join(map(str, sys.version_info[:3]))}"
    assert (hello.worker_id, hello.token) == ("worker-1", "token-1")
    assert hello.max_in_flight == 7
    assert hello.pid == proc.pid
    assert hello.protocol_version == "1"
    catalog = {f.name: f for f in hello.catalog}
    assert catalog["samples:echo"].kind == pb.ASYNC
    assert catalog["samples:echo"].signature == "(x: Any) -> Any"
    assert catalog["samples:echo"].doc == "Return the argument."
    assert catalog["samples:sync_add"].kind == pb.SYNC
    assert catalog["samples:numbers"].kind == pb.ASYNC_GENERATOR
    assert catalog["samples:sync_numbers"].kind == pb.GENERATOR
    assert "samples:spin" in catalog  # defined there, though not in samples.__all__
    assert "samples:current" not in catalog  # imported from braid_worker
    assert not any(name.startswith("broken_syntax") for name in catalog)
    # A preload that fails is logged, not fatal.
    assert value_of(await session.call("samples:echo", 1)) == 1
    assert "broken_syntax" in proc.log()


async def test_cannot_connect_exits_nonzero_with_one_line(short_tmp: Path) -> None:
    proc = WorkerProcess(
        worker_env(short_tmp / "nobody-listens.sock"), short_tmp / "w.log", short_tmp
    )
    assert await proc.wait() == 1
    lines = proc.log().strip().splitlines()
    assert len(lines) == 1
    assert "cannot connect to the gateway at unix:" in lines[0]


async def test_missing_target_is_a_configuration_error(short_tmp: Path) -> None:
    env = worker_env(short_tmp / "x.sock")
    del env["BRAID_SOCKET"]
    proc = WorkerProcess(env, short_tmp / "w.log", short_tmp)
    assert await proc.wait() == 2
    assert "BRAID_SOCKET" in proc.log()


# -- calls --------------------------------------------------------------------------------


async def test_positional_and_keyword_arguments(session: Session) -> None:
    assert value_of(await session.call("samples:add", 2, kwargs={"b": 3})) == 5
    assert value_of(await session.call("samples:add", kwargs={"a": 4})) == 4


async def test_dotted_attribute_path(session: Session) -> None:
    assert value_of(await session.call("samples:Greeter.hello", "bob")) == "hello bob"


async def test_sync_function_runs_in_pool_thread_with_context(session: Session) -> None:
    assert value_of(await session.call("samples:sync_add", 2, 5)) == 7
    call_id = await session.invoke("samples:sync_info")
    got = value_of(await session.expect("outcome", call_id))
    assert got["thread"].startswith("braid-sync")
    assert (got["call_id"], got["function"]) == (call_id, "samples:sync_info")


# -- deadlines and cancellation ------------------------------------------------------------


async def test_cancel_in_the_same_batch_never_starts_the_body(
    session: Session, tmp_path: Path
) -> None:
    # The case table's cancel_in_the_same_batch_as_invoke checks the outcome in every
    # language; Python also guarantees the coroutine never starts.
    marker = tmp_path / "marker"
    await session.send(
        invoke_frame(77, "samples:wait_forever", str(marker)),
        pb.GatewayFrame(cancel=pb.Cancel(call_id=77, reason="parent_cancelled")),
    )
    assert (await session.expect("outcome", 77)).failure.code == Code.CANCELLED
    assert not marker.exists()


async def test_sync_function_sees_cancel_and_its_result_is_sent(session: Session) -> None:
    call_id = await session.invoke("samples:sync_wait_for_cancel", 5)
    await started(session, call_id)
    await session.cancel(call_id, "sibling_failed")
    out = await session.expect("outcome", call_id)
    assert value_of(out) == {"cancelled": True, "reason": "sibling_failed"}


# -- streams ------------------------------------------------------------------------------


async def test_sync_generator_streams_in_a_thread(session: Session) -> None:
    call_id = await session.invoke("samples:sync_numbers", 3, credit=1)
    assert json.loads((await session.expect("item", call_id)).value.data) == 0
    await session.credit(call_id, 5)
    assert [json.loads((await session.expect("item", call_id)).value.data) for _ in range(2)] == [
        1,
        2,
    ]
    out = await session.expect("outcome", call_id)
    assert (value_of(out), out.items) == (None, 3)


# -- liveness -----------------------------------------------------------------------------


async def test_sigint_is_ignored(worker: Worker) -> None:
    proc, session, _ = worker
    os.kill(proc.pid, signal.SIGINT)
    await session.send(pb.GatewayFrame(ping=pb.Ping(seq=1)))
    assert (await session.expect("pong")).seq == 1
    assert proc.proc.poll() is None


# -- shutdown and loss --------------------------------------------------------------------


async def test_shutdown_abandons_a_call_that_ignores_cancel(worker: Worker) -> None:
    proc, session, _ = worker
    call_id = await session.invoke("samples:sync_sleep", 60)
    await started(session, call_id)
    await session.send(pb.GatewayFrame(shutdown=pb.Shutdown(grace_ms=100, reason="shutdown")))
    f = (await session.expect("outcome", call_id)).failure
    assert (f.code, f.type, f.reason) == (Code.CANCELLED, "CancelledError", "shutdown")
    assert "abandoned at shutdown" in f.message
    # The thread still sleeps; the process exits anyway.
    assert await proc.wait() == 0
    assert len(session.frames_of("outcome", call_id)) == 1


async def test_sigterm_is_a_graceful_shutdown(worker: Worker) -> None:
    proc, session, _ = worker
    proc.proc.send_signal(signal.SIGTERM)
    async with asyncio.timeout(10):
        await session.half_closed.wait()
    assert await proc.wait() == 0


async def test_gateway_vanishing_is_logged(gateway: FakeGateway, worker: Worker) -> None:
    # What the calls see and the exit code: the case table's
    # gateway_vanishing_cancels_calls_and_exits_1. Here: the one log line.
    proc, session, _ = worker
    await session.send(pb.GatewayFrame(ping=pb.Ping(seq=1)))
    await session.expect("pong")  # the worker has read the Welcome: it is connected
    await gateway.stop()
    assert await proc.wait(timeout=5) == 1
    assert "gateway connection lost" in proc.log()


async def test_parent_death_kills_worker_even_with_a_blocked_loop(
    gateway: FakeGateway, short_tmp: Path
) -> None:
    # An intermediate parent starts the worker, like the gateway would.
    launcher = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\n"
            "p = subprocess.Popen([sys.executable, '-m', 'braid_worker'])\n"
            "print(p.pid, flush=True)\n"
            "time.sleep(600)\n",
        ],
        env=worker_env(gateway.socket_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert launcher.stdout is not None
        pid = int(await asyncio.wait_for(asyncio.to_thread(launcher.stdout.readline), 10))
        session = await gateway.accept()
        await session.expect("hello")
        await session.send(pb.GatewayFrame(welcome=pb.Welcome()))
        await session.invoke("samples:spin")
        await session.send(pb.GatewayFrame(ping=pb.Ping(seq=5)))
        with pytest.raises(TimeoutError):  # the loop is stuck: no pong
            await session.expect("pong", timeout=0.5)
        launcher.kill()
        launcher.wait(5)
        async with asyncio.timeout(10):
            while _alive(pid):
                await asyncio.sleep(0.05)
    finally:
        launcher.kill()
        launcher.wait(5)
        if launcher.stdout is not None:
            launcher.stdout.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


async def test_console_script_resolves_modules_in_the_working_directory(
    gateway: FakeGateway, short_tmp: Path
) -> None:
    (short_tmp / "cwd_module.py").write_text("def where():\n    return __file__\n")
    env = worker_env(gateway.socket_path)
    del env["PYTHONPATH"]
    script = Path(sys.executable).parent / "braid-worker"
    proc = WorkerProcess(env, short_tmp / "w.log", short_tmp, argv=[str(script)])
    try:
        session = await gateway.accept()
        assert (await session.expect("hello")).pid == proc.pid
        await session.send(pb.GatewayFrame(welcome=pb.Welcome()))
        assert value_of(await session.call("cwd_module:where")) == str(short_tmp / "cwd_module.py")
        await session.send(pb.GatewayFrame(shutdown=pb.Shutdown(reason="shutdown")))
        assert await proc.wait() == 0
    finally:
        proc.kill()


# -- bad inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "code", "type_", "message_part"),
    [
        (
            "no_such_module:f",
            Code.INVALID_ARGUMENT,
            "ModuleNotFoundError",
            "unknown function 'no_such_module:f': No module named 'no_such_module'",
        ),
        (
            "samples:nope",
            Code.INVALID_ARGUMENT,
            "AttributeError",
            "unknown function 'samples:nope': module 'samples' has no attribute 'nope'",
        ),
        ("broken_syntax:broken", Code.INVALID_ARGUMENT, "SyntaxError", "broken_syntax.py:1"),
        ("raises_on_import:f", Code.INVALID_ARGUMENT, "RuntimeError", "raises_on_import.py:4"),
        (
            "needs_missing:f",
            Code.INVALID_ARGUMENT,
            "ModuleNotFoundError",
            "No module named 'braid_no_such_dependency' (",
        ),
        ("no-colon", Code.INVALID_ARGUMENT, "ValueError", "malformed function reference"),
    ],
)
async def test_unresolvable_functions(
    session: Session, ref: str, code: int, type_: str, message_part: str
) -> None:
    f = (await session.call(ref)).failure
    assert (f.code, f.type) == (code, type_)
    assert message_part in f.message
    assert value_of(await session.call("samples:echo", "ok")) == "ok"


async def test_bad_inputs_then_a_good_call(session: Session) -> None:
    cases: list[tuple[pb.Outcome, int, str, str]] = [
        (
            await session.call("samples:add", 1, 2, 3),
            Code.INVALID_ARGUMENT,
            "TypeError",
            "invalid arguments for 'samples:add': too many positional arguments",
        ),
        (
            await session.call("samples:add", kwargs={"c": 1}),
            Code.INVALID_ARGUMENT,
            "TypeError",
            "invalid arguments for 'samples:add': missing a required argument: 'a'",
        ),
        (
            await session.call("samples:echo", raw_args=b"[1,"),
            Code.INVALID_ARGUMENT,
            "json.decoder.JSONDecodeError",
            "malformed args for 'samples:echo'",
        ),
        (
            await session.call("samples:echo", raw_args=b'{"x": 1}'),
            Code.INVALID_ARGUMENT,
            "TypeError",
            "args for 'samples:echo' must be a JSON array, got dict",
        ),
        (
            await session.call("samples:type_error_inside", 1),
            Code.APPLICATION,
            "TypeError",
            "unsupported operand",
        ),
        (
            await session.call("samples:not_json"),
            Code.INVALID_ARGUMENT,
            "NotSerializable",
            "cannot send the result of samples:not_json as JSON: $.ok has no JSON form (set)",
        ),
        (
            await session.call("samples:nan"),
            Code.INVALID_ARGUMENT,
            "NotSerializable",
            "cannot send the result of samples:nan as JSON: $ is NaN",
        ),
        (
            await session.call("samples:big", 2 << 20),  # Welcome said 1 MiB
            Code.RESOURCE_EXHAUSTED,
            "PayloadTooLarge",
            f"cannot send the result of samples:big: {(2 << 20) + 2} bytes, "
            f"more than max_payload_bytes {1 << 20}",
        ),
    ]
    for out, code, type_, message_part in cases:
        f = out.failure
        assert (f.code, f.type) == (code, type_), f
        assert message_part in f.message, f.message
        assert f.language == "python"
    assert value_of(await session.call("samples:echo", "still serving")) == "still serving"
