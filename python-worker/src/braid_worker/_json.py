"""JSON payload codec: compact UTF-8, strict on the way out, lean on the hot path.

``encode`` produces what goes into ``Payload.data``: no spaces, ``ensure_ascii=False``. It
applies Braid's JSON rule (docs/architecture.md, "The JSON rule"), the same in every language:
NaN and infinities, values JSON has no form for (set, bytes, any other object), cycles and
nesting deeper than ``MAX_DEPTH`` containers are refused with ``NotSerializable``, whose
``problem`` names the path to the bad value (``$.items[3].price is NaN``). Tuples are arrays;
dict keys that are ``int``, ``float``, ``bool`` or ``None`` become strings, as ``json`` does.

``decode`` accepts UTF-8 JSON text and raises ``ValueError`` (``json.JSONDecodeError`` or
``UnicodeDecodeError``) on anything malformed.
"""

from __future__ import annotations

import json
import json.encoder
import json.scanner
import math
import re
from typing import Any

ENCODING = "json"
NULL = b"null"

MAX_DEPTH = 512
"""Most arrays/objects a value may be nested in (a scalar inside 512 arrays is fine, 513 not).

The same in every language, and below the gateway's parser limit (Jackson's 1,000), so a
value too deep is refused where it is produced, never by the reader.
"""

_MAX_PATH_SEGMENTS = 16


class NotSerializable(ValueError):
    """A value breaks the JSON rule; ``problem`` says where and why (``$.x is NaN``)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


# Hot path: build the C encoder once instead of per call as JSONEncoder.encode does. Without a
# markers dict there is no circular-reference check; a cycle ends in RecursionError instead,
# and the walk then names it. (A shared markers dict would be wrong: the C encoder leaves
# stale entries behind when it raises.)
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_encode_str: Any = (
    getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
)


def _default(value: object) -> object:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


if _c_make_encoder is not None:
    _iterencode = _c_make_encoder(None, _default, _encode_str, None, ":", ",", False, False, False)

    def _text(value: object) -> str:
        return "".join(_iterencode(value, 0))

else:  # pragma: no cover - CPython always has the C accelerator
    _encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    def _text(value: object) -> str:
        return _encoder.encode(value)


def encode(value: object) -> bytes:
    """Serialize ``value`` to compact UTF-8 JSON bytes. Raises ``NotSerializable``.

    The C encoder runs first. When the text has more opening brackets than ``MAX_DEPTH`` (so
    the value might be nested too deep), a containers-only walk measures its depth; only when
    the encoder fails or the value is too deep is it walked in full to find the first problem
    and its path. Most payloads pay for neither.
    """
    try:
        text = _text(value)
    except (TypeError, ValueError, RecursionError) as e:
        raise NotSerializable(find_problem(value) or f"$ {e}") from None
    if text.count("[") + text.count("{") > MAX_DEPTH and _too_deep(value, 0):
        raise NotSerializable(find_problem(value) or f"$ is nested deeper than {MAX_DEPTH} levels")
    return text.encode()


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _too_deep(value: Any, depth: int) -> bool:
    # Containers only, scalars skipped by exact type: ~4.6 ms for 10,000 records that the C
    # encoder writes in ~9.4 ms, where the full walk (find_problem) takes ~18 ms.
    if depth >= MAX_DEPTH:
        return True
    depth += 1
    for v in value.values() if isinstance(value, dict) else value:
        if type(v) in _SCALARS:
            continue
        if isinstance(v, (list, tuple, dict)) and _too_deep(v, depth):
            return True
    return False


def find_problem(value: object) -> str | None:
    """The first part of ``value`` (depth-first, in encoding order) that breaks the rule."""
    return _check(value, [], [], 0)


# The walk recurses at most MAX_DEPTH + 1 levels: it stops at the first container too deep.
def _check(value: object, path: list[str | int], ancestors: list[int], depth: int) -> str | None:
    if value is None or isinstance(value, (str, int)):  # bool is an int
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{render(path)} is {_float_name(value)}"
    if isinstance(value, (list, tuple, dict)):
        if id(value) in ancestors:
            back = path[: ancestors.index(id(value))]
            return f"{render(path)} refers back to {render(back)} (a cycle)"
        if depth >= MAX_DEPTH:
            return f"{render(path)} is nested deeper than {MAX_DEPTH} levels"
        ancestors.append(id(value))
        try:
            if isinstance(value, dict):
                for k, v in value.items():
                    bad = _key_problem(k)
                    if bad is not None:
                        return f"{render(path)} has a key with no JSON form ({bad})"
                    path.append(k if isinstance(k, str) else _encode_key(k))
                    problem = _check(v, path, ancestors, depth + 1)
                    path.pop()
                    if problem is not None:
                        return problem
            else:
                for i, v in enumerate(value):
                    path.append(i)
                    problem = _check(v, path, ancestors, depth + 1)
                    path.pop()
                    if problem is not None:
                        return problem
        finally:
            ancestors.pop()
        return None
    return f"{render(path)} has no JSON form ({type(value).__name__})"


def _float_name(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _key_problem(key: object) -> str | None:
    if key is None or isinstance(key, (str, int)):
        return None
    if isinstance(key, float):
        return None if math.isfinite(key) else _float_name(key)
    return type(key).__name__


def _encode_key(key: object) -> str:
    # What the json module writes for a non-str key (True -> "true", None -> "null").
    text = json.dumps(key)
    return text[1:-1] if text.startswith('"') else text


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def render(path: list[str | int]) -> str:
    """``$.items[3].price``; past 16 segments the rest is shown as ``...``."""
    parts = ["$"]
    for seg in path[:_MAX_PATH_SEGMENTS]:
        if isinstance(seg, int):
            parts.append(f"[{seg}]")
        elif _NAME.fullmatch(seg):
            parts.append(f".{seg}")
        else:
            parts.append(f"[{json.dumps(seg, ensure_ascii=False)}]")
    if len(path) > _MAX_PATH_SEGMENTS:
        parts.append("...")
    return "".join(parts)


_decoder = json.JSONDecoder()
_scan_once = _decoder.scan_once  # type: ignore[attr-defined]  # set by __init__


def decode(data: bytes) -> Any:
    """Parse one JSON document from UTF-8 ``data``. Raises ``ValueError`` if malformed."""
    text = data.decode()
    # Fast path: the scanner parses a document that starts at 0 and fills the text; anything
    # else (surrounding whitespace, trailing garbage, a syntax error) goes through json.loads,
    # which also produces the standard error messages.
    try:
        value, end = _scan_once(text, 0)
    except StopIteration:
        return json.loads(text)
    if end != len(text):
        return json.loads(text)
    return value
