//! Trusted documents: the server started with a manifest that a client's
//! own build tool wrote (the Relay compiler's `persistConfig` output, GraphQL
//! Code Generator's client preset `persisted-documents.json`) runs the
//! documents it lists, by id, by hash or as their exact text, and refuses
//! every other with a code.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::clients::{clients_dir, node, run};
use crate::helpers::{Backend, TestApp, error_code, spawn_app_with};
use crate::persisted::{post, sha256};

/// The operation both tools list, and a text neither lists.
const OPERATION: &str = "query RecordHistoryQuery";
const UNLISTED: &str = "query NotShipped { me { id } }";

/// Writes the Relay compiler's persisted queries (MD5 id → text).
fn relay_manifest(node: &Path) -> PathBuf {
    let manifest = clients_dir().join("generated/relay-persisted.json");
    // The compiler persists only the documents whose artifacts it writes:
    // from an empty artifact directory, all of them.
    let artifacts = clients_dir().join("generated/relay-persisted");
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).expect("artifact directory");
    // The compiler adds to the file it persists into, which must exist.
    std::fs::write(&manifest, "{}").expect("empty manifest");
    run(
        node,
        "node_modules/.bin/relay-compiler",
        &["relay.persist.config.json"],
    );
    manifest
}

/// Writes GraphQL Code Generator's persisted documents (hash → text).
fn codegen_manifest(node: &Path) -> PathBuf {
    run(
        node,
        "node_modules/.bin/graphql-codegen",
        &["--config", "codegen.persist.yml"],
    );
    clients_dir().join("generated/codegen-persisted/persisted-documents.json")
}

/// The id and text of [`OPERATION`] in `manifest`.
fn listed(manifest: &Path) -> (String, String) {
    let text = std::fs::read_to_string(manifest).expect("manifest written");
    let documents: Map<String, Value> = serde_json::from_str(&text).expect("a JSON object");
    documents
        .into_iter()
        .find_map(|(id, text)| {
            let text = text.as_str()?.to_owned();
            text.starts_with(OPERATION).then_some((id, text))
        })
        .unwrap_or_else(|| panic!("{OPERATION} is not in {}", manifest.display()))
}

async fn trusted_app(manifest: PathBuf) -> TestApp {
    spawn_app_with(Backend::Sqlite, move |config| {
        config.trusted_documents = Some(manifest);
    })
    .await
    .expect("app")
}

/// Listed documents run by id, by hash and by text; others are refused.
async fn only_listed_documents_run(app: &TestApp, id: &str, text: &str) {
    // A record without history: what matters is that the document runs.
    let record = rapport::graphql::ids::encode(rapport_core::Kind::Company, Uuid::now_v7());
    let variables = json!({ "recordId": record, "last": 5 });
    for body in [
        json!({ "doc_id": id, "variables": variables }),
        json!({ "documentId": id, "variables": variables }),
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(text) } }, "variables": variables }),
        json!({ "query": text, "variables": variables }),
    ] {
        let (status, answer) = post(&app.base, &app.token, body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert!(answer.get("errors").is_none(), "{answer}");
        assert_eq!(answer["data"]["history"]["totalCount"], 0, "{answer}");
    }
    let (status, refused) = post(&app.base, &app.token, json!({ "query": UNLISTED })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&refused), "PERSISTED_QUERY_NOT_IN_LIST");
    // Registering a document is no way around the list.
    let hash = sha256(UNLISTED);
    let register = json!({ "query": UNLISTED, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    let (_, refused) = post(&app.base, &app.token, register).await;
    assert_eq!(error_code(&refused), "PERSISTED_QUERY_NOT_IN_LIST");
    let by_hash =
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    let (_, unknown) = post(&app.base, &app.token, by_hash).await;
    assert_eq!(error_code(&unknown), "PERSISTED_QUERY_NOT_FOUND");
    let (_, unknown) = post(&app.base, &app.token, json!({ "doc_id": "0123abcd" })).await;
    assert_eq!(error_code(&unknown), "PERSISTED_QUERY_NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_compiler_manifest_locks_the_server_to_its_documents() {
    let Some(node) = node() else { return };
    let manifest = tokio::task::spawn_blocking(move || relay_manifest(&node))
        .await
        .expect("relay-compiler ran");
    let (id, text) = listed(&manifest);
    let app = trusted_app(manifest).await;
    only_listed_documents_run(&app, &id, &text).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graphql_codegen_manifest_locks_the_server_to_its_documents() {
    let Some(node) = node() else { return };
    let manifest = tokio::task::spawn_blocking(move || codegen_manifest(&node))
        .await
        .expect("graphql-codegen ran");
    let (id, text) = listed(&manifest);
    let app = trusted_app(manifest).await;
    only_listed_documents_run(&app, &id, &text).await;
}
