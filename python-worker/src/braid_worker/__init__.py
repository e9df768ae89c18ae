"""Braid Python worker: runs Python functions for the Braid gateway.

Public API:

- ``current()`` - the running call's ``CallContext`` (deadline, cancellation, heartbeat);
- ``BraidError`` - raise it to choose a failure's code, type, retryability and details;
- ``call()`` / ``call_with()`` - call another function (any language) as a child of this call;
- ``RemoteError`` / ``RemoteTimeoutError`` - how a failed nested call is raised;
- ``run()`` / ``main()`` - the worker process entry points (``python -m braid_worker``).

Everything else lives in private ``_*`` modules and may change without notice.
"""

from ._context import CallContext, current
from ._failures import BraidError
from ._main import main, run
from ._nested import RemoteError, RemoteTimeoutError, call, call_with

__all__ = [
    "BraidError",
    "CallContext",
    "RemoteError",
    "RemoteTimeoutError",
    "call",
    "call_with",
    "current",
    "main",
    "run",
]
