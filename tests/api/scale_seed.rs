//! `rapport seed --scale`: the real command on SQLite and PostgreSQL writes
//! one workspace in the stated proportions that the API accepts as its own
//! (references, dense ticket numbers, stage history, lead scores, phones
//! and emails by the API's rules), lists and pages it, and refuses a
//! database that holds workspaces already.

use std::process::{Command, Output};

use chrono::Utc;
use entity::{contact, deal, deal_stage_change, stage, ticket, workspace};
use rapport_core::domain::{email, phone};
use rapport_core::rules::scoring::{Which, recompute};
use rapport_core::rules::stored_figures::refresh_workspace;
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryOrder, Statement,
    TransactionTrait,
};
use serde_json::{Value, json};

use crate::common::postgres;
use crate::common::server::{SECRET, ServerProcess};

const CONTACTS: u64 = 2_000;
const ADMIN: &str = "admin@scale.rapport.dev";

pub(crate) fn rapport(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RAPPORT_JWT_SECRET", SECRET)
        .env("RAPPORT_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,sea_orm=warn,sqlx=warn")
        .output()
        .expect("the rapport binary runs")
}

fn seed(url: &str) {
    let out = rapport(url, &["seed", "--scale", &CONTACTS.to_string()]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "seed failed: {log}");
    assert!(
        log.contains("rows_per_second"),
        "the seed reports its rate: {log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scale_seed_on_sqlite_is_what_the_api_would_have_written() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/scale.db?mode=rwc", dir.path().display());
    seed(&url);
    check(&url).await;
    // The same size gives the same workspace.
    let again = format!("sqlite://{}/again.db?mode=rwc", dir.path().display());
    seed(&again);
    let fingerprint = "SELECT COUNT(*) || ':' || SUM(amount_e4) || ':' || hex(MIN(id)) FROM deal";
    assert_eq!(
        scalar(&url, fingerprint).await,
        scalar(&again, fingerprint).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scale_seed_on_postgres_is_what_the_api_would_have_written() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let url = cluster.create_database(None);
    seed(&url);
    check(&url).await;
}

/// On PostgreSQL the seed checks foreign keys once, before its commit,
/// instead of row by row: a reference to a missing row still fails it, and
/// nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scale_seed_on_postgres_fails_whole_on_a_reference_to_a_missing_row() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let url = cluster.create_database(None);
    let name = url.rsplit('/').next().expect("database name");
    assert!(rapport(&url, &["migrate"]).status.success());
    // A row the per-row checks would have refused, slipped in past them.
    cluster.psql(
        name,
        "SET session_replication_role = replica; INSERT INTO tag (id, workspace_id, name, created_at, updated_at) \
         VALUES (gen_random_uuid(), gen_random_uuid(), 'orphan', now(), now())",
    );
    let out = rapport(&url, &["seed", "--scale", "100"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{log}");
    assert!(log.contains("refer to a missing workspace"), "{log}");
    let db = Database::connect(url.as_str()).await.expect("db");
    assert_eq!(count(&db, "contact").await, 0);
    assert_eq!(count(&db, "workspace").await, 0);
}

async fn scalar(url: &str, sql: &str) -> String {
    let db = Database::connect(url).await.expect("db");
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("a row");
    row.try_get_by_index::<String>(0)
        .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
        .expect("a value")
}

async fn count(db: &DatabaseConnection, table: &str) -> u64 {
    let sql = format!("SELECT COUNT(*) AS n FROM \"{table}\"");
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("n") as u64
}

async fn check(url: &str) {
    let db = Database::connect(url).await.expect("db");
    // The proportions.
    for (table, expected) in [
        ("workspace", 1),
        ("company", CONTACTS / 10),
        ("contact", CONTACTS),
        ("deal", CONTACTS / 2),
        ("ticket", CONTACTS * 2),
        ("activity", CONTACTS * 5),
    ] {
        assert_eq!(count(&db, table).await, expected, "{table}");
    }
    for table in [
        "member",
        "pipeline",
        "tag",
        "tagging",
        "customer_order",
        "survey_response",
        "reason",
        "goal",
    ] {
        assert!(count(&db, table).await > 0, "{table} is seeded");
    }
    assert!(count(&db, "deal_contact").await >= CONTACTS / 2);
    assert!(count(&db, "deal_stage_change").await > CONTACTS / 2);

    // Tickets are numbered 1..=2N with no gap, in opening order, and the
    // workspace's counter hands out the next number.
    let tickets = ticket::Entity::find()
        .order_by_asc(ticket::Column::Number)
        .all(&db)
        .await
        .expect("tickets");
    assert!(
        tickets
            .iter()
            .enumerate()
            .all(|(i, t)| t.number == i as i64 + 1)
    );
    assert!(tickets.windows(2).all(|w| w[0].opened_at <= w[1].opened_at));
    let ws = workspace::Entity::find()
        .one(&db)
        .await
        .expect("ws")
        .expect("one");
    assert_eq!(ws.ticket_seq, CONTACTS as i64 * 2);

    // Each deal stands where its stage history ends, with the status of
    // that stage's kind.
    let stages = stage::Entity::find().all(&db).await.expect("stages");
    let mut last_change = std::collections::HashMap::new();
    for change in deal_stage_change::Entity::find()
        .order_by_asc(deal_stage_change::Column::CreatedAt)
        .all(&db)
        .await
        .expect("changes")
    {
        last_change.insert(change.deal_id, change.to_stage_id);
    }
    for deal in deal::Entity::find().all(&db).await.expect("deals") {
        assert_eq!(last_change.get(&deal.id), Some(&deal.stage_id));
        let stage = stages
            .iter()
            .find(|s| s.id == deal.stage_id)
            .expect("stage");
        assert_eq!(format!("{:?}", stage.kind), format!("{:?}", deal.status));
        assert_eq!(deal.closed_at.is_some(), deal.close_reason.is_some());
        assert_eq!(id_millis(deal.id), deal.created_at.timestamp_millis());
    }

    // Contacts: phones and emails as the API stores them, ids of their
    // creation time, lead scores as the rules compute them.
    for contact in contact::Entity::find().all(&db).await.expect("contacts") {
        if let Some(number) = &contact.phone {
            assert_eq!(phone::normalize_phone(number, None).as_ref(), Ok(number));
        }
        if let Some(address) = &contact.email {
            assert_eq!(email::normalize_email(address).as_ref(), Ok(address));
        }
        assert_eq!(id_millis(contact.id), contact.created_at.timestamp_millis());
    }
    let txn = db.begin().await.expect("txn");
    let rescored = recompute(&txn, ws.id, Which::Workspace, "check", Utc::now())
        .await
        .expect("recompute");
    assert_eq!(
        rescored, 0,
        "every stored lead score is what the rules give"
    );
    txn.rollback().await.expect("rollback");

    // The stored figures are filled, and are what the core's refresh gives.
    let seeded = figures(&db).await;
    assert!(
        seeded.starts_with(&format!("{}:", CONTACTS * 2)),
        "every ticket counts for its contact: {seeded}"
    );
    let txn = db.begin().await.expect("txn");
    refresh_workspace(&txn, ws.id).await.expect("refresh");
    assert_eq!(figures(&txn).await, seeded);
    txn.rollback().await.expect("rollback");

    // A second seed into the same database is refused.
    let again = rapport(url, &["seed", "--scale", "100"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--append"));

    api(url).await;
}

/// A fingerprint of every stored figure.
async fn figures(conn: &impl ConnectionTrait) -> String {
    let sums = [
        ("contact", "SUM(ticket_count)"),
        ("contact", "SUM(open_ticket_count)"),
        ("contact", "SUM(lifetime_value_e4)"),
        ("contact", "SUM(average_resolution_e4)"),
        ("contact", "SUM(latest_nps)"),
        ("contact", "SUM(latest_csat)"),
        ("contact", "COUNT(last_ticket_at)"),
        ("contact", "COUNT(last_order_at)"),
        ("company", "SUM(ticket_count)"),
        ("company", "SUM(open_ticket_count)"),
        ("company", "SUM(lifetime_value_e4)"),
        ("company", "SUM(average_resolution_e4)"),
        ("company", "SUM(latest_nps)"),
        ("company", "SUM(latest_csat)"),
        ("company", "SUM(lead_score)"),
        ("company", "COUNT(customer_since)"),
        ("deal", "SUM(weighted_amount_e4)"),
    ];
    let mut parts = Vec::new();
    for (table, figure) in sums {
        let sql = format!("SELECT CAST(COALESCE({figure}, 0) AS BIGINT) AS n FROM {table}");
        let row = conn
            .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .expect("figures")
            .expect("a row");
        parts.push(row.try_get::<i64>("", "n").expect("n").to_string());
    }
    parts.join(":")
}

/// The millisecond a UUID v7 was made at.
fn id_millis(id: uuid::Uuid) -> i64 {
    let (seconds, nanos) = id.get_timestamp().expect("v7").to_unix();
    seconds as i64 * 1000 + i64::from(nanos / 1_000_000)
}

/// The API lists and pages the seeded workspace as its admin.
async fn api(url: &str) {
    let token = rapport(url, &["token", "--email", ADMIN]);
    assert!(token.status.success());
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    let server = ServerProcess::start(url, &[]);
    let gql = |query: &'static str, variables: Value| {
        let answer = server.graphql(&token, query, variables);
        async move {
            let answer = answer.await;
            assert!(answer["errors"].is_null(), "{answer}");
            answer["data"].clone()
        }
    };
    const PAGE: &str = "query($after: String) { contacts(first: 20, after: $after, orderBy: [{field: LAST_NAME}]) {
        totalCount nodes { id lastName } pageInfo { hasNextPage endCursor } } }";
    let first = gql(PAGE, json!({})).await["contacts"].clone();
    assert_eq!(first["totalCount"], CONTACTS);
    assert_eq!(first["nodes"].as_array().map(Vec::len), Some(20));
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let after = first["pageInfo"]["endCursor"].clone();
    let second = gql(PAGE, json!({ "after": after })).await["contacts"].clone();
    let ids = |page: &Value| -> Vec<String> {
        page["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(ids(&second).len(), 20);
    assert!(ids(&second).iter().all(|id| !ids(&first).contains(id)));
    let last_names = |page: &Value| -> Vec<String> {
        page["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["lastName"].as_str().expect("name").to_owned())
            .collect()
    };
    let both = [last_names(&first), last_names(&second)].concat();
    assert!(both.windows(2).all(|w| w[0] <= w[1]), "{both:?}");

    let newest = gql(
        "{ tickets(first: 1, orderBy: [{field: NUMBER, direction: DESC}]) { nodes { number } } }",
        json!({}),
    )
    .await;
    assert_eq!(newest["tickets"]["nodes"][0]["number"], CONTACTS * 2);
    let created = gql(
        "mutation { createTicket(input: {subject: \"After the seed\"}) { ticket { number } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        created["createTicket"]["ticket"]["number"],
        CONTACTS * 2 + 1
    );
    let nested = gql(
        "{ companies(first: 5) { nodes { contacts(first: 3) { nodes { deals(first: 2) {
            nodes { stage { name } tickets(first: 2) { nodes { number } } } } } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        nested["companies"]["nodes"].as_array().map(Vec::len),
        Some(5)
    );
}
