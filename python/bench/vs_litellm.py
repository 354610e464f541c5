#!/usr/bin/env python3
"""This package against LiteLLM's wildcard routing, side by side on the crate's benchmark
workloads: the answers compared query by query, the time per query measured in one run.

    python python/bench/vs_litellm.py [--sizes 20,1000,100000] [--rounds 5]

needs the package and `litellm` (python/requirements-test.txt pins it) in the running
Python, and cargo to generate the workloads (`benches/workload.rs`: the rows and query mixes
of the `resolve` bench). It writes target/model-alias-litellm.json, which
scripts/benchmarks.py renders into BENCHMARKS.md.

LiteLLM resolves a requested model in two steps, and `LiteLLMSide` does the same with the
same rows: a model_name equal to the request (the Router's exact lookup), else the first of
PatternMatchRouter's patterns, in its order, that `re.match`es the request. An exact row is a
model_name; a prefix row `name` is the wildcard route `name*`, its target the deployment's
model (a target ending in `*` receives what the route's `*` matched).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network fetch on import

import litellm  # noqa: E402
from litellm.router_utils.pattern_match_deployments import PatternMatchRouter, PatternUtils  # noqa: E402

from model_alias import AliasSet, SetError  # noqa: E402

litellm.suppress_debug_info = True
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "target" / "model-alias-litellm.json"
# Past this many patterns LiteLLM's add_pattern (a sort of every pattern on each add) takes
# minutes; larger routers are built with the one sort that gives the same order.
ADD_PATTERN_UP_TO = 2_000


class LiteLLMSide:
    """LiteLLM's answer for `rows`: (model to send, rule, alias name), as the package answers."""

    def __init__(self, rows, add_pattern_up_to=ADD_PATTERN_UP_TO):
        self.exact = {r["name"]: r["target"] for r in rows if r.get("match", "exact") == "exact"}
        self.router = PatternMatchRouter()
        prefix = [r for r in rows if r.get("match") == "prefix"]
        deployments = [{"model_name": r["name"] + "*", "litellm_params": {"model": r["target"]}} for r in prefix]
        if len(deployments) <= add_pattern_up_to:
            for d in deployments:
                self.router.add_pattern(d["model_name"], d)
            self.built_by = "add_pattern"
        else:
            by_regex = {self.router.pattern_to_regex(d["model_name"]): [d] for d in deployments}
            self.router.patterns = dict(PatternUtils.sorted_patterns(by_regex))
            self.built_by = "one sort"

    def resolve(self, model):
        if model in self.exact:
            return self.exact[model], "exact", model
        return self.routed(self.router.route(model), model)

    def resolve_with_provider(self, model):
        """What the Router's `get_deployments_by_pattern` adds: a miss is tried again as
        `{inferred provider}/{model}`."""
        if model in self.exact:
            return self.exact[model], "exact", model
        return self.routed(self.router.get_pattern(model), model)

    @staticmethod
    def routed(deployments, model):
        if not deployments:
            return model, "passthrough", None
        first = deployments[0]
        return first["litellm_params"]["model"], "prefix", first["model_name"][:-1]


def workload(size, release=True):
    """The `resolve` bench's rows and query mixes for `size` aliases (benches/workload.rs)."""
    profile = ["--release"] if release else []
    command = ["cargo", "run", "--quiet", *profile, "-p", "model-alias-benches", "--example", "workload", "--", str(size)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def ours(rows):
    return AliasSet(rows, max_aliases=max(len(rows), 20))


def compare(resolve_a, resolve_b, queries):
    """The queries on which two resolvers differ, with both answers."""
    out = []
    for q in queries:
        a, b = resolve_a(q), resolve_b(q)
        if a != b:
            out.append({"model": q, "ours": list(a), "litellm": list(b)})
    return out


def answer(aliases):
    def resolve(model):
        r = aliases.resolve(model)
        return r.model, r.rule, r.alias

    return resolve


def per_query_ns(resolve, queries, rounds, budget_s):
    """The median over rounds of one round's time divided by its queries; fewer rounds when
    one round passes `budget_s`."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for q in queries:
            resolve(q)
        times.append((time.perf_counter_ns() - start) / len(queries))
        if sum(times) * len(queries) / 1e9 > budget_s:
            break
    return statistics.median(times)


def timed_ms(make):
    start = time.perf_counter()
    value = make()
    return value, (time.perf_counter() - start) * 1e3


def run_size(size, rounds):
    work = workload(size)
    rows = work["rows"]
    aliases, ours_ms = timed_ms(lambda: ours(rows))
    theirs, theirs_ms = timed_ms(lambda: LiteLLMSide(rows))
    mixes = {m["name"]: m["queries"] for m in work["mixes"]}
    queries = [q for m in work["mixes"] for q in m["queries"]]
    differ = compare(answer(aliases), theirs.resolve, queries)
    mixed = mixes["mixed"]
    ours_ns = per_query_ns(answer(aliases), mixed, rounds * 20, 5)
    theirs_ns = per_query_ns(theirs.resolve, mixed, rounds, 60)
    return {
        "size": size,
        "patterns": sum(r.get("match") == "prefix" for r in rows),
        "exact": sum(r.get("match", "exact") == "exact" for r in rows),
        "queries": len(queries),
        "disagreements": differ,
        "timed_queries": len(mixed),
        "ours_ns": ours_ns,
        "litellm_ns": theirs_ns,
        "ours_build_ms": ours_ms,
        "litellm_build_ms": theirs_ms,
        "litellm_built_by": theirs.built_by,
    }


# Rows and requests outside the generated workloads, each showing where the two differ and why,
# LiteLLM's answer the Router's (`get_deployments_by_pattern`, provider retry included).
PROBE_ROWS = [
    {"name": "claude-opus", "target": "anthropic/claude-opus-4-8", "match": "prefix"},
    {"name": "claude-", "target": "anthropic/claude-*", "match": "prefix"},
    {"name": "oai/", "target": "openai/*", "match": "prefix"},
    {"name": "openai/", "target": "openai/*", "match": "prefix"},
    {"name": "fast", "target": "deepseek/deepseek-chat"},
]
PROBES = [
    ("a carried rest with a line feed", "oai/gpt-4o\nignored", "re_match_dot"),
    ("a carried rest after a line feed", "claude-\nsonnet-4-5", "re_match_dot"),
    ("a rest that is only a line feed", "oai/\n", "re_match_dot"),
    ("a rest with a carriage return", "oai/gpt-4o\r", None),
    ("a name is a prefix of itself", "claude-opus", None),
    ("longest prefix", "claude-opus-4-9", None),
    ("a passthrough that names a provider's model", "gpt-4o", "provider_retry"),
]
# Why answers differ, by the name a probe gives its reason.
REASONS = {
    "re_match_dot": "LiteLLM turns each `*` into the group `(.*)` and matches with `re.match`, whose `.` "
    "stops at a line feed: the rest a `*` target carries is cut at the first `\\n`, without an error. "
    "The package carries the rest byte for byte.",
    "provider_retry": "The Router's `get_deployments_by_pattern` tries a request no route matches again "
    "as `{provider}/{model}`, with the provider LiteLLM infers from the name, so an `openai/*` route "
    "also takes a bare `gpt-4o`. The package passes an unmatched name through unchanged.",
}
# Routes LiteLLM accepts that the package refuses, with the package's message.
REFUSED = ["*", "*-latest", "claude-*-thinking"]


def probes():
    aliases = AliasSet(PROBE_ROWS)
    theirs = LiteLLMSide(PROBE_ROWS)
    out = []
    for why, model, reason in PROBES:
        a = answer(aliases)(model)
        b = theirs.resolve_with_provider(model)
        out.append({"why": why, "model": model, "ours": list(a), "litellm": list(b), "reason": reason})
    refused = []
    for name in REFUSED:
        try:
            AliasSet.from_json(json.dumps({name: "openai/gpt-4o"}))
            refused.append({"route": name, "message": None})
        except SetError as e:
            refused.append({"route": name, "message": e.problems[0]["message"]})
    return out, refused


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20,1000,100000")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    for size in sizes:
        print(f"{size} aliases ...", file=sys.stderr)
        results.append(run_size(size, args.rounds))
    found, refused = probes()
    report = {
        "litellm": version("litellm"),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "sizes": results,
        "probes": found,
        "refused": refused,
        "probe_rows": PROBE_ROWS,
        "reasons": REASONS,
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1))
    for r in results:
        print(f"{r['size']:>7} aliases: {len(r['disagreements'])} of {r['queries']} differ; "
              f"{r['ours_ns']:.0f} ns vs {r['litellm_ns']:.0f} ns a query", file=sys.stderr)
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
