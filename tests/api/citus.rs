//! Issue 22 on Citus: a coordinator and two workers started from the local
//! build (`tests/common/citus.rs`). The server distributes the tables
//! itself (`rapport::db::citus`). Every test that runs on both databases
//! runs on it too (`on_both_databases`, its `on_citus`), with every
//! statement that reaches more than one shard turned into an error
//! (`citus.multi_task_query_log_level`, see `Backend::Citus`): each passes
//! only if every statement it caused names one workspace. This file holds
//! what only Citus has: how the tables are distributed, and what a
//! transaction passes on to the workers.

use migration::{Migrator, MigratorTrait};
use serde_json::json;

use crate::fixtures;
use crate::helpers::{Backend, database_name, spawn_app_with};

use crate::common::{citus, postgres};

#[test]
fn every_tenant_table_distributes_colocated_on_citus() {
    let Some(cluster) = citus::cluster() else {
        return;
    };
    let (name, url) = cluster.create_database();
    let mut config = rapport::config::Config::for_database(url);
    config.jwt_secret = Some("a-test-secret-that-is-long-enough-for-hs256".into());
    config.citus = "true".into();
    rapport::runtime::build(Some(2))
        .expect("runtime")
        .block_on(async {
            let once = rapport::db::one_connection(&config)
                .await
                .expect("a connection to the coordinator");
            // The tables of an existing database first, then the server's
            // start distributes them; a second start finds nothing to do.
            Migrator::up(&once, None)
                .await
                .expect("the migrations run on a Citus coordinator");
            // The function an earlier version made, which a start drops.
            use sea_orm::ConnectionTrait;
            once.execute_unprepared(
                "CREATE FUNCTION rapport_numbered_insert(workspace uuid, statement text) \
                 RETURNS jsonb LANGUAGE sql AS $$ SELECT NULL::jsonb $$",
            )
            .await
            .expect("the old function");
            for _ in 0..2 {
                rapport::db::migrate(&config, &once)
                    .await
                    .expect("the server distributes the tables");
            }
            once.close().await.expect("closed");
        });
    let tables = cluster.psql(
        &name,
        "SELECT count(*) FROM pg_class c WHERE c.relkind = 'r' \
         AND c.relnamespace = current_schema()::regnamespace AND c.relname <> 'seaql_migrations'",
    );
    let tables: u32 = tables.trim().parse().expect("a count");
    let distributed = cluster.psql(
        &name,
        "SELECT count(*) || ' ' || count(DISTINCT colocationid) FROM pg_dist_partition \
         WHERE partmethod = 'h'",
    );
    assert_eq!(
        distributed.trim(),
        format!("{} 1", tables - 1),
        "every table but the migration ledger and the key directory, in one colocation group"
    );
    let reference = cluster.psql(
        &name,
        "SELECT string_agg(logicalrelid::text, ' ') FROM pg_dist_partition WHERE partmethod = 'n'",
    );
    assert_eq!(reference.trim(), "key_directory", "the one reference table");
    let functions = cluster.psql(
        &name,
        "SELECT string_agg(oid::regprocedure::text, ' ') FROM pg_proc \
         WHERE proname = 'rapport_numbered_insert'",
    );
    assert_eq!(
        functions.trim(),
        "rapport_numbered_insert(uuid,text,text,text,text,text)",
        "the earlier two-argument function is gone"
    );
    let foreign_keys = cluster.psql(
        &name,
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f' \
         AND connamespace = current_schema()::regnamespace",
    );
    assert!(
        foreign_keys.trim().parse::<u32>().expect("a count") > 90,
        "the foreign keys stay: {foreign_keys}"
    );
    let triggers = cluster.psql(
        &name,
        "SELECT string_agg(t.tgname, ', ') FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
         WHERE NOT t.tgisinternal AND t.tgname NOT LIKE 'truncate_trigger%' \
         AND c.relnamespace = current_schema()::regnamespace",
    );
    assert_eq!(triggers.trim(), "", "no trigger of ours runs on a shard");
    // A numbered create's function goes, whole, to the node of the
    // workspace it is given: one task, the call itself (not delegated, the
    // plan would be a plain `Result` on the coordinator).
    let plan = cluster.psql(
        &name,
        "EXPLAIN (COSTS OFF) SELECT rapport_numbered_insert(\
         '0190f0c4-0000-7000-8000-000000000001', 'SELECT 1, 2', '', '', '', '')",
    );
    assert!(
        plan.contains("Custom Scan (Citus") && plan.contains("Task Count: 1"),
        "the call is delegated to one node: {plan}"
    );
}

/// A near-match search's threshold reaches the worker that runs its
/// statement: Citus passes the transaction's `SET LOCAL` on with the
/// statement (read from the coordinator's log of what it sends to workers).
/// Without it the worker kept its database's 0.29, and its trigram index
/// handed every weak match to the recheck (BENCHMARKS.md, "On Citus").
#[test]
fn a_near_search_gives_its_threshold_to_the_workspaces_worker_on_citus() {
    let Some(cluster) = citus::cluster() else {
        return;
    };
    let mut database = String::new();
    // Only what is logged from here on: the coordinator's log is shared.
    let logged_before = postgres::log_len(&cluster.log_file());
    rapport::runtime::build(Some(2))
        .expect("runtime")
        .block_on(async {
            let app = spawn_app_with(Backend::Citus, |config| {
                database = database_name(&config.database_url);
                for setting in ["citus.log_remote_commands = on", "log_min_messages = notice"] {
                    cluster.psql(
                        "postgres",
                        &format!("ALTER DATABASE {database} SET {setting}"),
                    );
                }
            })
            .await
            .expect("a Citus app");
            fixtures::company(&app, json!({ "name": "Acme Corp" })).await;
            let found = app
                .gql(
                    "query { search(query: \"acmee\", first: 5) { edges { node { ... on Company { name } } } } }",
                    json!({}),
                )
                .await;
            assert_eq!(
                found["data"]["search"]["edges"][0]["node"]["name"], "Acme Corp",
                "{found:#}"
            );
        });
    // "acmee" has six trigrams: (6 - 3) / (6 + 3), a hair less.
    let log = postgres::log_since(&cluster.log_file(), logged_before);
    let sent: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(&format!(" {database} ")) && line.contains("issuing"))
        .filter(|line| line.contains("SET LOCAL pg_trgm.word_similarity_threshold = 0.33333"))
        .collect();
    assert!(
        !sent.is_empty(),
        "the worker's transaction opens with the query's threshold"
    );
}
