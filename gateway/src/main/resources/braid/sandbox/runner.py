"""Braid sandbox runner for Python scripts (stdlib only; runs as python3 -I -S -B).

Protocol: open the result channel (argv[1], /run/braid/result inside the sandbox) and write
"R" (ready); read ONE JSON request {"code", "filename", "input"} from stdin until EOF (a warm
sandbox blocks here); run the script; close stdout and stderr; write ONE JSON line to the channel:
{"ok": true, "value": V} when the script defines main(input) (sync or async),
{"ok": true, "plain": true} for a plain script (its stdout is the result), or
{"ok": false, "type", "message", "stack"} when it raised. Then exit at once: nothing the
script left behind (threads, children) outlives the answer.

The script runs in this process and may patch anything shared: builtins, json, os, sys.stdout.
So everything the runner needs once the script has run is bound here, before it runs: its own
copy of the builtins' namespace (functions defined below look names up there, not in the module
the script can change), a private copy of json.encoder, and the os functions themselves. A value
that still cannot be encoded is the script's error, never the sandbox's.
"""

import builtins
import json
import os
import sys

try:  # imported before the request arrives: a warm sandbox has it ready
    import resource
except ImportError:  # pragma: no cover - every Linux Python has it
    resource = None

# Functions defined from here on take their builtins from this copy (Python reads a function's
# builtins from its module's __builtins__ when the function is created), so a script that
# replaces builtins.str or builtins.isinstance changes only what its own code sees.
__builtins__ = dict(builtins.__dict__)

_RESULT = sys.argv[1] if len(sys.argv) > 1 else "/run/braid/result"
_os_write, _os_close, _os_open, _os_exit = os.write, os.close, os.open, os._exit
_getrusage = resource.getrusage if resource is not None else None


def _private(module):
    """A fresh copy of a loaded module, outside sys.modules, using the runner's builtins."""
    copy = type(sys)(module.__name__)
    copy.__builtins__ = __builtins__
    exec(module.__spec__.loader.get_code(module.__name__), copy.__dict__)
    return copy


# json.dumps, JSONEncoder and json.encoder's globals (c_make_encoder, encode_basestring_ascii)
# are all the script's to replace; this copy's are not. Same output as json.dumps(allow_nan=False).
_encode = _private(json.encoder).JSONEncoder(allow_nan=False).encode
# The last resort when even the failure record cannot be encoded (a hostile message or type).
_UNENCODABLE = (
    '{"ok": false, "type": "TypeError", "message": "the result could not be encoded as JSON",'
    ' "stack": ""}'
)


def _write(fd, text):
    data = (text + "\n").encode("utf-8", "replace")
    while data:
        data = data[_os_write(fd, data) :]


def _failure(exc, filename, code=None):
    try:
        message = str(exc)
    except BaseException:  # a hostile __str__ must not take the runner down
        message = "<unprintable %s>" % type(exc).__name__
    try:
        name = str(type(exc).__name__)
    except BaseException:
        name = "Exception"
    try:
        # Imported only for a failure (3 ms at start-up otherwise), from modules the script may
        # have changed: they format the script's own error, and if they fail the stack is empty.
        import linecache
        import traceback

        if code is not None:  # lets the stack show the script's source lines
            linecache.cache[filename] = (
                len(code),
                None,
                code.splitlines(True),
                filename,
            )
        # Start the stack at the script's first frame: the runner's (and asyncio's) frames
        # before it are noise to the script's author.
        t = exc.__traceback__
        while t is not None and t.tb_frame.f_code.co_filename != filename:
            t = t.tb_next
        stack = "".join(traceback.format_exception(type(exc), exc, t))
    except BaseException:  # traceback or linecache broken by the script: no stack then
        stack = ""
    return {"ok": False, "type": name, "message": message, "stack": stack}


def _usage():
    # self-reported; the gateway prefers the kernel's cgroup accounting where it has it
    try:
        me = _getrusage(resource.RUSAGE_SELF)
        kids = _getrusage(resource.RUSAGE_CHILDREN)
        cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
        return {"cpu_ms": int(cpu * 1000), "rss_kb": max(me.ru_maxrss, kids.ru_maxrss)}
    except BaseException:
        return {}


async def _await(awaitable):
    return await awaitable


def _call_main(fn, arg):
    code = getattr(fn, "__code__", None)
    # def main(): ... (no parameters) is called without the input
    if code is not None and code.co_argcount == 0 and not code.co_flags & 0x04:
        value = fn()
    else:
        value = fn(arg)
    if hasattr(value, "__await__"):
        import asyncio

        value = asyncio.run(_await(value))
    return value


def _line(record):
    """The record as one JSON line; a value that cannot be encoded is the script's TypeError."""
    try:
        return _encode(record)
    except BaseException as e:  # e is unbound after this block: keep what is needed
        why = _failure(e, "")
    try:
        why["message"] = "main() returned a value that is not JSON: %s" % why["message"]
        why["type"] = "TypeError"
        why["stack"] = ""
        why["usage"] = record.get("usage")
        return _encode(why)
    except BaseException:
        return _UNENCODABLE


def _flush_of(stream):
    try:
        return stream.flush
    except BaseException:
        return _no_flush


def _no_flush():
    pass


def _warm_up():
    # First calls pay for lazy set-up (the compiler's ~2.5 ms, getrusage's): a warm sandbox pays
    # here, before its script arrives.
    compile("def main(i):\n    return i\n", "<warm-up>", "exec")
    json.loads(_line({"ok": True, "value": [1, "x", None]}))
    _usage()


def main():
    _warm_up()
    fd = _os_open(_RESULT, os.O_WRONLY)
    _write(fd, "R")
    request = json.loads(sys.stdin.buffer.read())
    code, filename = request["code"], request.get("filename") or "script.py"
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    flushes = (sys.stdout.flush, sys.stderr.flush)
    sys.argv = [filename]
    module = type(sys)("script")
    module.__file__ = filename
    # the script sees (and may patch) the real builtins, not the runner's copy
    module.__builtins__ = builtins
    sys.modules["script"] = module
    plain = False
    try:
        try:
            exec(compile(code, filename, "exec"), module.__dict__)
        except SystemExit as e:
            # sys.exit() in a plain script ends it; a non-zero status is a failure
            if e.code not in (None, 0):
                raise
            plain = True
        fn = module.__dict__.get("main")
        if plain or not callable(fn):
            record = {"ok": True, "plain": True}
        else:
            record = {"ok": True, "value": _call_main(fn, request.get("input"))}
    except BaseException as e:
        try:
            record = _failure(e, filename, code)
        except BaseException:  # e.g. MemoryError again while formatting
            record = {"ok": False, "type": "MemoryError", "message": "", "stack": ""}
    record["usage"] = _usage()
    line = _line(record)
    # the script's own stdout objects (if it replaced them) first, then the originals
    for flush in (_flush_of(sys.stdout), _flush_of(sys.stderr)) + flushes:
        try:
            flush()
        except BaseException:
            pass
    # The gateway settles the run as soon as the answer arrives: closing the output first tells
    # it that the output is complete (unless a child of the script still holds it).
    for out in (1, 2):
        try:
            _os_close(out)
        except OSError:
            pass
    _write(fd, line)
    _os_exit(0 if line.startswith('{"ok": true') else 1)


main()
