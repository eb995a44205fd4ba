#!/usr/bin/env bash
# Import speed (issue 16; figures in BENCHMARKS.md, "Import speed"):
# 10,000 companies, then 100,000 contacts linked to them by external id,
# from generated CSV files through `rapport import` (release build) into a
# fresh workspace of a fresh database: SQLite in a temporary directory, and
# PostgreSQL when PG_URL names a server whose user may create databases.
# Prints rows/s and the importer's peak resident memory (GNU time) per file.
#
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres bench/import.sh [CONTACTS]
#
# BENCH_SKIP_BUILD=1 uses the existing target/release/rapport as it is.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
contacts=${1:-100000}
companies=$(( contacts / 10 ))
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
    (cd "$root" && cargo build --release --quiet --bin rapport)
fi
bin=${BIN:-$root/target/release/rapport}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/import_files.py" "$work" "$companies" "$contacts"
export RAPPORT_JWT_SECRET=import-bench-secret-import-bench-secret-0000

run() { # database-url label
    export DATABASE_URL=$1
    "$bin" migrate >/dev/null
    local ws
    ws=$("$bin" workspace create "Import bench" --admin admin@import.bench | awk '/^uuid:/{print $2}')
    for ty in companies contacts; do
        local rows=$(( $(wc -l < "$work/$ty.csv") - 1 ))
        local start end
        start=$(date +%s.%N)
        /usr/bin/time -f "%M" -o "$work/rss" "$bin" import --workspace "$ws" --type "$ty" "$work/$ty.csv" > "$work/$ty.log" 2>&1 \
            || { tail -5 "$work/$ty.log"; exit 1; }
        end=$(date +%s.%N)
        python3 -c 'import sys; s=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[5]); print("%-10s %-9s %7d rows in %6.1f s = %6.0f rows/s, peak memory %d MB" % (sys.argv[3], sys.argv[4], n, s, n/s, int(open(sys.argv[6]).read().split()[-1])//1024))' \
            "$start" "$end" "$2" "$ty" "$rows" "$work/rss"
    done
}

run "sqlite://$work/import.db?mode=rwc" sqlite
if [[ -n "${PG_URL:-}" ]]; then
    db="import_bench_$$"
    psql "$PG_URL" -qc "CREATE DATABASE $db" >/dev/null
    run "${PG_URL%/*}/$db" postgres
    psql "$PG_URL" -qc "DROP DATABASE $db" >/dev/null
else
    echo "PostgreSQL skipped: set PG_URL" >&2
fi
