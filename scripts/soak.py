#!/usr/bin/env python3
"""The soak: the example gateway under a steady load, its keys file changed
every second and every tenth version bad, every response checked (gateway/examples/soak.rs says
what is checked).

    python3 scripts/soak.py [--seconds 600] [--warmup 30] [--rate 5000]

Builds the gateway and the soak driver (release), runs the driver, which starts the gateway
itself, prints its result and writes it to target/model-alias-soak.json. Exits non-zero if a
request failed, an answer was wrong, or the gateway's memory at the end was more than 10% above
its memory after the warm-up. CI runs it for 30 s; SECURITY.md quotes a 10-minute run.
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "target", "model-alias-soak.json")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=600.0)
    p.add_argument("--warmup", type=float, default=None, help="default: a tenth of --seconds, at most 30")
    p.add_argument("--rate", type=float, default=5000.0, help="requests a second (5,000 keeps about half of 2 cores busy)")
    a = p.parse_args()
    warmup = a.warmup if a.warmup is not None else min(30.0, a.seconds / 10)
    subprocess.run(["cargo", "build", "--release", "-p", "model-alias-gateway", "--bin", "gateway", "--example", "soak"],
                   cwd=ROOT, check=True)
    release = os.path.join(ROOT, "target", "release")
    run = subprocess.run(
        [os.path.join(release, "examples", "soak"), os.path.join(release, "gateway"),
         "--seconds", str(a.seconds), "--warmup", str(warmup), "--rate", str(a.rate)],
        capture_output=True, text=True, timeout=a.seconds + 120)
    sys.stderr.write(run.stderr)
    if not run.stdout.strip():
        print(f"soak: no result (exit {run.returncode})", file=sys.stderr)
        return 2
    result = json.loads(run.stdout)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))
    print(f"soak: {result['requests']:,} requests in {result['seconds']:.0f} s ({result['rps']:,.0f}/s), "
          f"{result['failed']} failed, {result['wrong']} wrong; "
          f"{result['versions_good']} good and {result['versions_bad']} bad versions, {result['versions_seen']} seen; "
          f"memory {result['rss_warm_kib']:,} KiB after warm-up, {result['rss_end_kib']:,} KiB at the end "
          f"({result['rss_growth'] * 100:+.1f}%); CPU: gateway {result['cpu_gateway_cores']:.2f} cores, "
          f"driver {result['cpu_soak_cores']:.2f}")
    return 0 if run.returncode == 0 and result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
