"""The public API part of ``bench/RESULTS.md``: called by ``report.py`` with the parsed results.

Figures come from the ``api`` section of ``results.json`` (``ApiBench``): ``Invoke`` through
``braid serve``'s server against a direct gRPC server of the same language, in the same run;
the wording follows this run's figures (a target met is reported as met).
"""

from __future__ import annotations

from typing import Any

from report import div, get, ratio, us
from report_workflow import signed_us

TARGET_LATENCY_RATIO = 2.0

SECTION = "api"
LANGS = (
    ("python", "Python", "naive grpcio server"),
    ("node", "Node", "naive grpc-js server"),
)


def render(r: dict[str, Any]) -> list[str]:
    """The ``## Public API`` section, or nothing if the run had no API part."""
    if SECTION not in r and SECTION not in (r.get("errors") or {}):
        return []
    return ApiReport(r).render()


def times(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}×"


def verdict_ratio(q: float, limit: float) -> str:
    if q <= limit:
        return f"**met** ({limit / q:.1f}× under the limit)" if q > 0 else "**met**"
    return f"**missed**: {times(q)} instead of ≤ {limit:.0f}× ({q / limit:.2f}× the limit)"


class ApiReport:
    def __init__(self, r: dict[str, Any]) -> None:
        self.r = r
        self.a = r.get(SECTION) or {}

    def _l(self, lang: str) -> dict[str, Any]:
        return self.a.get(lang) or {}

    def render(self) -> list[str]:
        a = self.a
        out = [
            "",
            "## Public API (`braid serve`)",
            "",
            "`Invoke` (service `braid.api.v1.Braid`) through `BraidServer`, started in the bench"
            " JVM on 127.0.0.1 with a bearer token over a Braid with one Python and one Node"
            f" worker, calling the trivial `echo` (`{a.get('python_function', '?')}`,"
            f" `{a.get('node_function', '?')}`) with `{a.get('payload', '?')}`; beside it, in the"
            " same run, a direct gRPC server in the same language: the naive echo servers of the"
            " sections above (one unary method, identity serializers), here on TCP loopback too."
            " One client for both: grpc-java Netty channels, plaintext, responses handled on the"
            " I/O thread. Latency: sequential calls on one channel, in"
            f" {a.get('latency_rounds', '?')} interleaved round(s) of the four systems after a"
            f" warm-up. Throughput: {a.get('in_flight', 32)} calls in flight from one thread,"
            f" spread round-robin over {a.get('clients', 32)} channels (one HTTP/2 connection"
            " each: many concurrent clients), interleaved rounds, the best counts.",
        ]
        if a:
            out += self.headline() + self.targets() + self.details() + self.observations()
        if SECTION in (self.r.get("errors") or {}):
            out += ["", f"Section `{SECTION}` failed; see [Errors](#errors)."]
        return out

    def headline(self) -> list[str]:
        out = [
            "",
            "### Headline figures (API)",
            "",
            "| | direct server p50 / p99 | **`Invoke`** p50 / p99 | Invoke ÷ direct, p50 |"
            " direct calls/s | **`Invoke`** calls/s | Invoke ÷ direct, calls/s |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for lang, label, direct in LANGS:
            lg = self._l(lang)
            d = get(lg, "direct", "latency") or {}
            b = get(lg, "braid", "latency") or {}
            dt = get(lg, "direct", "throughput", "calls_per_s")
            bt = get(lg, "braid", "throughput", "calls_per_s")
            if not (d or b):
                continue
            out.append(
                f"| {label} ({direct} vs Braid → {label}) |"
                f" {us(d.get('p50_us'))} / {us(d.get('p99_us'))} |"
                f" **{us(b.get('p50_us'))}** / {us(b.get('p99_us'))} |"
                f" {times(div(b.get('p50_us'), d.get('p50_us')))} |"
                f" {'—' if dt is None else f'{dt:,.0f}'} |"
                f" **{'—' if bt is None else f'{bt:,.0f}'}** | {ratio(div(bt, dt))} |"
            )
        return out

    def targets(self) -> list[str]:
        out = [
            "",
            "### Targets for the API (from the issue)",
            "",
            "| target | measured | verdict |",
            "|---|---|---|",
        ]
        for lang, label, _ in LANGS:
            lg = self._l(lang)
            d = get(lg, "direct", "latency", "p50_us")
            b = get(lg, "braid", "latency", "p50_us")
            q = div(b, d)
            if q is None:
                continue
            out.append(
                f"| the gateway hop costs ≤ {TARGET_LATENCY_RATIO:.0f}× a direct call in latency"
                f" ({label}, p50) | {times(q)} ({us(b)} vs {us(d)}) |"
                f" {verdict_ratio(q, TARGET_LATENCY_RATIO)} |"
            )
        return out

    def details(self) -> list[str]:
        out = [
            "",
            "### Details (API)",
            "",
            "| system | samples | min | p50 | p90 | p99 | p99.9 | max |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        rows = []
        for lang, label, direct in LANGS:
            rows.append((f"{direct}, TCP", get(self._l(lang), "direct")))
            rows.append((f"`Invoke` → {label} `echo`", get(self._l(lang), "braid")))
        for label, node in rows:
            lat = (node or {}).get("latency")
            if lat:
                out.append(
                    f"| {label} | {lat['count']:,} | {us(lat['min_us'])} | {us(lat['p50_us'])} |"
                    f" {us(lat['p90_us'])} | {us(lat['p99_us'])} | {us(lat['p999_us'])} |"
                    f" {us(lat['max_us'])} |"
                )
        out += [
            "",
            "| system | in flight | round | calls/s |",
            "|---|---:|---:|---:|",
        ]
        for label, node in rows:
            for row in (node or {}).get("throughput_tried") or []:
                text = f"{row['calls_per_s']:,.0f}"
                if row.get("errors"):
                    text += f" ({row['errors']:,} failed)"
                out.append(f"| {label} | {row['window']} | {row.get('round', 1)} | {text} |")
        return out

    def observations(self) -> list[str]:
        out = ["", "### What the gateway hop costs in this run", ""]
        for lang, label, direct in LANGS:
            lg = self._l(lang)
            d = get(lg, "direct", "latency", "p50_us")
            b = get(lg, "braid", "latency", "p50_us")
            dt = get(lg, "direct", "throughput", "calls_per_s")
            bt = get(lg, "braid", "throughput", "calls_per_s")
            if d is None or b is None:
                continue
            text = (
                f"**{label}.** `Invoke` adds {signed_us(b - d)} per sequential call (p50) to"
                f" what the {direct} takes for the same echo: the client's call to the gateway"
                " (token check, admission, JSON), then the gateway's call into the worker over"
                " its own gRPC stream, where the direct server answers at once."
            )
            if dt and bt:
                text += (
                    f" With {self.a.get('in_flight', 32)} in flight, `Invoke` completes"
                    f" {bt:,.0f} calls/s against {dt:,.0f}/s direct ({ratio(bt / dt)})."
                )
            out += [text, ""]
        return out
