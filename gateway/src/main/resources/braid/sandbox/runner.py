"""Braid sandbox runner for Python scripts (stdlib only; runs as python3 -I -S -B).

Protocol: open the result channel (argv[1], /run/braid/result inside the sandbox) and write
"R" (ready); read ONE JSON request {"code", "filename", "input"} from stdin until EOF (a warm
sandbox blocks here); run the script; close stdout and stderr; write ONE JSON line to the channel:
{"ok": true, "value": V} when the script defines main(input) (sync or async),
{"ok": true, "plain": true} for a plain script (its stdout is the result), or
{"ok": false, "type", "message", "stack"} when it raised. Then exit at once: nothing the
script left behind (threads, children) outlives the answer.
"""

import json
import os
import sys

try:  # imported before the request arrives: a warm sandbox has it ready
    import resource
except ImportError:  # pragma: no cover - every Linux Python has it
    resource = None

_RESULT = sys.argv[1] if len(sys.argv) > 1 else "/run/braid/result"


def _write(fd, text):
    data = (text + "\n").encode("utf-8", "replace")
    while data:
        data = data[os.write(fd, data) :]


def _failure(exc, filename, code=None):
    import linecache
    import traceback

    if code is not None:  # lets the stack show the script's source lines
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)

    tb = exc.__traceback__
    # Start the stack at the script's first frame: the runner's (and asyncio's) frames
    # before it are noise to the script's author.
    t = tb
    while t is not None and t.tb_frame.f_code.co_filename != filename:
        t = t.tb_next
    stack = "".join(traceback.format_exception(type(exc), exc, t))
    try:
        message = str(exc)
    except BaseException:  # a hostile __str__ must not take the runner down
        message = "<unprintable %s>" % type(exc).__name__
    return {"ok": False, "type": type(exc).__name__, "message": message, "stack": stack}


def _usage():
    # self-reported; the gateway prefers the kernel's cgroup accounting where it has it
    try:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
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


def _warm_up():
    # First calls pay for lazy set-up (the compiler's ~2.5 ms, getrusage's): a warm sandbox pays
    # here, before its script arrives.
    compile("def main(i):\n    return i\n", "<warm-up>", "exec")
    json.loads(json.dumps({"ok": True, "value": [1, "x", None]}))
    _usage()


def main():
    _warm_up()
    fd = os.open(_RESULT, os.O_WRONLY)
    _write(fd, "R")
    request = json.loads(sys.stdin.buffer.read())
    code, filename = request["code"], request.get("filename") or "script.py"
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    sys.argv = [filename]
    module = type(sys)("script")
    module.__file__ = filename
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
            value = _call_main(fn, request.get("input"))
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError) as e:
                raise TypeError("main() returned a value that is not JSON: %s" % e) from None
            record = {"ok": True, "value": value}
    except BaseException as e:
        try:
            record = _failure(e, filename, code)
        except BaseException:  # e.g. MemoryError again while formatting
            record = {"ok": False, "type": type(e).__name__, "message": "", "stack": ""}
    record["usage"] = _usage()
    try:
        line = json.dumps(record, allow_nan=False)
    except (TypeError, ValueError):
        line = json.dumps(_failure(TypeError("result is not JSON"), filename))
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:
            pass
    # The gateway settles the run as soon as the answer arrives: closing the output first tells
    # it that the output is complete (unless a child of the script still holds it).
    for out in (1, 2):
        try:
            os.close(out)
        except OSError:
            pass
    _write(fd, line)
    os._exit(0 if record["ok"] else 1)


main()
