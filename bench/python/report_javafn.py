"""The Java functions part of ``bench/RESULTS.md``: called by ``report.py`` with the results.

Figures come from the ``java_fn`` section of ``results.json`` (``JavaFnBench``): the same trivial
Java function called in process and in a Java worker process, in the same run.
"""

from __future__ import annotations

from typing import Any

from report import div, get, rate, us

SECTION = "java_fn"
MODES = (("in_process", "in process"), ("process", "Java worker process"))


def render(r: dict[str, Any]) -> list[str]:
    """The ``## Java functions`` section, or nothing if the run had no such part."""
    if SECTION not in r:
        return []
    j = r[SECTION]
    out = [
        "",
        "## Java functions: in process vs worker process",
        "",
        f"`{j.get('function', '?')}` (returns its argument) called with `{j.get('payload', '?')}`"
        " through the Java API, on two Braids in the same run: one with the function in the"
        " gateway's JVM (`javaInProcess(true)`: the local CLI, `braid serve --java-in-process`),"
        " one with it in a Java worker process (`braid serve`'s default, which a function's"
        " `System.exit` cannot take down). Sequential latency one call at a time after a warm-up;"
        " throughput with a window of calls in flight, best of the rounds.",
        "",
        "| | " + " | ".join(label for _, label in MODES) + " | process ÷ in process |",
        "|---|---|---|---|",
    ]
    for key, label in (("p50_us", "latency p50"), ("p99_us", "latency p99")):
        a = get(j, "in_process", "latency", key)
        b = get(j, "process", "latency", key)
        q = div(b, a)
        out.append(f"| {label} | {us(a)} | {us(b)} | {'—' if q is None else f'{q:.1f}×'} |")
    a = get(j, "in_process", "throughput", "calls_per_s")
    b = get(j, "process", "throughput", "calls_per_s")
    q = div(b, a)
    wa = get(j, "in_process", "throughput", "window")
    wb = get(j, "process", "throughput", "window")
    out.append(
        f"| throughput (best window: {wa} / {wb} in flight) | {rate(a)} | {rate(b)} |"
        f" {'—' if q is None else f'{q:.2f}×'} |"
    )
    out += ["", "Every throughput phase:", "", "| mode | in flight | round | calls/s |"]
    out.append("|---|---|---|---|")
    for key, label in MODES:
        for t in get(j, key, "throughput_tried") or []:
            out.append(
                f"| {label} | {t.get('window')} | {t.get('round')} | {rate(t.get('calls_per_s'))} |"
            )
    return out
