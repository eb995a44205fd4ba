#!/usr/bin/env bash
# createTicket's one statement on one PostgreSQL node and on Citus (a
# coordinator and two workers, 32 shards per table), measured with pgbench:
# the statement the server sends when a ticket names no record (captured from
# the server's own log), run as it is on one node, as it is through the Citus
# coordinator, and as the server runs it on Citus: inside
# `rapport_numbered_insert`, which Citus delegates to the workspace's node.
#
#   bench/citus_create_ticket.sh                 # 20 s per route, 1 client
#   BENCH_SECONDS=60 BENCH_CLIENTS=4 bench/citus_create_ticket.sh
#
# Needs PostgreSQL 15 with Citus installed (../shared/citus/install.sh), run as
# root (the nodes run as `postgres`), and a built `rapport` (RAPPORT_BIN,
# default target/release/rapport). Everything it starts listens on 127.0.0.1
# and is stopped at exit.
set -euo pipefail

BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
RAPPORT=$(realpath "${RAPPORT_BIN:-target/release/rapport}")
SECONDS_EACH=${BENCH_SECONDS:-20}
CLIENTS=${BENCH_CLIENTS:-1}
BASE=${BENCH_PORT:-55810}
DIR=$(mktemp -d /tmp/rapport-citus-bench.XXXXXX)
export RAPPORT_JWT_SECRET=a-benchmark-secret-that-is-long-enough-for-hs256
chown postgres "$DIR"
as_pg() { runuser -u postgres -- "$@"; }

NODES=(single coordinator worker1 worker2)
stop_all() {
  for node in "${NODES[@]}"; do
    [ -d "$DIR/$node" ] && as_pg "$BIN/pg_ctl" -D "$DIR/$node" -m immediate stop >/dev/null 2>&1 || true
  done
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$DIR"
}
trap stop_all EXIT

port_of() { case $1 in single) echo $BASE ;; coordinator) echo $((BASE + 1)) ;; worker1) echo $((BASE + 2)) ;; worker2) echo $((BASE + 3)) ;; esac; }
psql_on() { as_pg "$BIN/psql" -h 127.0.0.1 -p "$(port_of "$1")" -U postgres -d "$2" -XAtq -v ON_ERROR_STOP=1 -c "$3"; }

for node in "${NODES[@]}"; do
  as_pg "$BIN/initdb" -D "$DIR/$node" -A trust -U postgres >/dev/null
  extra=""
  [ "$node" != single ] && extra="-c shared_preload_libraries=citus"
  as_pg "$BIN/pg_ctl" -D "$DIR/$node" -l "$DIR/$node.log" -w \
    -o "-p $(port_of "$node") -k $DIR -c listen_addresses=127.0.0.1 -c log_min_messages=warning $extra" start >/dev/null
  psql_on "$node" postgres "CREATE DATABASE rapport"
  [ "$node" != single ] && psql_on "$node" rapport "CREATE EXTENSION citus"
done
psql_on coordinator rapport "SELECT citus_set_coordinator_host('127.0.0.1', $(port_of coordinator))" >/dev/null
for worker in worker1 worker2; do
  psql_on coordinator rapport "SELECT citus_add_node('127.0.0.1', $(port_of "$worker"))" >/dev/null
done

# One ticket through the API on a database, with every statement logged;
# then the ids that make each run's rows new (the ticket's, its history
# entry's), written out for the script below.
capture() { # node citus
  local node=$1 url="postgres://postgres@127.0.0.1:$(port_of "$1")/rapport?sslmode=disable"
  local http=$((BASE + 10))
  DATABASE_URL=$url RAPPORT_CITUS=$2 "$RAPPORT" seed --demo >/dev/null 2>&1
  local token
  token=$(DATABASE_URL=$url RAPPORT_CITUS=$2 "$RAPPORT" token --email admin@demo.rapport.dev 2>/dev/null | tail -1)
  psql_on "$node" postgres "ALTER DATABASE rapport SET log_statement = 'all'"
  DATABASE_URL=$url RAPPORT_BIND=127.0.0.1:$http RAPPORT_CITUS=$2 RAPPORT_NO_DEMO=true \
    "$RAPPORT" serve >"$DIR/serve-$node.log" 2>&1 &
  local server=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$http/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fs "http://127.0.0.1:$http/graphql" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"query":"mutation { createTicket(input: {subject: \"Measured\"}) { ticket { number } } }"}' >/dev/null
  kill "$server"
  wait "$server" 2>/dev/null || true
  psql_on "$node" postgres "ALTER DATABASE rapport RESET log_statement"
  local ticket
  ticket=$(psql_on "$node" rapport "SELECT id FROM ticket ORDER BY number DESC LIMIT 1")
  echo "$ticket $(psql_on "$node" rapport "SELECT id FROM record_change WHERE record_id = '$ticket'")" >"$DIR/$node.ids"
}

# One node sends the one-statement CTE; the coordinator (RAPPORT_CITUS=true)
# the delegated call. The coordinator distributes its tables first.
capture single false
DATABASE_URL="postgres://postgres@127.0.0.1:$(port_of coordinator)/rapport?sslmode=disable" \
  RAPPORT_CITUS=true "$RAPPORT" migrate >/dev/null 2>&1
capture coordinator true
python3 - "$DIR" <<'PY'
import re, sys
d = sys.argv[1]
def logged(node, start):
    log = open(f"{d}/{node}.log").read()
    m = re.search(r'execute [^:]*: (' + start + r'.*?)\n[^\n]*DETAIL:  [Pp]arameters: (.*?)\n', log, re.S)
    if not m:
        sys.exit(f"the create was not in {node}'s log")
    values = dict(re.findall(r"\$(\d+) = (NULL|'(?:[^']|'')*')", m.group(2)))
    sql = re.sub(r"\$(\d+)\b", lambda v: values[v.group(1)], m.group(1))
    # Each run writes new rows: fresh ids from pgbench's :rid.
    ticket, entry = open(f"{d}/{node}.ids").read().split()
    sql = sql.replace(ticket, "00000000-0000-4000-8000-:rid").replace(entry, "00000000-0000-4001-8000-:rid")
    return "\\set rid random(100000000000, 999999999999)\n" + sql.replace("\n", " ") + ";\n"
open(f"{d}/direct.sql", "w").write(logged("single", 'WITH "numbered" AS '))
open(f"{d}/delegated.sql", "w").write(logged("coordinator", "SELECT rapport_numbered_insert"))
PY
chmod 644 "$DIR"/*.sql

run() { # label node script
  as_pg "$BIN/pgbench" -h 127.0.0.1 -p "$(port_of "$2")" -U postgres -n -c "$CLIENTS" -j "$CLIENTS" \
    -T "$SECONDS_EACH" -M simple -f "$DIR/$3" rapport 2>/dev/null |
    awk -v label="$1" '/latency average/ {lat=$4} /^tps/ {tps=$3} END {printf "| %s | %.2f ms | %.0f/s |\n", label, lat, tps}'
}

echo "createTicket's statement, $CLIENTS client(s), $SECONDS_EACH s each (pgbench latency average, throughput):"
echo "| route | latency | throughput |"
echo "|---|--:|--:|"
run "one node, the statement" single direct.sql
run "Citus, the statement through the coordinator" coordinator direct.sql
run "Citus, delegated (rapport_numbered_insert)" coordinator delegated.sql
# Where the delegated call's time goes: the same call sent to the worker
# that holds the workspace (no coordinator hop), and a delegated call that
# does nothing (the hop alone: coordinator, connection to the worker, back).
workspace=$(psql_on coordinator rapport "SELECT id FROM workspace LIMIT 1")
holder=$(psql_on coordinator rapport "SELECT n.nodename || ' ' || n.nodeport FROM pg_dist_placement p \
  JOIN pg_dist_node n USING (groupid) WHERE p.shardid = get_shard_id_for_distribution_column('workspace', '$workspace')")
for worker in worker1 worker2; do
  [ "127.0.0.1 $(port_of "$worker")" = "$holder" ] && holder=$worker
done
psql_on coordinator rapport "CREATE FUNCTION rapport_floor(workspace uuid) RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN 1; END'" >/dev/null
psql_on coordinator rapport "SELECT create_distributed_function('rapport_floor(uuid)', 'workspace', colocate_with => 'workspace')" >/dev/null
echo "SELECT rapport_floor('$workspace');" >"$DIR/floor.sql"
chmod 644 "$DIR/floor.sql"
run "Citus, delegated, called on the workspace's worker" "$holder" delegated.sql
run "Citus, an empty delegated call (the hop alone)" coordinator floor.sql
# What the runs wrote (each run's transactions are tickets: none may be missing).
echo "tickets written: one node $(psql_on single rapport "SELECT count(*) FROM ticket WHERE subject = 'Measured'"), Citus $(psql_on coordinator rapport "SELECT count(*) FROM ticket WHERE subject = 'Measured'")"

# A profile of the delegated call's statements: the same function with a
# clock read between its statements (as `rapport_numbered_insert` is at
# this commit: keep the two alike), called 200 times in one session on
# the workspace's worker and on the single node (plain PostgreSQL runs the
# same statements), the mean of the last 100 calls per statement. (Not
# auto_explain: with its ANALYZE on, a worker's UPDATE … RETURNING inside
# EXECUTE fails Citus's "consistency check on SPI tuple count".)
PROFILED=$(cat <<'SQL'
CREATE OR REPLACE FUNCTION rapport_profiled_insert(workspace uuid, numbering text,
  record text, document text, entry text, logging text)
RETURNS text LANGUAGE plpgsql AS $f$
DECLARE n bigint; s bigint; i bigint; t timestamptz := clock_timestamp(); out text := '';
  doc_type text; doc_id uuid; doc_text text;
BEGIN
  EXECUTE numbering INTO n, s USING workspace;
  out := out || 'numbering ' || extract(epoch FROM clock_timestamp() - t) * 1000 || ' '; t := clock_timestamp();
  EXECUTE record USING workspace, n, s;
  out := out || 'record ' || extract(epoch FROM clock_timestamp() - t) * 1000 || ' '; t := clock_timestamp();
  IF document <> '' THEN
    EXECUTE document INTO doc_type, doc_id, doc_text USING workspace, n, s;
    out := out || 'search-document-read ' || extract(epoch FROM clock_timestamp() - t) * 1000 || ' '; t := clock_timestamp();
    INSERT INTO search_document (workspace_id, record_type, record_id, text)
      VALUES (workspace, doc_type, doc_id, doc_text);
  END IF;
  out := out || 'search-document-write ' || extract(epoch FROM clock_timestamp() - t) * 1000 || ' '; t := clock_timestamp();
  EXECUTE entry USING workspace, n, s;
  out := out || 'history-entry ' || extract(epoch FROM clock_timestamp() - t) * 1000 || ' '; t := clock_timestamp();
  EXECUTE logging INTO i USING workspace, n, s;
  RETURN out || 'event ' || extract(epoch FROM clock_timestamp() - t) * 1000;
END
$f$;
SQL
)
psql_on coordinator rapport "$PROFILED" >/dev/null
psql_on single rapport "$PROFILED" >/dev/null
call=$(grep -v '^\\set' "$DIR/delegated.sql" | sed 's/rapport_numbered_insert/rapport_profiled_insert/')
for rid in $(seq 111111100001 111111100200); do echo "${call//:rid/$rid}"; done >"$DIR/profile.sql"
chmod 644 "$DIR/profile.sql"
echo "where one delegated call's time goes (ms per statement, mean of calls 101-200 in one session):"
echo "| statement | Citus, on the workspace's worker | one node |"
echo "|---|--:|--:|"
for node in "$holder" single; do
  as_pg "$BIN/psql" -h 127.0.0.1 -p "$(port_of "$node")" -U postgres -d rapport -XAtq -f "$DIR/profile.sql" \
    | tail -100 | tr ' ' '\n' | paste - - | awk '{sum[$1] += $2; order[$1] = NR} END {for (k in sum) printf "%s %.3f\n", k, sum[k] / 100}' \
    | sort >"$DIR/profile-$node.txt"
done
join "$DIR/profile-$holder.txt" "$DIR/profile-single.txt" | awk '{printf "| %s | %s | %s |\n", $1, $2, $3}'
