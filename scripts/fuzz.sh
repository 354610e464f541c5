#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, starting from the committed
# seeds in fuzz/seeds/<target>, and prints how many inputs each executed.
#
#     scripts/fuzz.sh 30                  # every target, 30 s each (what .ci/run does)
#     scripts/fuzz.sh 600 differential    # one target, 10 minutes
#
# Installs cargo-fuzz when it is missing. Uses the nightly toolchain when there is one; on a
# machine with stable only, builds with RUSTC_BOOTSTRAP=1 and no sanitizer (coverage-guided
# fuzzing still works; memory errors cannot happen in this crate, which forbids unsafe code).
# A crash leaves its input in fuzz/artifacts/<target>/ and makes the script fail: turn it into
# a regression test under tests/ before fixing it.
#
# `differential` always runs without a sanitizer: it checks answers against an oracle, which
# AddressSanitizer cannot see, and the crate has no unsafe code for it to guard; without it the
# target runs about 3.5 times as many inputs (SECURITY.md). The other targets keep it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(name json differential table rewrite restore)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz" >&2
    cargo install --locked cargo-fuzz
fi

if cargo +nightly --version >/dev/null 2>&1; then
    run=(cargo +nightly fuzz run)
else
    export RUSTC_BOOTSTRAP=1
    run=(cargo fuzz run --sanitizer none)
fi

status=0
for target in "${targets[@]}"; do
    corpus="fuzz/corpus/$target"
    mkdir -p "$corpus"
    log=$(mktemp)
    echo "==> fuzz $target for ${seconds}s" >&2
    # The first corpus directory collects new inputs (ignored by git); the seeds stay as they are.
    args=("${run[@]}")
    if [ "$target" = differential ] && [[ " ${run[*]} " != *" --sanitizer none "* ]]; then
        args+=(--sanitizer none)
    fi
    if "${args[@]}" "$target" "$corpus" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 >"$log" 2>&1; then
        runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | tail -n 1 || true)
        echo "$target: ${runs:-finished}, no crash" >&2
    else
        status=1
        tail -n 40 "$log" >&2
        echo "$target: FAILED (input saved under fuzz/artifacts/$target/)" >&2
    fi
    rm -f "$log"
done
exit $status
