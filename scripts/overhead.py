#!/usr/bin/env python3
"""What the gateway adds to a request at fixed rates, measured the way other gateways publish
it: latency beside a direct call to the same upstream, and the gateway's CPU per request.

    python3 scripts/overhead.py [--rates 1000,3000] [--seconds 10] [--rounds 3] [--connections 32]
                                [--gateway BINARY] [--out FILE]
    python3 scripts/overhead.py --smoke

Builds the gateway (release) and installs the load tool oha (`cargo install --locked oha
--root target/tools`) if it is missing. One gateway process started with --demo serves only
as the upstream: its built-in echo, called directly. Two more gateways, each a process of its
own on a SQLite store, forward to that echo with one key of 20 aliases: one resolving aliases,
one with --no-aliases. For each round and rate, oha sends the same chat request at the fixed
rate (with --latency-correction, so a stall counts against the requests it delays; requests
in flight at the end are waited for) for --seconds to each of the three in turn:

- direct: the echo upstream itself;
- aliases: through the gateway, the model resolved by a prefix alias and the body rewritten;
- no-aliases: through the gateway with --no-aliases, the body forwarded untouched.

Reported: p50 and p99 latency of each, the gateway's overhead (through minus direct, per
round), the alias layer's own cost (aliases minus no-aliases), and the gateway process's CPU
time per request (user + system, from /proc/PID/stat, over the run's requests). Writes
target/model-alias-overhead.json, which scripts/benchmarks.py puts in BENCHMARKS.md. With
--gateway, another build of the gateway is measured (nothing is built), and --out writes the
results elsewhere: to compare two builds on one machine.

The echo upstream is a process of its own, and its CPU per request is reported too: it serves
the same request with the same HTTP stack, so it shows what one side of a proxy costs here.

--smoke is CI's check that the harness works: one round of 2 s at 200 req/s, written to
target/model-alias-overhead-smoke.json (never the figures BENCHMARKS.md is made from). It
fails, before writing anything, if any request fails, if a configuration's CPU cannot be read, or if the model the
upstream saw is not what each configuration should send: the alias's target through the
gateway with aliases, the name as sent through the one without.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "target", "model-alias-overhead.json")
BINARY = os.path.join(ROOT, "target", "release", "gateway")
TOOLS = os.path.join(ROOT, "target", "tools")
ADMIN_TOKEN = "overhead-check-admin-token"
MODEL = "claude-opus-4-9"
BODY = json.dumps({
    "model": MODEL,
    "messages": [{"role": "user", "content": "Say hello in one short sentence."}],
    "max_tokens": 16,
    "temperature": 0.7,
})
# A key's 20 aliases, exact and prefix, as a team would have them; MODEL matches the longest
# of three nested prefixes.
ALIASES = [
    {"name": "claude", "target": "anthropic/claude-sonnet-4-5", "match": "prefix"},
    {"name": "claude-opus", "target": "anthropic/claude-opus-4-8", "match": "prefix"},
    {"name": "claude-opus-4-", "target": "anthropic/claude-opus-4-8", "match": "prefix"},
    {"name": "oai/", "target": "openai/*", "match": "prefix"},
    {"name": "fast", "target": "deepseek/deepseek-chat"},
    {"name": "pro", "target": "anthropic/claude-opus-4-8"},
] + [{"name": f"team-model-{i}", "target": "openai/gpt-4o-mini"} for i in range(14)]
CONFIGS = ["direct", "aliases", "no-aliases"]


def oha():
    found = shutil.which("oha") or os.path.join(TOOLS, "bin", "oha")
    if not os.path.exists(found):
        print("installing oha into target/tools (about 2 minutes)", file=sys.stderr)
        subprocess.run(["cargo", "install", "--locked", "--quiet", "oha", "--root", TOOLS], check=True)
    return found


def start(args, env=None):
    """A gateway process and the first line it prints (the address, and its upstream)."""
    process = subprocess.Popen([BINARY, "--listen", "127.0.0.1:0", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=env)
    line = process.stdout.readline()
    if "listening on http://" not in line:
        process.kill()
        sys.exit(f"the gateway did not start: {line!r}")
    return process, line


def admin(url, method, path, body):
    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode(), method=method, headers={
        "Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def gateway(upstream, mode):
    """A gateway forwarding to `upstream`, with a key of ALIASES: (process, url, secret)."""
    database = os.path.join(ROOT, "target", f"overhead-{mode}.db")
    for leftover in (database, database + "-wal", database + "-shm"):
        if os.path.exists(leftover):
            os.remove(leftover)
    flags = ["--upstream", upstream, "--database", f"sqlite://{database}"]
    if mode == "no-aliases":
        flags.append("--no-aliases")
    process, line = start(flags, env=dict(os.environ, MODEL_ALIAS_ADMIN_TOKEN=ADMIN_TOKEN))
    url = line.split("listening on ", 1)[1].split()[0]
    key = admin(url, "POST", "/admin/keys", {"name": "overhead"})
    admin(url, "PUT", f"/admin/keys/{key['id']}/aliases", {"aliases": ALIASES})
    return process, url, key["secret"]


def cpu_seconds(pid):
    """User plus system CPU time of a process, all its threads, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(tool, url, secret, rate, seconds, connections):
    command = [tool, "--no-tui", "--output-format", "json", "-z", f"{seconds}s", "-c", str(connections),
               "-q", str(rate), "--latency-correction", "-w", "-m", "POST", "-T", "application/json", "-d", BODY]
    if secret:
        command += ["-H", f"Authorization: Bearer {secret}"]
    done = subprocess.run(command + [f"{url}/v1/chat/completions"], capture_output=True, text=True, check=True,
                          timeout=seconds + 60)
    return json.loads(done.stdout)


def run_one(tool, target, rate, a):
    """One timed run against `target` (name, url, secret, process or None)."""
    name, url, secret, process = target
    before = cpu_seconds(process.pid) if process else None
    result = load(tool, url, secret, rate, a.seconds, a.connections)
    codes = result.get("statusCodeDistribution", {})
    ok = codes.get("200", 0)
    errors = sum(n for code, n in codes.items() if code != "200") + sum(result.get("errorDistribution", {}).values())
    cpu_us = None
    if ok:
        cpu_us = (cpu_seconds(process.pid) - before) * 1e6 / (ok + errors)
    percentiles = result["latencyPercentiles"]
    return {"config": name, "rate": rate, "requests": ok, "errors": errors,
            "error_kinds": {**result.get("errorDistribution", {}), **{c: n for c, n in codes.items() if c != "200"}},
            "rps": result["summary"]["requestsPerSec"],
            "p50_us": percentiles["p50"] * 1e6, "p99_us": percentiles["p99"] * 1e6, "cpu_us": cpu_us}


def upstream_model(url, secret):
    """The model the upstream was sent for BODY: the echo answers with the model it received."""
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    request = urllib.request.Request(f"{url}/v1/chat/completions", data=BODY.encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["model"]


def smoke_failures(targets, runs):
    """What --smoke found wrong: failed requests, unread CPU, or a configuration that sent the
    upstream another model than it should."""
    failures = [f"{r['config']} at {r['rate']}/s: {r['errors']} failed requests ({r['error_kinds']})"
                for r in runs if r["errors"] or not r["requests"]]
    failures += [f"{r['config']}: no CPU time read" for r in runs if r["cpu_us"] is None]
    alias = next(a for a in ALIASES if a["name"] == "claude-opus-4-")
    want = {"direct": MODEL, "aliases": alias["target"], "no-aliases": MODEL}
    for name, url, secret, _ in targets:
        got = upstream_model(url, secret)
        if got != want[name]:
            failures.append(f"{name}: the upstream was sent {got!r}, not {want[name]!r}")
    return failures


def summarise(runs, rates):
    out = []
    for rate in rates:
        per = {c: [r for r in runs if r["rate"] == rate and r["config"] == c] for c in CONFIGS}
        row = {"rate": rate}
        for c in CONFIGS:
            row[c] = {k: statistics.median(r[k] for r in per[c]) for k in ("p50_us", "p99_us", "rps")}
            row[c]["errors"] = sum(r["errors"] for r in per[c])
            row[c]["cpu_us"] = statistics.median(r["cpu_us"] for r in per[c])
        # Differences within each round (the configurations of a round ran back to back).
        for q in ("p50_us", "p99_us"):
            row[f"overhead_{q}"] = statistics.median(
                g[q] - d[q] for g, d in zip(per["aliases"], per["direct"]))
            row[f"overhead_no_aliases_{q}"] = statistics.median(
                g[q] - d[q] for g, d in zip(per["no-aliases"], per["direct"]))
        row["alias_cpu_share"] = statistics.median(
            g["cpu_us"] / n["cpu_us"] - 1 for g, n in zip(per["aliases"], per["no-aliases"]))
        out.append(row)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rates", default="1000,3000")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--gateway", help="a gateway binary to measure instead of building this one")
    p.add_argument("--out", default=OUT)
    p.add_argument("--smoke", action="store_true",
                   help="CI's check: one short round at 200 req/s, failing on any error (not for figures)")
    a = p.parse_args()
    if a.smoke:
        a.rates, a.seconds, a.rounds, a.out = "200", 2.0, 1, OUT.replace(".json", "-smoke.json")
    rates = [int(r) for r in a.rates.split(",")]
    global BINARY
    if a.gateway:
        BINARY = os.path.abspath(a.gateway)
    else:
        subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "model-alias-gateway", "--bin", "gateway"],
                       cwd=ROOT, check=True)
    tool = oha()
    echo, line = start(["--demo", "--database", "sqlite://" + os.path.join(ROOT, "target", "overhead-echo.db")])
    processes = [echo]
    try:
        upstream = line.split("(upstream ", 1)[1].split(")")[0]
        targets = [("direct", upstream, None, echo)]
        for mode in ("aliases", "no-aliases"):
            process, url, secret = gateway(upstream, mode)
            processes.append(process)
            targets.append((mode, url, secret, process))
        for target in targets:  # warm-up: connections, caches, the key's aliases loaded
            load(tool, target[1], target[2], 500, 1, a.connections)
        runs = []
        for round_ in range(a.rounds):
            for rate in rates:
                for target in targets:
                    run = run_one(tool, target, rate, a)
                    runs.append(run)
                    print(f"round {round_ + 1} {rate}/s {run['config']}: p50 {run['p50_us']:.0f} µs, "
                          f"p99 {run['p99_us']:.0f} µs, cpu {run['cpu_us'] or 0:.0f} µs/request, "
                          f"{run['errors']} errors", file=sys.stderr)
        failures = smoke_failures(targets, runs) if a.smoke else []
    finally:
        for process in processes:
            process.kill()
            process.wait()
    # Before the summary, which needs every run's CPU: a failed run would end it in a traceback.
    if failures:
        sys.exit("overhead smoke check failed:\n  " + "\n  ".join(failures))
    settings = {"rates": rates, "seconds": a.seconds, "rounds": a.rounds, "connections": a.connections,
                "aliases": len(ALIASES), "model": MODEL, "body_bytes": len(BODY), "cores": os.cpu_count(),
                "oha": subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.strip(),
                "date": time.strftime("%Y-%m-%d", time.gmtime())}
    with open(a.out, "w") as f:
        json.dump({"settings": settings, "summary": summarise(runs, rates), "runs": runs}, f, indent=1)
    print(f"wrote {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
