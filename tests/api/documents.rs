//! Documents with revisions: uploads through the GraphQL multipart request,
//! content types checked against the bytes, downloads with the token or a
//! signed link, roles as for the record, and files that follow their record
//! through deletion, restore, merge, erasure and workspace deletion. The
//! file store is a directory here; `documents_s3.rs` runs a real S3 API.

use std::path::Path;

use entity::enums::Role;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::fixtures::{contact, deal, mutate, ticket};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};
use crate::import_jobs::{post_multipart, typed_multipart_body};

on_both_databases!(
    a_document_keeps_its_revisions_and_serves_them,
    declared_types_must_match_the_bytes,
    uploads_follow_the_roles_of_their_record,
    documents_follow_their_record,
    a_large_file_streams_in_parts,
);
on_both_databases!(with small_files; a_file_over_the_limit_is_refused_and_nothing_is_kept,);

fn small_files(config: &mut rapport::config::Config) {
    config.max_file_bytes = 1_000;
}

pub const UPLOAD: &str = "mutation($input: UploadDocumentInput!, $file: Upload!) { uploadDocument(input: $input, file: $file) { document { id title recordId revisions { number } } revision { id number fileName contentType size sha256 url uploadedBy { email } } } }";

const REVISE: &str = "mutation($id: ID!, $file: Upload!, $expected: Int) { uploadRevision(documentId: $id, file: $file, expectedRevision: $expected) { document { id revisions { number } latest { number } } revision { id number contentType } } }";

/// A small PDF's first bytes: enough for its signature.
pub const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01";

/// Sends an upload mutation with `file` as `$file` (declared as
/// `content_type`) and answers the JSON response.
pub async fn send(
    base: &str,
    token: &str,
    query: &str,
    variables: Value,
    (name, content_type, file): (&str, &str, &[u8]),
) -> Value {
    let body = typed_multipart_body(query, variables, name, content_type, file);
    post_multipart(base, token, body)
        .await
        .json()
        .await
        .expect("JSON answer")
}

/// Uploads `file` as a new document on `record` and answers its payload.
pub async fn upload(app: &TestApp, token: &str, record: &str, file: (&str, &str, &[u8])) -> Value {
    let input = json!({ "input": { "recordId": record } });
    let answer = send(&app.base, token, UPLOAD, input, file).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"]["uploadDocument"].clone()
}

/// `GET path` with `token` (if any): status, headers and body.
pub async fn get(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let url = if path.starts_with("http") {
        path.to_owned()
    } else {
        format!("{}{path}", app.base)
    };
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("GET sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.bytes().await.expect("body").to_vec(),
    )
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file under `dir`, however deep.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

fn stored_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    files_under(Path::new(&app.state.config.files))
}

pub(crate) async fn a_document_keeps_its_revisions_and_serves_them(app: TestApp) {
    let ada = contact(&app, json!({ "firstName": "Ada", "lastName": "Byron" })).await;
    let first = upload(
        &app,
        &app.token,
        &ada,
        ("Offer für Zoë.pdf", "application/pdf", PDF),
    )
    .await;
    let revision = &first["revision"];
    assert_eq!(first["document"]["title"], "Offer für Zoë.pdf");
    assert_eq!(first["document"]["recordId"], ada);
    assert_eq!(revision["number"], 1);
    assert_eq!(revision["contentType"], "application/pdf");
    assert_eq!(revision["size"], PDF.len());
    assert_eq!(revision["sha256"], sha256(PDF));
    assert!(revision["uploadedBy"]["email"].is_string(), "{first}");
    let document = first["document"]["id"].as_str().unwrap().to_owned();
    let v1 = revision["id"].as_str().unwrap().to_owned();

    // A second revision, then one that lost a race with it.
    let text = "Terms, second draft: net 30.\n".as_bytes();
    let file = ("terms.txt", "text/plain; charset=utf-8", text);
    let second = send(
        &app.base,
        &app.token,
        REVISE,
        json!({ "id": document, "expected": 1 }),
        file,
    )
    .await;
    assert!(second.get("errors").is_none(), "{second}");
    let second = &second["data"]["uploadRevision"];
    assert_eq!(second["revision"]["number"], 2);
    assert_eq!(
        second["revision"]["contentType"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(second["document"]["latest"]["number"], 2);
    assert_eq!(
        second["document"]["revisions"],
        json!([{ "number": 1 }, { "number": 2 }])
    );
    let stale = send(
        &app.base,
        &app.token,
        REVISE,
        json!({ "id": document, "expected": 1 }),
        file,
    )
    .await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");

    // The bytes, with the token.
    let (status, headers, body) = get(&app, &format!("/files/{v1}"), Some(&app.token)).await;
    assert_eq!(status, 200);
    assert_eq!(body, PDF);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''Offer%20f%C3%BCr%20Zo%C3%AB.pdf"),
        "{disposition}"
    );
    // Without one, and from another workspace: refused, found nowhere.
    assert_eq!(get(&app, &format!("/files/{v1}"), None).await.0, 401);
    assert_eq!(
        get(&app, &format!("/files/{v1}"), Some(&app.other_token))
            .await
            .0,
        404
    );
    // A signed link needs no token; a tampered one is refused.
    let url = revision["url"].as_str().unwrap();
    let (status, _, body) = get(&app, url, None).await;
    assert_eq!((status, body.as_slice()), (200, PDF));
    // The signature's last character changed (trimming every trailing `A`
    // and adding one left a signature ending in exactly one `A` unchanged).
    let mut forged = url.to_owned();
    let last = forged.pop().expect("a signature");
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(get(&app, &forged, None).await.0, 401);
    let later = url.replace("expires=", "expires=1");
    assert_eq!(get(&app, &later, None).await.0, 401);
    // The link names its workspace, which the signature covers: another
    // one is refused; a link without one (as handed out before) still works.
    let workspace = format!("workspace={}", app.workspace_id);
    assert!(url.contains(&workspace), "{url}");
    let elsewhere = url.replace(&workspace, &format!("workspace={}", uuid::Uuid::now_v7()));
    assert_eq!(get(&app, &elsewhere, None).await.0, 401);
    let unnamed = url.replace(&format!("{workspace}&"), "");
    assert_eq!(get(&app, &unnamed, None).await.0, 200);

    // Nested under a list, with the uploader, in a constant number of statements.
    let query = "{ contacts(first: 10) { nodes { documents { title latest { number fileName } revisions { number uploadedBy { email } } } } } }";
    let data = app.data(query, json!({})).await;
    let documents = &data["contacts"]["nodes"][0]["documents"];
    assert_eq!(
        documents[0]["latest"],
        json!({ "number": 2, "fileName": "terms.txt" })
    );
    assert_eq!(documents[0]["revisions"].as_array().unwrap().len(), 2);

    // Deleting it removes rows and files.
    assert_eq!(stored_files(&app).len(), 2);
    let deleted = mutate(
        &app,
        "mutation($id: ID!) { deleteDocument(id: $id) { deletedDocumentId } }",
        json!({ "id": document }),
    )
    .await;
    assert_eq!(deleted["deletedDocumentId"], document);
    assert!(stored_files(&app).is_empty());
    assert_eq!(
        get(&app, &format!("/files/{v1}"), Some(&app.token)).await.0,
        404
    );
}

async fn declared_types_must_match_the_bytes(app: TestApp) {
    let ada = contact(&app, json!({ "firstName": "Ada", "lastName": "Byron" })).await;
    let input = json!({ "input": { "recordId": ada } });
    let lied = send(
        &app.base,
        &app.token,
        UPLOAD,
        input.clone(),
        ("photo.pdf", "application/pdf", PNG),
    )
    .await;
    assert_eq!(error_code(&lied), "BAD_USER_INPUT", "{lied}");
    assert_eq!(lied["errors"][0]["extensions"]["field"], "file", "{lied}");
    let latin = send(
        &app.base,
        &app.token,
        UPLOAD,
        input.clone(),
        ("list.csv", "text/csv", b"name\nZo\xeb\n"),
    )
    .await;
    assert_eq!(error_code(&latin), "BAD_USER_INPUT", "{latin}");
    // Nothing was kept of either.
    assert!(stored_files(&app).is_empty());
    let data = app
        .data(
            "{ contacts(first: 1) { nodes { documents { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["contacts"]["nodes"][0]["documents"], json!([]));
    // Undeclared, the type comes from the bytes.
    let png = upload(
        &app,
        &app.token,
        &ada,
        ("photo", "application/octet-stream", PNG),
    )
    .await;
    assert_eq!(png["revision"]["contentType"], "image/png");
    // Records that keep no documents, and ids that are none.
    let (pipeline, _) = crate::fixtures::pipeline(&app, "Sales").await;
    let wrong = send(
        &app.base,
        &app.token,
        UPLOAD,
        json!({ "input": { "recordId": pipeline } }),
        ("a.pdf", "application/pdf", PDF),
    )
    .await;
    assert_eq!(
        wrong["errors"][0]["extensions"]["field"], "input.recordId",
        "{wrong}"
    );
    let empty_name = send(
        &app.base,
        &app.token,
        UPLOAD,
        input,
        ("", "application/pdf", PDF),
    )
    .await;
    assert_eq!(error_code(&empty_name), "BAD_USER_INPUT", "{empty_name}");
}

async fn uploads_follow_the_roles_of_their_record(app: TestApp) {
    let ada = contact(&app, json!({ "firstName": "Ada", "lastName": "Byron" })).await;
    let issue = ticket(&app, json!({ "subject": "Printer on fire" })).await;
    let (pipeline, _) = crate::fixtures::pipeline(&app, "Sales").await;
    let admins_deal = deal(
        &app,
        json!({ "name": "Big one", "amount": "100.00", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    let viewer = member_token(&app.state, app.workspace_id, Role::Viewer).await;
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let sales = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let pdf = ("a.pdf", "application/pdf", PDF);
    let try_upload = |token: String, record: String| {
        let base = app.base.clone();
        async move {
            send(
                &base,
                &token,
                UPLOAD,
                json!({ "input": { "recordId": record } }),
                pdf,
            )
            .await
        }
    };
    assert_eq!(
        error_code(&try_upload(viewer.clone(), ada.clone()).await),
        "FORBIDDEN"
    );
    assert_eq!(
        error_code(&try_upload(support.clone(), ada.clone()).await),
        "FORBIDDEN"
    );
    let on_ticket = try_upload(support.clone(), issue.clone()).await;
    assert!(on_ticket.get("errors").is_none(), "{on_ticket}");
    // SALES changes its own and unowned deals only.
    assert_eq!(
        error_code(&try_upload(sales.clone(), admins_deal.clone()).await),
        "FORBIDDEN"
    );
    let owned = mutate(
        &app,
        "mutation($id: ID!) { updateDeal(id: $id, input: { ownerId: null }) { deal { id } } }",
        json!({ "id": admins_deal }),
    )
    .await;
    assert!(owned["deal"]["id"].is_string());
    let unowned = try_upload(sales.clone(), admins_deal.clone()).await;
    assert!(unowned.get("errors").is_none(), "{unowned}");
    // Every role reads what it can read the record of: VIEWER downloads.
    let revision = on_ticket["data"]["uploadDocument"]["revision"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        get(&app, &format!("/files/{revision}"), Some(&viewer))
            .await
            .0,
        200
    );
    // VIEWER deletes nothing.
    let document = on_ticket["data"]["uploadDocument"]["document"]["id"].clone();
    let refused = app
        .gql_as(
            &viewer,
            "mutation($id: ID!) { deleteDocument(id: $id) { deletedDocumentId } }",
            json!({ "id": document }),
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
}

async fn documents_follow_their_record(app: TestApp) {
    let ada = contact(
        &app,
        json!({ "firstName": "Ada", "lastName": "Byron", "email": "ada@example.com" }),
    )
    .await;
    let twin = contact(&app, json!({ "firstName": "Ada", "lastName": "Lovelace" })).await;
    let kept = upload(
        &app,
        &app.token,
        &twin,
        ("twin.pdf", "application/pdf", PDF),
    )
    .await;
    let uploaded = upload(&app, &app.token, &ada, ("ada.pdf", "application/pdf", PDF)).await;
    let path = format!("/files/{}", uploaded["revision"]["id"].as_str().unwrap());

    // Deleted with the record, back with its restore.
    crate::fixtures::delete_contact(&app, &ada).await;
    assert_eq!(get(&app, &path, Some(&app.token)).await.0, 404);
    let hidden = send(
        &app.base,
        &app.token,
        REVISE,
        json!({ "id": uploaded["document"]["id"] }),
        ("b.pdf", "application/pdf", PDF),
    )
    .await;
    assert_eq!(error_code(&hidden), "NOT_FOUND", "{hidden}");
    mutate(
        &app,
        "mutation($id: ID!) { restoreContact(id: $id) { contact { id } } }",
        json!({ "id": ada }),
    )
    .await;
    assert_eq!(get(&app, &path, Some(&app.token)).await.0, 200);

    // A merge moves the merged contact's documents to the survivor.
    mutate(&app, "mutation($survivor: ID!, $merged: [ID!]!) { mergeContacts(survivorId: $survivor, mergedIds: $merged) { contact { id } } }", json!({ "survivor": ada, "merged": [twin] })).await;
    let query =
        "query($id: ID!) { node(id: $id) { ... on Contact { documents { title recordId } } } }";
    let data = app.data(query, json!({ "id": ada })).await;
    let titles: Vec<&str> = data["node"]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["twin.pdf", "ada.pdf"], "{data}");
    let moved = format!("/files/{}", kept["revision"]["id"].as_str().unwrap());
    assert_eq!(get(&app, &moved, Some(&app.token)).await.0, 200);

    // Erasure removes the person's files for good.
    assert_eq!(stored_files(&app).len(), 2);
    mutate(
        &app,
        "mutation($id: ID!) { eraseContact(id: $id, reason: \"Article 17\") { contact { id } } }",
        json!({ "id": ada }),
    )
    .await;
    assert_eq!(get(&app, &path, Some(&app.token)).await.0, 404);
    assert!(stored_files(&app).is_empty());

    // Deleting the workspace deletes its files; the other workspace's stay.
    let other = contact_in_other(&app).await;
    let theirs = upload(
        &app,
        &app.other_token,
        &other,
        ("theirs.pdf", "application/pdf", PDF),
    )
    .await;
    let ours = contact(&app, json!({ "firstName": "Grace", "lastName": "Hopper" })).await;
    upload(
        &app,
        &app.token,
        &ours,
        ("ours.pdf", "application/pdf", PDF),
    )
    .await;
    assert_eq!(stored_files(&app).len(), 2);
    let deleted = rapport_core::ops::workspace::delete(&app.state.core, app.workspace_id)
        .await
        .unwrap();
    assert_eq!(deleted.files, 1);
    let left = stored_files(&app);
    assert_eq!(left.len(), 1);
    let theirs = format!("/files/{}", theirs["revision"]["id"].as_str().unwrap());
    assert_eq!(get(&app, &theirs, Some(&app.other_token)).await.0, 200);
}

/// A contact in the second workspace.
async fn contact_in_other(app: &TestApp) -> String {
    let created = app.gql_as(&app.other_token, "mutation { createContact(input: { firstName: \"Other\", lastName: \"Person\" }) { contact { id } } }", json!({})).await;
    created["data"]["createContact"]["contact"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn a_large_file_streams_in_parts(app: TestApp) {
    let ada = contact(&app, json!({ "firstName": "Ada", "lastName": "Byron" })).await;
    // 20 MiB of text: three parts of the store's 8 MiB.
    let line = b"A quick brown fox jumps over the lazy dog, again and again.\n";
    let big: Vec<u8> = line
        .iter()
        .copied()
        .cycle()
        .take(20 * 1024 * 1024)
        .collect();
    let uploaded = upload(&app, &app.token, &ada, ("big.txt", "text/plain", &big)).await;
    assert_eq!(uploaded["revision"]["size"], big.len());
    assert_eq!(uploaded["revision"]["sha256"], sha256(&big));
    let path = format!("/files/{}", uploaded["revision"]["id"].as_str().unwrap());
    let (status, headers, body) = get(&app, &path, Some(&app.token)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-length"], big.len().to_string().as_str());
    assert_eq!(sha256(&body), sha256(&big));
}

async fn a_file_over_the_limit_is_refused_and_nothing_is_kept(app: TestApp) {
    let ada = contact(&app, json!({ "firstName": "Ada", "lastName": "Byron" })).await;
    let big = vec![b'x'; 2_000];
    let answer = send(
        &app.base,
        &app.token,
        UPLOAD,
        json!({ "input": { "recordId": ada } }),
        ("big.txt", "text/plain", &big),
    )
    .await;
    assert_eq!(error_code(&answer), "BAD_USER_INPUT", "{answer}");
    assert_eq!(
        answer["errors"][0]["extensions"]["field"], "file",
        "{answer}"
    );
    assert!(stored_files(&app).is_empty());
    let data = app
        .data(
            "{ contacts(first: 1) { nodes { documents { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["contacts"]["nodes"][0]["documents"], json!([]));
}
