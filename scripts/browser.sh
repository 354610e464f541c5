#!/usr/bin/env bash
# Runs the console's browser test (gateway/tests/console.rs) in headless Chromium, through
# ChromeDriver, installing Debian's `chromium` and `chromium-driver` first when either is
# missing. Extra arguments go to the test binary:
#
#     scripts/browser.sh
#     MODEL_ALIAS_UPDATE_SCREENSHOT=1 scripts/browser.sh    # also renews docs/console.png
#
# Fails, saying why, when Chromium cannot be installed or started: the browser test never
# skips silently. A failed step leaves target/console/failure.png.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "==> installing chromium and chromium-driver" >&2
    sudo=$(command -v sudo || true)
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi
for tool in chromium chromedriver; do
    command -v "$tool" >/dev/null 2>&1 || { echo "browser.sh: no $tool, even after installing it" >&2; exit 1; }
done
chromium --version >&2

export CHROMIUM=${CHROMIUM:-$(command -v chromium)}
export CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver)}
cargo test --all-features -p model-alias-gateway --test console -- --ignored "$@"
