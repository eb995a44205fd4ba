//! Documents kept in a real S3 API (moto in server mode on loopback): a
//! server process with `RAPPORT_FILES=s3://bucket/prefix` writes each
//! revision as an object under the workspace's prefix (a large one as a
//! multipart upload), serves it back, and deletes it with its document.

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::common::postgres;
use crate::common::s3::{self, S3Server};
use crate::common::server::ServerProcess;
use crate::documents::{PDF, UPLOAD, send};
use crate::processes::{post, prepared};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_live_in_an_s3_bucket_on_sqlite() {
    let Some(s3) = s3::start().await else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/rapport.db?mode=rwc", dir.path().display());
    round_trip(&s3, url, "on-sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_live_in_an_s3_bucket_on_postgres() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let Some(s3) = s3::start().await else { return };
    round_trip(&s3, cluster.create_database(None), "on-postgres").await;
}

async fn round_trip(s3: &S3Server, url: String, prefix: &str) {
    let (url, token) = prepared(url).await;
    let env = s3.env(prefix);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = ServerProcess::start(&url, &env);
    let base = &server.base;
    let created = post(base, &token, "mutation { createContact(input: { firstName: \"Ada\", lastName: \"Byron\" }) { contact { id } } }", json!({})).await;
    let contact = created["createContact"]["contact"]["id"].clone();
    let input = json!({ "input": { "recordId": contact } });

    // 12 MiB: two parts of a multipart upload.
    let big: Vec<u8> = (0..12 * 1024 * 1024u32)
        .map(|i| b"0123456789abcdef\n"[(i % 17) as usize])
        .collect();
    let large = send(
        base,
        &token,
        UPLOAD,
        input.clone(),
        ("big.txt", "text/plain", &big),
    )
    .await;
    assert!(large.get("errors").is_none(), "{large}");
    let small = send(
        base,
        &token,
        UPLOAD,
        input,
        ("offer.pdf", "application/pdf", PDF),
    )
    .await;
    assert!(small.get("errors").is_none(), "{small}");

    let keys = s3.keys(prefix).await;
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.iter()
            .all(|key| key.starts_with(&format!("{prefix}/"))),
        "{keys:?}"
    );

    for (answer, bytes) in [(&large, big.as_slice()), (&small, PDF)] {
        let revision = &answer["data"]["uploadDocument"]["revision"];
        let digest: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(revision["sha256"], digest);
        let response = reqwest::Client::new()
            .get(format!("{base}/files/{}", revision["id"].as_str().unwrap()))
            .bearer_auth(&token)
            .send()
            .await
            .expect("GET sent");
        assert_eq!(response.status(), 200);
        assert_eq!(response.bytes().await.expect("body").as_ref(), bytes);
    }

    let document = &large["data"]["uploadDocument"]["document"]["id"];
    post(
        base,
        &token,
        "mutation($id: ID!) { deleteDocument(id: $id) { deletedDocumentId } }",
        json!({ "id": document }),
    )
    .await;
    assert_eq!(s3.keys(prefix).await.len(), 1);
}
