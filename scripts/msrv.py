#!/usr/bin/env python3
"""Checks the library's MSRV claim without an old toolchain: fails when any dependency of the
library (normal and build dependencies, every feature on; not dev-dependencies) declares a
`rust-version` newer than the crate's own.

    python3 scripts/msrv.py

Reads `cargo metadata`, so it sees the versions Cargo.lock pins.
"""
import json
import subprocess
import sys


def version(text):
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    host = next(line.split()[1] for line in subprocess.check_output(
        ["rustc", "-vV"], text=True).splitlines() if line.startswith("host:"))
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--all-features", "--locked",
         "--filter-platform", host]))
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    root = meta["resolve"]["root"]
    ours = packages[root]
    claim = ours.get("rust_version")
    if not claim:
        sys.exit(f"{ours['name']} declares no rust-version")
    # Every package the library itself pulls in: follow non-dev edges from the root.
    seen, todo = set(), [root]
    while todo:
        for dep in nodes[todo.pop()]["deps"]:
            kinds = {k["kind"] for k in dep["dep_kinds"]}
            if kinds <= {"dev"} or dep["pkg"] in seen:
                continue
            seen.add(dep["pkg"])
            todo.append(dep["pkg"])
    newer = []
    for pkg in sorted(seen, key=lambda p: packages[p]["name"]):
        p = packages[pkg]
        needs = p.get("rust_version")
        if needs and version(needs) > version(claim):
            newer.append(f"{p['name']} {p['version']} needs Rust {needs}")
    if newer:
        print(f"{ours['name']} claims Rust {claim}, but:", *newer, sep="\n  ")
        sys.exit(1)
    print(f"MSRV {claim}: {len(seen)} library dependencies, none declares a newer rust-version")


main()
