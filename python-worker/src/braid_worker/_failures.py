"""Failure records: exceptions -> ``braid.worker.v1.Failure``, and ``BraidError``.

A failure record is the same in every language (DESIGN.md §3.2): code, type, message,
language, stack, cause, retryable, details, reason. This module only builds records; it never
raises while doing so (a record for a broken exception is still a record).
"""

from __future__ import annotations

import asyncio
import os
import traceback
from types import TracebackType
from typing import Any

from . import _json
from ._proto import worker_pb2 as pb

LANGUAGE = "python"
MAX_CAUSE_DEPTH = 16

CANCELLED = pb.CANCELLED
DEADLINE_EXCEEDED = pb.DEADLINE_EXCEEDED
UNAVAILABLE = pb.UNAVAILABLE
RESOURCE_EXHAUSTED = pb.RESOURCE_EXHAUSTED
INVALID_ARGUMENT = pb.INVALID_ARGUMENT
APPLICATION = pb.APPLICATION
INTERNAL = pb.INTERNAL
CODES: dict[str, pb.Code] = {
    "CANCELLED": CANCELLED,
    "DEADLINE_EXCEEDED": DEADLINE_EXCEEDED,
    "UNAVAILABLE": UNAVAILABLE,
    "RESOURCE_EXHAUSTED": RESOURCE_EXHAUSTED,
    "INVALID_ARGUMENT": INVALID_ARGUMENT,
    "APPLICATION": APPLICATION,
    "INTERNAL": INTERNAL,
}

# Retry policies may retry these by default; everything else must opt in.
_RETRYABLE_BY_DEFAULT = frozenset({DEADLINE_EXCEEDED, UNAVAILABLE})


class BraidError(Exception):
    """An error a function raises to choose its failure record.

    ``code`` is one of ``APPLICATION`` (default), ``CANCELLED``, ``DEADLINE_EXCEEDED``,
    ``UNAVAILABLE``, ``RESOURCE_EXHAUSTED``, ``INVALID_ARGUMENT``, ``INTERNAL``. ``type``
    overrides the reported type name (default: the exception class, e.g.
    ``braid_worker.BraidError`` or ``shop.OutOfStock`` for a subclass). ``retryable`` defaults
    to true for ``DEADLINE_EXCEEDED`` and ``UNAVAILABLE`` and false otherwise. ``details`` is
    any JSON-serializable value, sent as the record's ``details`` payload.

    Raises ValueError for an unknown code.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "APPLICATION",
        type: str | None = None,
        retryable: bool | None = None,
        details: Any = None,
    ) -> None:
        if code not in CODES:
            raise ValueError(f"unknown failure code: {code!r} (expected one of {sorted(CODES)})")
        super().__init__(message)
        self.message = message
        self.code = code
        self.type = type
        self.retryable = CODES[code] in _RETRYABLE_BY_DEFAULT if retryable is None else retryable
        self.details = details


BraidError.__module__ = "braid_worker"  # its public home, and the type name it reports


def type_name(exc: BaseException) -> str:
    """Stable type name: the bare qualname for builtins, ``module.QualName`` otherwise."""
    cls = type(exc)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def default_code(exc: BaseException) -> pb.Code:
    """The code an exception maps to when nothing more specific is known."""
    if isinstance(exc, BraidError):
        return CODES[exc.code]
    if isinstance(exc, asyncio.CancelledError):
        return CANCELLED
    return APPLICATION


def from_exception(
    exc: BaseException,
    *,
    code: pb.Code | None = None,
    type: str | None = None,
    message: str | None = None,
    reason: str = "",
    retryable: bool | None = None,
) -> pb.Failure:
    """Build the failure record for ``exc``, its causes included (at most 16 deep).

    Keyword arguments override what the exception itself says. The cause is ``__cause__``,
    else ``__context__`` unless ``__suppress_context__``; each cause is its own record with
    its own stack, so a record's ``stack`` holds only its own traceback (no chain).
    """
    return _record(exc, code, type, message, reason, retryable, MAX_CAUSE_DEPTH)


def failure(
    code: pb.Code,
    type: str,
    message: str,
    *,
    reason: str = "",
    retryable: bool | None = None,
) -> pb.Failure:
    """A record that does not come from an exception (e.g. "worker shutting down")."""
    return pb.Failure(
        code=code,
        type=type,
        message=message,
        language=LANGUAGE,
        retryable=(code in _RETRYABLE_BY_DEFAULT) if retryable is None else retryable,
        reason=reason,
    )


NOT_SERIALIZABLE = "NotSerializable"
PAYLOAD_TOO_LARGE = "PayloadTooLarge"


def not_serializable(what: str, ref: str, problem: str) -> pb.Failure:
    """The record of a value that breaks the JSON rule; the same words in every language.

    ``what`` is ``result``, ``stream item`` or ``arguments``; ``problem`` comes from
    ``_json.NotSerializable`` (``$.items[3].price is NaN``).
    """
    return failure(
        INVALID_ARGUMENT, NOT_SERIALIZABLE, f"cannot send the {what} of {ref} as JSON: {problem}"
    )


def too_large(what: str, ref: str, size: int, limit: int) -> pb.Failure:
    """The record of a payload over the limit the gateway announced in Welcome."""
    return failure(
        RESOURCE_EXHAUSTED,
        PAYLOAD_TOO_LARGE,
        f"cannot send the {what} of {ref}: {size} bytes, more than max_payload_bytes {limit}",
    )


def _record(
    exc: BaseException,
    code: pb.Code | None,
    type_: str | None,
    message: str | None,
    reason: str,
    retryable: bool | None,
    depth: int,
) -> pb.Failure:
    remote = getattr(exc, "failure", None)
    if isinstance(remote, pb.Failure) and isinstance(exc, BraidError):
        # a nested call's failure that propagated: keep the original record, language and all
        rec = pb.Failure()
        rec.CopyFrom(remote)
        return rec
    if code is None:
        code = default_code(exc)
    if retryable is None:
        own = getattr(exc, "retryable", None)
        retryable = own if isinstance(own, bool) else code in _RETRYABLE_BY_DEFAULT
    rec = pb.Failure(
        code=code,
        type=type_ or _declared_type(exc) or type_name(exc),
        message=_safe_str(exc) if message is None else message,
        language=LANGUAGE,
        stack=_stack(exc),
        retryable=retryable,
        reason=reason,
    )
    details = getattr(exc, "details", None) if isinstance(exc, BraidError) else None
    if details is not None:
        rec.details.encoding = _json.ENCODING
        rec.details.data = _encode_details(details)
    cause = _cause_of(exc)
    if cause is not None and depth > 1:
        rec.cause.CopyFrom(_record(cause, None, None, None, "", None, depth - 1))
    return rec


def _declared_type(exc: BaseException) -> str | None:
    declared = getattr(exc, "type", None) if isinstance(exc, BraidError) else None
    return declared if isinstance(declared, str) and declared else None


def _cause_of(exc: BaseException) -> BaseException | None:
    if exc.__cause__ is not None:
        return exc.__cause__
    if exc.__suppress_context__:
        return None
    return exc.__context__


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _user_traceback(tb: TracebackType | None) -> TracebackType | None:
    """Skips the worker's own frames at the top, so a stack starts in the user's code.

    When every frame is the worker's (an error of the worker itself), the whole stack is kept.
    """
    user = tb
    while user is not None and user.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        user = user.tb_next
    return user if user is not None else tb


def _stack(exc: BaseException) -> str:
    try:
        tb = _user_traceback(exc.__traceback__)
        return "".join(traceback.format_exception(type(exc), exc, tb, chain=False))
    except Exception as e:  # a hostile __str__ must not lose the record
        return f"<traceback unavailable: {type(e).__name__}>"


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception as e:
        return f"<str() of {type(exc).__name__} failed: {type(e).__name__}>"


def _encode_details(details: Any) -> bytes:
    try:
        return _json.encode(details)
    except (TypeError, ValueError, RecursionError):
        # Details are a hint: keep the record, say what they were.
        return _json.encode({"unserializable": repr(details)[:1000]})
