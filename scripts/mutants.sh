#!/usr/bin/env bash
# Every mutant of src/, in two passes, then mutants.txt and MUTANTS.md's figures from the result.
#
#     cargo install cargo-mutants --locked     # once
#     scripts/mutants.sh [OUT]                 # OUT defaults to target/mutants-run
#
# Pass 1 tests each group of files against the test binaries that exercise it: cargo-mutants
# builds every test binary it is given for every mutant, so naming a few cuts the build, which
# is most of a mutant's time. Pass 2 tests each mutant pass 1 missed against every test of its
# package. A mutant a subset catches, the whole suite catches, so the two passes give the whole
# suite's verdict. On 2 cores the run takes about three hours; MUTANTS.md has the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/mutants-run}
mkdir -p "$out"
mutants=(cargo mutants --profile mutants --all-features -j 2 --no-shuffle)

group() {
    local name=$1
    shift
    echo "pass 1: $name ($(date +%T))"
    "${mutants[@]}" --timeout 60 -o "$out/$name" "$@" >"$out/$name.log" 2>&1 || true
}

lib_tests() { for t in "$@"; do printf -- '--cargo-arg=--test=%s ' "$t"; done; }

# shellcheck disable=SC2046 # the test flags are meant to split
group core -f src/alias.rs -f src/resolution.rs -f src/set.rs -f src/validate.rs \
    -f src/error.rs -f src/name.rs -f src/target.rs -f src/text.rs -f src/limits.rs \
    -f src/warning.rs -f src/fold.rs -f 'src/strategy/*.rs' -f src/lib.rs -f src/preset.rs \
    -f 'src/json/*.rs' --cargo-arg=--lib \
    $(lib_tests conformance alias resolved_model validation traits differential hostile presets openai)
# shellcheck disable=SC2046
group table -f 'src/table/*.rs' -f 'src/table/format/*.rs' --cargo-arg=--lib $(lib_tests table presets)
# shellcheck disable=SC2046
group openai -f 'src/openai/*.rs' $(lib_tests openai restore presets)
# shellcheck disable=SC2046
group rest -f src/cache.rs -f src/serde.rs -f src/store.rs --cargo-arg=--lib \
    $(lib_tests serde store)
gateway=--cargo-arg=--package=model-alias-gateway
# shellcheck disable=SC2046
group middleware -f 'src/middleware/*.rs' "$gateway" $(lib_tests middleware)

# Pass 2: what pass 1 missed, against everything. `--iterate` skips the mutants listed in an
# output directory's previously_caught.txt: here what pass 1 caught, found unviable or timed
# out on, and what mutants.txt already explains as equivalent, speed-only or unreachable
# (no test can catch those; they stay missed).
explained() { [ -f mutants.txt ] && python3 scripts/mutants.py explained || true; }
mkdir -p "$out/lib/mutants.out" "$out/middleware-all/mutants.out"
for g in core table openai rest; do
    cat "$out/$g/mutants.out/"{caught,unviable,timeout}.txt
done >"$out/lib/mutants.out/previously_caught.txt"
cat "$out/middleware/mutants.out/"{caught,unviable,timeout}.txt \
    >"$out/middleware-all/mutants.out/previously_caught.txt"
explained | tee -a "$out/lib/mutants.out/previously_caught.txt" \
    >>"$out/middleware-all/mutants.out/previously_caught.txt"
echo "pass 2: the library's survivors ($(date +%T))"
"${mutants[@]}" --timeout 90 -o "$out/lib" --iterate -e 'src/middleware/*.rs' -- --tests \
    >"$out/lib.log" 2>&1 || true
echo "pass 2: the middleware's survivors ($(date +%T))"
# shellcheck disable=SC2046
"${mutants[@]}" --timeout 120 -o "$out/middleware-all" --iterate -f 'src/middleware/*.rs' \
    "$gateway" $(lib_tests middleware gateway faults routes connections start presets) \
    >"$out/middleware-all.log" 2>&1 || true

python3 scripts/mutants.py merge --commit "$(git rev-parse --short HEAD)" \
    "$out"/{core,table,openai,rest,middleware,lib,middleware-all} >mutants.txt
python3 scripts/mutants.py table
echo "done ($(date +%T)): mutants.txt and MUTANTS.md rewritten; explain each missed mutant"
