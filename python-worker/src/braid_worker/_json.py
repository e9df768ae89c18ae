"""JSON payload codec: compact UTF-8, strict on the way out, lean on the hot path.

``encode`` produces what goes into ``Payload.data``: no spaces, ``ensure_ascii=False``,
``allow_nan=False``. It raises ``TypeError`` (unsupported type), ``ValueError`` (NaN or
infinity) or ``RecursionError`` (a cycle, or nesting too deep); callers map all three to one
"not JSON-serializable" failure.

``decode`` accepts UTF-8 JSON text and raises ``ValueError`` (``json.JSONDecodeError`` or
``UnicodeDecodeError``) on anything malformed.
"""

from __future__ import annotations

import json
import json.encoder
import json.scanner
from typing import Any

ENCODING = "json"
NULL = b"null"

# Hot path: build the C encoder once instead of per call as JSONEncoder.encode does. Without a
# markers dict there is no circular-reference check; a cycle ends in RecursionError instead,
# which callers treat like any other unserializable value. (A shared markers dict would be
# wrong: the C encoder leaves stale entries behind when it raises.)
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_encode_str: Any = (
    getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
)


def _default(value: object) -> object:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


if _c_make_encoder is not None:
    _iterencode = _c_make_encoder(None, _default, _encode_str, None, ":", ",", False, False, False)

    def encode(value: object) -> bytes:
        """Serialize ``value`` to compact UTF-8 JSON bytes. See the module docstring."""
        return "".join(_iterencode(value, 0)).encode()

else:  # pragma: no cover - CPython always has the C accelerator
    _encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    def encode(value: object) -> bytes:
        """Serialize ``value`` to compact UTF-8 JSON bytes. See the module docstring."""
        return _encoder.encode(value).encode()


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
