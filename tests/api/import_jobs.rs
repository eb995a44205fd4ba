//! `startImport` through the real server: the file sent as a GraphQL
//! multipart request, the job run in the background, its progress pushed
//! over the websocket, its refused rows listed with line, column and code;
//! ADMIN only; an upload over the limit refused with nothing written while
//! the server keeps answering.

use std::time::Duration;

use entity::enums::Role;
use entity::{company, contact, import_job};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::common::JsonAnswer;
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};
use crate::ws::WsClient;

on_both_databases!(
    an_uploaded_file_is_imported_in_the_background_with_its_progress_pushed,
    only_an_admin_imports,
    a_huge_row_and_a_file_cut_short_are_refused_row_by_row,
);
on_both_databases!(with small_uploads; an_upload_over_the_limit_is_refused_and_nothing_is_written,);

pub const START: &str = "mutation($type: ImportType!, $file: Upload!) { startImport(type: $type, file: $file) { id status type processed } }";

pub const JOB: &str = "query($id: ID!) { importJob(id: $id) { id status type processed accepted rejected finishedAt errors(first: 100) { edges { node { line column code field message } } } } }";

pub const PROGRESS: &str = "subscription($id: ID!) { importProgress(jobId: $id) { jobId status processed accepted rejected } }";

const BOUNDARY: &str = "rapport-test-upload-boundary-5f2c9a";

/// A GraphQL multipart request body running `query` with the file as `$file`.
pub fn multipart_body(query: &str, variables: Value, file_name: &str, file: &[u8]) -> Vec<u8> {
    typed_multipart_body(
        query,
        variables,
        file_name,
        "application/octet-stream",
        file,
    )
}

/// [`multipart_body`] with the file part's `Content-Type`.
pub fn typed_multipart_body(
    query: &str,
    mut variables: Value,
    file_name: &str,
    content_type: &str,
    file: &[u8],
) -> Vec<u8> {
    variables["file"] = Value::Null;
    let operations = json!({ "query": query, "variables": variables });
    let map = json!({ "0": ["variables.file"] });
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{map}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{file_name}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts a multipart `body` (from [`typed_multipart_body`]) to `base`'s `/graphql`.
pub async fn post_multipart(base: &str, token: &str, body: Vec<u8>) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .header("apollo-require-preflight", "true")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .expect("upload sent")
}

/// Sends `startImport` for `file` to `base`; the status and the JSON answer.
pub async fn upload(
    base: &str,
    token: &str,
    ty: &str,
    file_name: &str,
    file: &[u8],
) -> (u16, Value) {
    let body = multipart_body(START, json!({ "type": ty }), file_name, file);
    let response = post_multipart(base, token, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON answer"))
}

/// Starts an import on `base` and returns the job's id.
pub async fn start(base: &str, token: &str, ty: &str, file_name: &str, file: &[u8]) -> String {
    let (status, answer) = upload(base, token, ty, file_name, file).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"]["startImport"]["id"]
        .as_str()
        .expect("job id")
        .to_owned()
}

/// Asks `base` for the job.
pub async fn job(base: &str, token: &str, id: &str) -> Value {
    let answer: Value = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": JOB, "variables": { "id": id } }))
        .answer()
        .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"]["importJob"].clone()
}

/// Imports `csv` as contacts (a file `people.csv`) as workspace A's admin
/// and waits for the job to end; the finished job.
pub async fn imported_people(app: &TestApp, csv: &str) -> Value {
    let id = start(
        &app.base,
        &app.token,
        "CONTACTS",
        "people.csv",
        csv.as_bytes(),
    )
    .await;
    finished(&app.base, &app.token, &id).await
}

/// The job once it has SUCCEEDED or FAILED (a bound against hanging, not a timing).
pub async fn finished(base: &str, token: &str, id: &str) -> Value {
    for _ in 0..1200 {
        let job = job(base, token, id).await;
        if job["status"] == "SUCCEEDED" || job["status"] == "FAILED" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the import job did not finish");
}

/// A contacts file: `rows` good rows, then a row with a malformed email.
fn contacts_file(rows: usize) -> String {
    let mut file = String::from("\u{feff}firstName,lastName,email\n");
    for i in 0..rows {
        file.push_str(&format!("Ada{i},\"Lovelace, {i}\",ada{i}@example.test\n"));
    }
    file.push_str("Bad,Row,not-an-email\n");
    file
}

async fn an_uploaded_file_is_imported_in_the_background_with_its_progress_pushed(app: TestApp) {
    let rows = 1200;
    let id = start(
        &app.base,
        &app.token,
        "CONTACTS",
        "people.csv",
        contacts_file(rows).as_bytes(),
    )
    .await;
    let mut socket = WsClient::ready(&app.base, &app.token).await;
    socket.subscribe("p", PROGRESS, json!({ "id": id })).await;
    // Counts only grow, and the last message says the job is over.
    let mut seen = Vec::new();
    loop {
        let progress = socket.next_data("p").await["importProgress"].clone();
        assert_eq!(progress["jobId"], id.as_str());
        let processed = progress["processed"].as_i64().expect("processed");
        assert!(
            seen.last().is_none_or(|&last| processed >= last),
            "{progress}"
        );
        seen.push(processed);
        if progress["status"] == "SUCCEEDED" {
            assert_eq!(progress["processed"], rows as i64 + 1);
            assert_eq!(progress["accepted"], rows as i64);
            assert_eq!(progress["rejected"], 1);
            break;
        }
        assert_ne!(progress["status"], "FAILED", "{progress}");
    }
    let complete = socket.json().await;
    assert_eq!(complete["type"], "complete", "{complete}");

    let done = job(&app.base, &app.token, &id).await;
    assert_eq!(done["type"], "CONTACTS");
    assert!(done["finishedAt"].is_string(), "{done}");
    let errors = done["errors"]["edges"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{done}");
    let refused = &errors[0]["node"];
    // The header is line 1, the bad row follows the good ones.
    assert_eq!(refused["line"], rows as i64 + 2);
    assert_eq!(refused["column"], 3);
    assert_eq!(refused["field"], "email");
    assert_eq!(refused["code"], "BAD_USER_INPUT");
    let stored = contact::Entity::find()
        .filter(contact::Column::WorkspaceId.eq(app.workspace_id))
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(stored, rows as u64);
    let listed = app
        .data(
            "{ importJobs(first: 5) { edges { node { id status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["importJobs"]["edges"][0]["node"]["id"], id.as_str());

    // Another workspace sees no such job.
    let other = app.gql_as(&app.other_token, JOB, json!({ "id": id })).await;
    assert_eq!(error_code(&other), "NOT_FOUND", "{other}");
}

async fn only_an_admin_imports(app: TestApp) {
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let (status, answer) = upload(&app.base, &manager, "COMPANIES", "c.csv", b"name\nAcme\n").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(error_code(&answer), "FORBIDDEN", "{answer}");
    let (_, listed) = (
        (),
        app.gql_as(
            &manager,
            "{ importJobs { edges { node { id } } } }",
            json!({}),
        )
        .await,
    );
    assert_eq!(error_code(&listed), "FORBIDDEN", "{listed}");
    let jobs = import_job::Entity::find()
        .filter(import_job::Column::WorkspaceId.eq(app.workspace_id))
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(jobs, 0, "a refused upload stores nothing");
}

/// Uploads of at most 64 KiB: a request streaming in is cut at the larger
/// of the import and document limits (each operation then holds its file
/// to its own), so both are small here.
fn small_uploads(config: &mut rapport::config::Config) {
    config.max_import_bytes = 64 * 1024;
    config.max_file_bytes = 64 * 1024;
}

async fn an_upload_over_the_limit_is_refused_and_nothing_is_written(app: TestApp) {
    let mut file = String::from("name\n");
    while file.len() < 256 * 1024 {
        file.push_str("A company with a rather long name to fill the file\n");
    }
    let (big, answer) = tokio::join!(
        upload(
            &app.base,
            &app.token,
            "COMPANIES",
            "big.csv",
            file.as_bytes()
        ),
        // The server keeps answering others meanwhile.
        app.data("{ me { id } }", json!({})),
    );
    assert!(answer["me"]["id"].is_string());
    let (status, refused) = big;
    assert_eq!(status, 413, "{refused}");
    assert_eq!(error_code(&refused), "PAYLOAD_TOO_LARGE", "{refused}");
    let jobs = import_job::Entity::find()
        .filter(import_job::Column::WorkspaceId.eq(app.workspace_id))
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(jobs, 0);
    let companies = company::Entity::find()
        .filter(company::Column::WorkspaceId.eq(app.workspace_id))
        .filter(company::Column::Name.starts_with("A company with"))
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(companies, 0);
    // A file under the limit is taken.
    let id = start(
        &app.base,
        &app.token,
        "COMPANIES",
        "small.csv",
        b"name\nSmall Co\n",
    )
    .await;
    assert_eq!(finished(&app.base, &app.token, &id).await["accepted"], 1);
}

async fn a_huge_row_and_a_file_cut_short_are_refused_row_by_row(app: TestApp) {
    let mut file = b"name,industry\nFirst Co,Software\n\"".to_vec();
    // A row of 10 MB: one name far over any limit.
    file.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    file.extend_from_slice(b"\",Software\nThird Co,Retail\n\"Cut Co\",\"Reta");
    let id = start(&app.base, &app.token, "COMPANIES", "cut.csv", &file).await;
    let done = finished(&app.base, &app.token, &id).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["accepted"], 2, "{done}");
    assert_eq!(done["rejected"], 2, "{done}");
    let errors = &done["errors"]["edges"];
    assert_eq!(errors[0]["node"]["line"], 3, "{done}");
    assert_eq!(errors[0]["node"]["code"], "BAD_USER_INPUT");
    assert_eq!(errors[0]["node"]["field"], "name", "{done}");
    assert_eq!(errors[1]["node"]["line"], 5, "{done}");
    let cut = errors[1]["node"]["message"].as_str().unwrap_or_default();
    assert!(cut.contains("cut short"), "{done}");
    let names: Vec<String> = company::Entity::find()
        .filter(company::Column::WorkspaceId.eq(app.workspace_id))
        .filter(company::Column::Industry.is_not_null())
        .all(&app.state.db)
        .await
        .expect("companies")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"First Co".to_owned()) && names.contains(&"Third Co".to_owned()));
}
