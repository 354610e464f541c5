#!/usr/bin/env bash
# Runs COMMAND with a throwaway Postgres server on a loopback port, its URL in
# MODEL_ALIAS_POSTGRES, then stops the server and deletes it, whatever COMMAND did:
#
#     scripts/postgres.sh cargo test -p model-alias-gateway --test store
#
# Installs the distribution's `postgresql` package when no server binaries are found. The
# cluster runs as the `postgres` user (the server refuses root), in a temporary directory,
# with trust authentication on 127.0.0.1 only. Fails, saying why, if the server cannot start:
# the Postgres tests never skip silently.
set -euo pipefail
cd "$(dirname "$0")/.."

find_bin() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return
    fi
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bin=$(find_bin)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "==> installing postgresql" >&2
    sudo=$(command -v sudo || true)
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    bin=$(find_bin)
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres.sh: no initdb found, even after installing postgresql" >&2
    exit 1
fi
command -v psql >/dev/null 2>&1 || export PATH="$bin:$PATH"

# The server refuses to run as root: run it as `postgres` (created by the package) then.
as_pg=()
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    as_pg=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/model-alias-pg.XXXXXX)
chmod 755 "$dir"
[ "${#as_pg[@]}" = 0 ] || chown postgres "$dir"
port=${MODEL_ALIAS_PG_PORT:-55432}
cleanup() {
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; echo "postgres.sh: initdb failed" >&2; exit 1; }
if ! "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir" start >/dev/null; then
    cat "$dir/server.log" >&2
    echo "postgres.sh: the server did not start" >&2
    exit 1
fi
export MODEL_ALIAS_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
echo "==> Postgres $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
