//! Import jobs across server processes: a server killed mid-job and another
//! started on the same database finishes the job with every row written
//! once; two servers polling one PostgreSQL never run a job twice.

use entity::company;
use rapport::app::AppState;
use rapport::config::Config;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use crate::common::postgres;
use crate::common::server::{SECRET, ServerProcess};
use crate::helpers::workspace;
use crate::import_jobs::{PROGRESS, finished, start};
use crate::ws::WsClient;

/// Short leases and quick polling, so a dead server's job is taken over soon.
const JOB_ENV: [(&str, &str); 2] = [
    ("RAPPORT_IMPORT_LEASE_SECONDS", "2"),
    ("RAPPORT_IMPORT_POLL_MS", "100"),
];

/// A migrated database with one workspace: its state, id and admin token.
async fn prepared(database_url: &str) -> (AppState, Uuid, String) {
    let mut config = Config::for_database(database_url.to_owned());
    config.jwt_secret = Some(SECRET.into());
    let state = AppState::connect(config).await.expect("database ready");
    let (workspace_id, token) = workspace(&state, "Imports").await;
    (state, workspace_id, token)
}

/// Companies with names only (no key an import could match a second write
/// by): a batch written twice would show as duplicates.
fn companies_file(prefix: &str, rows: usize) -> Vec<u8> {
    let mut file = String::from("name,industry\n");
    for i in 0..rows {
        file.push_str(&format!("{prefix} {i:06},Software\n"));
    }
    file.into_bytes()
}

/// The workspace's companies whose names start with `prefix`: how many, and how many distinct names.
async fn companies(state: &AppState, workspace_id: Uuid, prefix: &str) -> (u64, usize) {
    let names: Vec<String> = company::Entity::find()
        .select_only()
        .column(company::Column::Name)
        .filter(company::Column::WorkspaceId.eq(workspace_id))
        .filter(company::Column::Name.starts_with(prefix))
        .into_tuple()
        .all(&state.db)
        .await
        .expect("names");
    let total = names.len() as u64;
    let distinct: std::collections::BTreeSet<String> = names.into_iter().collect();
    (total, distinct.len())
}

async fn a_killed_server_s_job_is_finished_by_the_next(url: String) {
    let (state, workspace_id, token) = prepared(&url).await;
    let rows = 6000;
    let first = ServerProcess::start(&url, &JOB_ENV);
    let id = start(
        &first.base,
        &token,
        "COMPANIES",
        "companies.csv",
        &companies_file("Kept", rows),
    )
    .await;
    let mut socket = WsClient::ready(&first.base, &token).await;
    socket.subscribe("p", PROGRESS, json!({ "id": id })).await;
    loop {
        let progress = socket.next_data("p").await["importProgress"].clone();
        assert_ne!(
            progress["status"], "SUCCEEDED",
            "the job ended before the server was stopped: make the file larger"
        );
        if progress["processed"].as_i64().unwrap_or(0) > 0 {
            break;
        }
    }
    // Killed (SIGKILL, by its PID) after its first committed batch.
    drop(socket);
    drop(first);
    let second = ServerProcess::start(&url, &JOB_ENV);
    let done = finished(&second.base, &token, &id).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["processed"], rows as i64);
    assert_eq!(done["accepted"], rows as i64);
    let (total, distinct) = companies(&state, workspace_id, "Kept ").await;
    assert_eq!(total, rows as u64, "every row written once");
    assert_eq!(distinct, rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_s_job_is_finished_by_the_next_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/rapport.db?mode=rwc", dir.path().display());
    a_killed_server_s_job_is_finished_by_the_next(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_s_job_is_finished_by_the_next_on_postgres() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    a_killed_server_s_job_is_finished_by_the_next(cluster.create_database(None)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_polling_one_database_run_each_job_once() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let url = cluster.create_database(None);
    let (state, workspace_id, token) = prepared(&url).await;
    let one = ServerProcess::start(&url, &JOB_ENV);
    let two = ServerProcess::start(&url, &JOB_ENV);
    let rows = 1500;
    let mut ids = Vec::new();
    for (n, base) in [&one.base, &two.base, &one.base, &two.base]
        .into_iter()
        .enumerate()
    {
        let prefix = format!("Job{n}");
        ids.push(
            start(
                base,
                &token,
                "COMPANIES",
                "c.csv",
                &companies_file(&prefix, rows),
            )
            .await,
        );
    }
    for (n, id) in ids.iter().enumerate() {
        let done = finished(&one.base, &token, id).await;
        assert_eq!(done["status"], "SUCCEEDED", "{done}");
        assert_eq!(done["processed"], rows as i64);
        let (total, distinct) = companies(&state, workspace_id, &format!("Job{n} ")).await;
        assert_eq!(
            (total, distinct),
            (rows as u64, rows),
            "job {n}: no row written twice"
        );
    }
    let all = company::Entity::find()
        .filter(company::Column::WorkspaceId.eq(workspace_id))
        .count(&state.db)
        .await
        .expect("count");
    assert_eq!(all, 4 * rows as u64);
}
