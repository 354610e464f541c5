#!/usr/bin/env bash
# Prints the crate's public API, every feature on, one item a line (cargo-public-api over
# nightly rustdoc JSON). `.ci/run` compares it with the committed public-api.txt, so that any
# change to the surface is a visible diff:
#
#     scripts/public-api.sh > public-api.txt
#
# Installs cargo-public-api when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! cargo public-api --version >/dev/null 2>&1; then
    echo "==> installing cargo-public-api" >&2
    cargo install --locked cargo-public-api >&2
fi
cargo +nightly public-api -p model-alias --all-features -ss 2>/dev/null
