"""BENCHMARKS.md's section on what the gateway adds to a request, from the file
scripts/overhead.py writes (target/model-alias-overhead.json)."""

import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RESULT = os.path.join(ROOT, "target", "model-alias-overhead.json")
# The targets at 3,000 requests/s on a 2-core machine.
TARGET_RATE = 3000
TARGETS = {"overhead_p50_us": 300, "overhead_p99_us": 1500, "cpu_us": 80, "alias_cpu_share": 0.05}


def ms(us):
    return f"{us / 1e3:.2f} ms"


def verdict(value, limit):
    return "met" if value <= limit else "missed"


def per_round(run):
    """The alias layer's CPU share in each round at the target rate: how far rounds disagree."""
    cpu = {c: [r["cpu_us"] for r in run["runs"] if r["rate"] == TARGET_RATE and r["config"] == c]
           for c in ("aliases", "no-aliases")}
    return ", ".join(f"{100 * (a / n - 1):+.1f}%" for a, n in zip(cpu["aliases"], cpu["no-aliases"]))


def section():
    if not os.path.exists(RESULT):
        return "_Not measured in this run: `python3 scripts/overhead.py` writes it._\n"
    with open(RESULT) as f:
        run = json.load(f)
    st = run["settings"]
    lines = [
        f"`python3 scripts/overhead.py` ({st['oha']}, {st['date']}; {st['rounds']} rounds of {st['seconds']:.0f} s "
        f"at each rate, {st['connections']} connections, {st['cores']} cores; medians of the rounds). The same "
        f"{st['body_bytes']}-byte chat request at a fixed rate, with oha's latency correction, to the gateway's "
        "echo upstream directly, through a gateway with a key of "
        f"{st['aliases']} aliases (`{st['model']}` resolved by a prefix alias, the body rewritten) and through the "
        "same gateway with `--no-aliases`. Each gateway is its own process on a SQLite store, so its CPU "
        "(user + system from `/proc`, per request) is its own; the load tool and the upstream share the "
        "same cores. Overhead is through minus direct, within each round.\n",
        "| rate | config | p50 | p99 | overhead p50 | overhead p99 | gateway CPU / request | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in run["summary"]:
        for config in ("direct", "aliases", "no-aliases"):
            r = row[config]
            if config == "direct":
                over = ("", "")
            elif config == "aliases":
                over = (ms(row["overhead_p50_us"]), ms(row["overhead_p99_us"]))
            else:
                over = (ms(row["overhead_no_aliases_p50_us"]), ms(row["overhead_no_aliases_p99_us"]))
            cpu = f"{r['cpu_us']:.0f} µs" if "cpu_us" in r else ""
            lines.append(f"| {row['rate']:,}/s | {config} | {ms(r['p50_us'])} | {ms(r['p99_us'])} | {over[0]} "
                         f"| {over[1]} | {cpu} | {r['errors']} |")
    at = next((row for row in run["summary"] if row["rate"] == TARGET_RATE), None)
    if at:
        checks = [
            ("overhead at p50", ms(at["overhead_p50_us"]), verdict(at["overhead_p50_us"], TARGETS["overhead_p50_us"]),
             ms(TARGETS["overhead_p50_us"])),
            ("overhead at p99", ms(at["overhead_p99_us"]), verdict(at["overhead_p99_us"], TARGETS["overhead_p99_us"]),
             ms(TARGETS["overhead_p99_us"])),
            ("gateway CPU a request", f"{at['aliases']['cpu_us']:.0f} µs",
             verdict(at["aliases"]["cpu_us"], TARGETS["cpu_us"]), f"{TARGETS['cpu_us']} µs"),
            ("CPU the alias layer adds", f"{100 * at['alias_cpu_share']:+.1f}% (rounds: {per_round(run)})",
             verdict(at["alias_cpu_share"], TARGETS["alias_cpu_share"]), f"{100 * TARGETS['alias_cpu_share']:.0f}%"),
        ]
        lines.append(f"\nTargets at {TARGET_RATE:,} requests/s, with aliases:\n")
        lines.append("| target | measured | at most | |")
        lines.append("|---|---|---|---|")
        for name, value, result, limit in checks:
            lines.append(f"| {name} | {value} | {limit} | {result} |")
    return "\n".join(lines) + "\n"
