"""Runs the worker-protocol case table (proto/braid/worker/v1/conformance/) against this worker.

A case file is interpreted the same way by the Node and Java runners; the README in that folder
is the format's reference. Frames are proto3 JSON (original field names) with a few ``$``
forms: this module turns the ones in sent frames into protobuf messages and matches received
frames, rendered as proto3 JSON, against the expected patterns.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
from pathlib import Path
from typing import Any

from fake_gateway import FakeGateway, WorkerProcess, worker_env
from google.protobuf import json_format

from braid_worker._proto import worker_pb2 as pb

CASES = Path(__file__).resolve().parents[2] / "proto" / "braid" / "worker" / "v1" / "conformance"
LANGUAGE = "python"
WAIT_MS = 10_000
DEFAULT_WELCOME = {"max_payload_bytes": 1 << 20, "grace_ms": 2000}


def case_names() -> list[str]:
    """Every case in the table, by name (the file name without .json)."""
    return sorted(p.stem for p in CASES.glob("*.json"))


def load(name: str) -> dict[str, Any]:
    return json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))


def reference(fixture: str) -> str:
    return f"conformance:{fixture}"


class CaseFailed(AssertionError):
    pass


class Runner:
    """One case against one worker process; ``tmp`` holds the case's marker files."""

    def __init__(self, case: dict[str, Any], gateway: FakeGateway, tmp: Path) -> None:
        self.case = case
        self.gateway = gateway
        self.tmp = tmp

    async def run(self) -> None:
        env = {}
        if "max_in_flight" in self.case.get("worker", {}):
            env["BRAID_MAX_IN_FLIGHT"] = str(self.case["worker"]["max_in_flight"])
        self.proc = WorkerProcess(
            worker_env(self.gateway.socket_path, **env), self.tmp / "worker.log", self.tmp
        )
        try:
            self.session = await self.gateway.accept()
            # the Hello is waited for, not taken: a case may still expect it
            await self._await_first_frame()
            if self.session.kinds()[0] != "hello":
                raise CaseFailed(f"the first frame was {self.session.kinds()[0]}, not hello")
            welcome = self.case.get("welcome", DEFAULT_WELCOME)
            await self.session.send(pb.GatewayFrame(welcome=self._message(pb.Welcome, welcome)))
            for i, step in enumerate(self.case["steps"]):
                try:
                    await self._step(step)
                except (CaseFailed, TimeoutError) as e:
                    raise CaseFailed(
                        f"step {i + 1} {json.dumps(step)[:300]}: {e or 'timed out'}\n"
                        f"--- worker log ---\n{self.proc.log()}"
                    ) from None
        finally:
            self.proc.kill()

    async def _await_first_frame(self) -> None:
        async with asyncio.timeout(WAIT_MS / 1000):
            while not self.session.kinds():
                await asyncio.sleep(0.01)

    # -- steps --------------------------------------------------------------------------

    async def _step(self, step: dict[str, Any]) -> None:
        within = step.get("within_ms", WAIT_MS) / 1000
        repeat = step.get("repeat", 1)
        if "send" in step:
            frames = [
                self._message(pb.GatewayFrame, self._outbound(f, i))
                for i in range(repeat)
                for f in step["send"]
            ]
            await self.session.send(*frames)
        elif "expect" in step:
            for i in range(repeat):
                await self._expect(substitute(step["expect"], i), within)
        elif "expect_none" in step:
            kind, pattern = single(step["expect_none"])
            await asyncio.sleep(step["for_ms"] / 1000)  # a bounded look for an absence
            if self._untaken(kind, pattern):
                raise CaseFailed(f"an unexpected {kind} frame arrived")
        elif "count" in step:
            kind, pattern = single(step["count"])
            n = len(self._all(kind, pattern))
            self._match(step["equals"], n, "count")
        elif "batched" in step:
            if max(self.session.batch_sizes, default=0) < 2:
                raise CaseFailed(
                    f"no batch carried more than one frame: {self.session.batch_sizes}"
                )
        elif "marker" in step:
            path = self.tmp / step["marker"]
            async with asyncio.timeout(within):
                while not path.exists():
                    await asyncio.sleep(0.01)
            self._match(step["equals"], path.read_text(), "marker")
        elif "half_closed" in step:
            async with asyncio.timeout(within):
                await self.session.half_closed.wait()
        elif "end_stream" in step:
            self.session.end()
        elif "vanish" in step:
            await self.gateway.stop()
        elif "exit" in step:
            code = await self.proc.wait(timeout=within)
            self._match(step["exit"], code, "exit code")
        else:
            raise CaseFailed(f"unknown step {step}")

    async def _expect(self, expected: dict[str, Any], within: float) -> None:
        kind, pattern = single(expected)
        async with asyncio.timeout(within):
            while not (candidates := self._untaken(kind, pattern)):
                async with self.session._changed:
                    await self.session._changed.wait()
        index, frame = candidates[0]
        self.session._taken.add(index)
        self._match(pattern, as_json(getattr(frame, kind)), kind)

    def _selects(self, kind: str, pattern: dict[str, Any], msg: Any) -> bool:
        for key in ("call_id", "seq") if kind == "pong" else ("call_id",):
            if isinstance(pattern.get(key), int) and getattr(msg, key) != pattern[key]:
                return False
        return True

    def _untaken(self, kind: str, pattern: dict[str, Any]) -> list[tuple[int, Any]]:
        return [
            (i, f)
            for i, f in enumerate(self.session._frames)
            if i not in self.session._taken
            and f.WhichOneof("kind") == kind
            and self._selects(kind, pattern, getattr(f, kind))
        ]

    def _all(self, kind: str, pattern: dict[str, Any]) -> list[Any]:
        return [
            f
            for f in self.session._frames
            if f.WhichOneof("kind") == kind and self._selects(kind, pattern, getattr(f, kind))
        ]

    # -- frames -------------------------------------------------------------------------

    def _outbound(self, value: Any, i: int) -> Any:
        """A sent frame with its ``$`` forms replaced: proto3 JSON ready for ParseDict."""
        if isinstance(value, list):
            return [self._outbound(v, i) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "$fixture":
                return reference(arg)
            if key == "$tmp":
                return str(self.tmp / arg)
            if key == "$i":
                return i + arg
            if key == "$json":
                data = json.dumps(self._outbound(arg, i), separators=(",", ":"))
                return {"encoding": "json", "data": b64(data.encode())}
            if key == "$utf8":
                return b64(arg.encode())
        return {k: self._outbound(v, i) for k, v in value.items()}

    def _message(self, cls: Any, value: Any) -> Any:
        return json_format.ParseDict(self._outbound(value, 0), cls())

    # -- matching -----------------------------------------------------------------------

    def _match(self, expected: Any, actual: Any, path: str) -> None:
        """Raises CaseFailed unless ``actual`` (proto3 JSON, defaults omitted) fits."""
        if is_matcher(expected):
            ((key, arg),) = expected.items()
            if key == "$by_language":
                if LANGUAGE not in arg and "*" not in arg:
                    raise CaseFailed(f"{path}: no expectation for {LANGUAGE}")
                return self._match(arg.get(LANGUAGE, arg.get("*")), actual, path)
            if key == "$all":
                for each in arg:
                    self._match(each, actual, path)
                return None
            if key == "$not":
                try:
                    self._match(arg, actual, path)
                except CaseFailed:
                    return None
                raise CaseFailed(f"{path}: {actual!r} should not match {arg!r}")
            if key == "$absent":
                if not is_default(actual):
                    raise CaseFailed(f"{path}: expected no value, got {actual!r}")
                return None
            if key == "$fixture":
                return self._match(reference(arg), actual, path)
            if key == "$language":
                return self._match(LANGUAGE, actual, path)
            if key == "$contains":
                if not isinstance(actual, str) or arg not in actual:
                    raise CaseFailed(f"{path}: {actual!r} does not contain {arg!r}")
                return None
            if key == "$nonempty":
                if not actual:
                    raise CaseFailed(f"{path}: empty")
                return None
            if key == "$range":
                n = number(actual)
                if n is None or not arg[0] <= n <= arg[1]:
                    raise CaseFailed(f"{path}: {actual!r} not in {arg}")
                return None
            if key == "$json":
                payload = actual or {}
                if payload.get("encoding") != "json":
                    raise CaseFailed(f"{path}: not a json payload: {actual!r}")
                value = json.loads(base64.b64decode(payload.get("data", "")))
                return self._match_value(arg, value, f"{path}<json>")
            if key == "$utf8":
                text = base64.b64decode(actual or "").decode("utf-8")
                if text != arg:
                    raise CaseFailed(f"{path}: {text!r} != {arg!r}")
                return None
            raise CaseFailed(f"unknown matcher {key}")
        if isinstance(expected, dict):
            got = actual if isinstance(actual, dict) else {}
            if actual is not None and not isinstance(actual, dict):
                raise CaseFailed(f"{path}: expected a message, got {actual!r}")
            for k, v in expected.items():
                self._match(v, got.get(k), f"{path}.{k}")
            return None
        if actual is None and is_default(expected):
            return None
        if isinstance(expected, (int, float)) and not isinstance(expected, bool):
            if number(actual) != expected:
                raise CaseFailed(f"{path}: {actual!r} != {expected!r}")
            return None
        if expected != actual:
            raise CaseFailed(f"{path}: {actual!r} != {expected!r}")
        return None

    def _match_value(self, expected: Any, actual: Any, path: str) -> None:
        """Exact JSON equality (objects need the same keys), with ``$`` matchers inside."""
        if isinstance(expected, dict) and not is_matcher(expected):
            if not isinstance(actual, dict) or set(actual) != set(expected):
                raise CaseFailed(f"{path}: {actual!r} does not have the keys of {expected!r}")
            for k, v in expected.items():
                self._match_value(v, actual[k], f"{path}.{k}")
        elif isinstance(expected, list):
            if not isinstance(actual, list) or len(actual) != len(expected):
                raise CaseFailed(f"{path}: {actual!r} != {expected!r}")
            for n, (e, a) in enumerate(zip(expected, actual, strict=True)):
                self._match_value(e, a, f"{path}[{n}]")
        elif expected is None or isinstance(expected, bool):
            if actual is not expected:
                raise CaseFailed(f"{path}: {actual!r} != {expected!r}")
        else:
            self._match(expected, actual, path)


def is_matcher(value: Any) -> bool:
    """``{"$name": argument}``: a matcher, not a message or a JSON object."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith("$")


def single(obj: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if len(obj) != 1:
        raise CaseFailed(f"expected one frame kind, got {list(obj)}")
    return next(iter(obj.items()))


def substitute(value: Any, i: int) -> Any:
    """Replaces ``{"$i": offset}`` in an expected pattern (repeated steps)."""
    if isinstance(value, list):
        return [substitute(v, i) for v in value]
    if isinstance(value, dict):
        if set(value) == {"$i"}:
            return i + value["$i"]
        return {k: substitute(v, i) for k, v in value.items()}
    return value


def as_json(msg: Any) -> dict[str, Any]:
    return json_format.MessageToDict(msg, preserving_proto_field_name=True)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def number(value: Any) -> float | None:
    """proto3 JSON writes 64-bit integers as strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            n = float(value)
        except ValueError:
            return None
        return n if math.isfinite(n) else None
    return None


def is_default(value: Any) -> bool:
    return value in (None, 0, "", False, [], {})
