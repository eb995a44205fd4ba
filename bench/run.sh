#!/usr/bin/env bash
# Rapport's benchmark, in one command (see BENCHMARKS.md):
#
#   bench/run.sh            # the full run (about 9 minutes on 2 cores)
#   bench/run.sh --quick    # everything at reduced size and duration (a few minutes)
#   bench/run.sh --only ab  # only some workloads (a … g)
#   bench/run.sh --sizes 10000,100000,1000000 [--sqlite 100000|none]
#                           # the data-size table instead: each operation of
#                           # issue 21 on a workspace seeded with
#                           # `rapport seed --scale N`, beside PostGraphile;
#                           # table, logs and plans in bench/target/sizes/
#
# Builds Rapport (release), the load client (bench/, its own target dir) and
# installs PostGraphile (bench/peer, npm ci) when missing, then runs
# rapport-bench, which starts and stops everything else itself. The table is
# printed at the end and kept in bench/target/last-run/table.md with the
# logs; the whole output is in bench/target/last-run.log.
# BENCH_SKIP_BUILD=1 uses the existing target/release/rapport as it is.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

missing=()
for tool in /usr/lib/postgresql/15/bin/initdb /usr/lib/postgresql/15/bin/pgbench \
            /usr/lib/postgresql/15/bin/psql redis-server node npm cargo; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "missing: ${missing[*]} (PostgreSQL 15, Redis, Node 20 + npm and Rust are needed)" >&2
    exit 1
fi

if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
    echo "building Rapport (release)…" >&2
    (cd "$root" && cargo build --release --quiet --bin rapport)
fi
echo "building the load client…" >&2
CARGO_TARGET_DIR="$here/target" cargo build --release --quiet --manifest-path "$here/Cargo.toml"
if [[ ! -d "$here/peer/node_modules/postgraphile" || ! -d "$here/peer/node_modules/@graphile/pg-pubsub" \
      || ! -d "$here/peer/node_modules/postgraphile-plugin-connection-filter" ]]; then
    echo "installing PostGraphile (npm ci)…" >&2
    (cd "$here/peer" && npm ci --no-audit --no-fund --loglevel=error)
fi

mkdir -p "$here/target"
set -o pipefail
"$here/target/release/rapport-bench" "$@" 2>&1 | tee "$here/target/last-run.log"
