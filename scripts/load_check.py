#!/usr/bin/env python3
"""The gateway load check: requests per second through the gateway (gateway/) with and without
alias resolution, side by side, on loopback.

    python3 scripts/load_check.py [--seconds 5] [--rounds 3] [--concurrency 32]

Builds the gateway and the load generator (release), then for each round starts the gateway
twice, once with aliases (every request's model resolved and the body rewritten) and once with
--no-aliases (bodies forwarded untouched), each against its built-in echo upstream, and drives
it with gateway/examples/load.rs for --seconds. Every run is bounded in time and in count. Writes
target/model-alias-load.json, which scripts/benchmarks.py puts in BENCHMARKS.md, and prints a
summary.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "target", "model-alias-load.json")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--requests", type=int, default=2_000_000)
    a = p.parse_args()
    subprocess.run(["cargo", "build", "--release", "-p", "model-alias-gateway", "--bin", "gateway", "--example", "load"], cwd=ROOT, check=True)
    examples = os.path.join(ROOT, "target", "release", "examples")
    runs = {"aliases": [], "no-aliases": []}
    for _ in range(a.rounds):
        for mode in ("aliases", "no-aliases"):
            database = "sqlite://" + os.path.join(ROOT, "target", "load-check.db")
            args = [os.path.join(ROOT, "target", "release", "gateway"), "--listen", "127.0.0.1:0", "--database", database, "--demo"]
            if mode == "no-aliases":
                args.append("--no-aliases")
            gw = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
            try:
                url = next(w for w in gw.stdout.readline().split() if w.startswith("http://"))
                out = subprocess.run(
                    [os.path.join(examples, "load"), url, "--seconds", str(a.seconds),
                     "--requests", str(a.requests), "--concurrency", str(a.concurrency)],
                    capture_output=True, text=True, check=True, timeout=a.seconds + 60)
                result = json.loads(out.stdout)
                runs[mode].append(result)
                print(mode, result, file=sys.stderr)
            finally:
                gw.kill()
                gw.wait()
    summary = {mode: {"rps": statistics.median(r["rps"] for r in rs),
                      "p50_us": statistics.median(r["p50_us"] for r in rs),
                      "p99_us": statistics.median(r["p99_us"] for r in rs),
                      "errors": sum(r["errors"] for r in rs),
                      "runs": rs}
               for mode, rs in runs.items()}
    summary["settings"] = {"seconds": a.seconds, "rounds": a.rounds, "concurrency": a.concurrency}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(summary, f)
    on, off = summary["aliases"]["rps"], summary["no-aliases"]["rps"]
    print(f"with aliases {on:.0f} req/s, without {off:.0f} req/s: {on / off:.3f}×")


if __name__ == "__main__":
    main()
