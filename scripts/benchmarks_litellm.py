"""BENCHMARKS.md's section on LiteLLM's wildcard routing, from the file
python/bench/vs_litellm.py writes (target/model-alias-litellm.json)."""

import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RESULT = os.path.join(ROOT, "target", "model-alias-litellm.json")


def fmt_ms(ms):
    return f"{ms / 1e3:.1f} s" if ms >= 1e3 else f"{ms:.1f} ms" if ms >= 1 else f"{ms * 1e3:.0f} µs"


def shown(text):
    """A model as code, its control characters escaped."""
    return "`" + json.dumps(text)[1:-1] + "`"


def section(fmt_ns):
    """The section's text, times written by `fmt_ns`."""
    if not os.path.exists(RESULT):
        return "_Not measured in this run: `python python/bench/vs_litellm.py` writes it._\n"
    with open(RESULT) as f:
        run = json.load(f)
    lines = [
        f"`python/bench/vs_litellm.py` (litellm {run['litellm']}, CPython {run['python']}, {run['date']}): "
        "LiteLLM's `PatternMatchRouter` beside this package's `AliasSet`, on the rows and queries of the "
        "`resolve` bench (`benches/workload.rs` prints them). An exact row is a LiteLLM model_name, looked "
        "up first as the Router does; a prefix row `name` is the wildcard route `name*`. Every query of "
        "every mix is compared; the time is the median over rounds of the `mixed` mix's 64 queries, per "
        "query, both sides called from Python in the same run (this package's time is mostly the call "
        "from Python and the `Resolution` object it returns; the resolution itself is the tens of "
        "nanoseconds above). Build is each side's construction from the rows.\n",
        "| aliases | wildcard routes | exact names | queries compared | answers that differ "
        "| this package | LiteLLM | LiteLLM's time / this package's | build: this package | build: LiteLLM |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in run["sizes"]:
        built = fmt_ms(s["litellm_build_ms"])
        if s["litellm_built_by"] != "add_pattern":
            built += " (one sort)"
        lines.append(
            f"| {s['size']:,} | {s['patterns']:,} | {s['exact']:,} | {s['queries']:,} | {len(s['disagreements'])} "
            f"| {fmt_ns(s['ours_ns'])} | {fmt_ns(s['litellm_ns'])} | {s['litellm_ns'] / s['ours_ns']:,.0f}× "
            f"| {fmt_ms(s['ours_build_ms'])} | {built} |"
        )
    lines.append(
        "\nLiteLLM tries its patterns in order with `re.match`, so a query costs more the more routes there "
        "are, and past the 512 patterns Python's `re` module keeps compiled, each try compiles again. Its "
        "`add_pattern` sorts every pattern on each add; a build marked *one sort* sorts them once, which "
        "gives the same order (`python/tests/test_litellm.py` checks it at 1,000): adding them one by one "
        "costs the square of the routes times a log, minutes at that size.\n"
    )
    lines.append(
        "**Precedence.** LiteLLM sorts patterns by the length of their regex, longest first. Two routes "
        "`a*` and `ab*` that both match a request are nested, and the longer one has the longer regex, so "
        "for `prefix*` routes its order is longest prefix: no answer on the workloads differs. Its order "
        "can pick a shorter match only among routes with a `*` elsewhere than at the end, which the "
        "package refuses:\n"
    )
    for r in run["refused"]:
        lines.append(f"- `{r['route']}`: {r['message']}")
    lines.append(
        "\n**Where the answers differ.** Requests outside the workloads, against routes "
        + ", ".join(f"`{r['name']}*` → `{r['target']}`" for r in run["probe_rows"] if r.get("match") == "prefix")
        + " (LiteLLM's answer through the Router's `get_deployments_by_pattern`):\n"
    )
    lines.append("| request | this package sends | LiteLLM sends | why |")
    lines.append("|---|---|---|---|")
    for p in run["probes"]:
        why = p["reason"] or "the same"
        lines.append(f"| {shown(p['model'])} | {shown(p['ours'][0])} | {shown(p['litellm'][0])} | {why} |")
    lines.append("")
    for name, text in run["reasons"].items():
        lines.append(f"- `{name}`: {text}")
    return "\n".join(lines) + "\n"
