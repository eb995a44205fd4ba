//! Automatic persisted queries, as Apollo clients use them: a hash alone
//! first (`PERSISTED_QUERY_NOT_FOUND` until the server knows it), then the
//! hash with the text (registered after its hash is checked), over POST and
//! over GET, where answers carry what a CDN caches by and mutations are
//! refused; with Redis, what one instance registers every instance knows.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CACHE_CONTROL, ETAG, IF_NONE_MATCH, VARY};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::server::ServerProcess;
use crate::common::{postgres, redis};
use crate::helpers::{Backend, TestApp, error_code, spawn_app};

const ME: &str = "query Persisted { me { id name } }";

pub fn sha256(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

fn by_hash(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// POSTs `body` to `base` as `token`, accepting plain JSON as Apollo clients
/// do; returns the status and the body.
pub async fn post(base: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .header(ACCEPT, "application/json")
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    (status, response.json().await.expect("JSON"))
}

/// `GET /graphql` with `params` in the query string.
async fn get(app: &TestApp, params: &[(&str, String)], etag: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .get(format!("{}/graphql", app.base))
        .header(ACCEPT, "application/json")
        .bearer_auth(&app.token)
        .query(params);
    if let Some(etag) = etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    request.send().await.expect("request sent")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hash_is_unknown_until_registered_with_its_text_then_runs_alone() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let hash = sha256(ME);
    let alone = json!({ "extensions": by_hash(&hash) });

    let (status, miss) = post(&app.base, &app.token, alone.clone()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "Apollo clients read the miss from a 200"
    );
    assert_eq!(error_code(&miss), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(miss["errors"][0]["message"], "PersistedQueryNotFound");
    assert!(miss.get("data").is_none());

    let (status, registered) = post(
        &app.base,
        &app.token,
        json!({ "query": ME, "extensions": by_hash(&hash) }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let me = registered["data"]["me"].clone();
    assert!(me["id"].is_string(), "{registered}");

    let (status, hit) = post(&app.base, &app.token, alone).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hit["data"]["me"], me);

    // A text that is not what the hash says is refused, and not registered.
    let other = "query Other { me { id } }";
    let (status, mismatch) = post(
        &app.base,
        &app.token,
        json!({ "query": other, "extensions": by_hash(&hash) }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&mismatch), "PERSISTED_QUERY_HASH_MISMATCH");
    let (_, still) = post(
        &app.base,
        &app.token,
        json!({ "extensions": by_hash(&hash) }),
    )
    .await;
    assert_eq!(still["data"]["me"], me);

    for (extension, what) in [
        (json!({ "version": 2, "sha256Hash": hash }), "version"),
        (json!({ "version": 1, "sha256Hash": "abc" }), "sha256Hash"),
    ] {
        let body = json!({ "extensions": { "persistedQuery": extension } });
        let (status, refused) = post(&app.base, &app.token, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error_code(&refused), "BAD_REQUEST");
        let message = refused["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(what), "{message}");
    }

    // Under the GraphQL-over-HTTP media type a request that never ran is a 400.
    let unknown = json!({ "extensions": by_hash(&sha256("{ me { name } }")) });
    let response = app
        .client
        .post(format!("{}/graphql", app.base))
        .header(ACCEPT, "application/graphql-response+json")
        .bearer_auth(&app.token)
        .json(&unknown)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_by_hash_answers_with_cache_headers_and_never_runs_a_mutation() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let query = "query Companies($first: Int!) { companies(first: $first) { totalCount } }";
    let hash = sha256(query);
    let params = |with_query: bool| {
        let mut params = vec![
            ("extensions", by_hash(&hash).to_string()),
            ("variables", json!({ "first": 5 }).to_string()),
        ];
        if with_query {
            params.push(("query", query.to_owned()));
        }
        params
    };
    let miss: Value = get(&app, &params(false), None)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(error_code(&miss), "PERSISTED_QUERY_NOT_FOUND");

    // Registered over GET, as Apollo's `useGETForHashedQueries` retries.
    let registered = get(&app, &params(true), None).await;
    assert_eq!(registered.status(), StatusCode::OK);
    let response = get(&app, &params(false), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers[CACHE_CONTROL], "no-cache");
    let vary = headers[VARY].to_str().expect("text").to_ascii_lowercase();
    assert!(vary.contains("authorization"), "{vary}");
    let etag = headers[ETAG].to_str().expect("text").to_owned();
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["data"]["companies"]["totalCount"], 0);

    // The same answer again: 304 without a body.
    let unchanged = get(&app, &params(false), Some(&etag)).await;
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    // A change makes a new answer with a new tag.
    app.data(
        "mutation { createCompany(input: { name: \"Acme\" }) { company { id } } }",
        json!({}),
    )
    .await;
    let changed = get(&app, &params(false), Some(&etag)).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()[ETAG].to_str().expect("text"), etag);

    // A mutation registered over POST (where it runs) is refused over GET by hash.
    let mutation =
        "mutation Register { createCompany(input: { name: \"Beta\" }) { company { id } } }";
    let hash = sha256(mutation);
    let (status, _) = post(
        &app.base,
        &app.token,
        json!({ "query": mutation, "extensions": by_hash(&hash) }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let refused = get(&app, &[("extensions", by_hash(&hash).to_string())], None).await;
    assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(refused.headers()["allow"], "POST");
    let total = app
        .data("{ companies(first: 1) { totalCount } }", json!({}))
        .await;
    assert_eq!(total["companies"]["totalCount"], 2, "the GET ran nothing");

    // An answer with errors is not cached.
    let failing = get(
        &app,
        &[(
            "query",
            "{ companies(first: -1) { totalCount } }".to_owned(),
        )],
        None,
    )
    .await;
    assert_eq!(failing.headers()[CACHE_CONTROL], "no-store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_answers_carry_the_configured_max_age() {
    let app = crate::helpers::spawn_app_with(Backend::Sqlite, |config| {
        config.get_max_age_seconds = 60;
    })
    .await
    .expect("app");
    let response = get(&app, &[("query", ME.to_owned())], None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=60");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_a_document_registered_on_one_instance_runs_on_another() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let Some(redis) = redis::start() else { return };
    let (url, token) = crate::shared_limits::prepared(cluster).await;
    let redis_url = redis.url();
    let env = [("REDIS_URL", redis_url.as_str())];
    let (first, second) = (
        ServerProcess::start(&url, &env),
        ServerProcess::start(&url, &env),
    );
    let hash = sha256(ME);
    let alone = json!({ "extensions": by_hash(&hash) });
    let (_, miss) = post(&second.base, &token, alone.clone()).await;
    assert_eq!(error_code(&miss), "PERSISTED_QUERY_NOT_FOUND");
    let (_, registered) = post(
        &first.base,
        &token,
        json!({ "query": ME, "extensions": by_hash(&hash) }),
    )
    .await;
    assert!(registered["data"]["me"]["id"].is_string(), "{registered}");
    let (status, hit) = post(&second.base, &token, alone).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hit["data"], registered["data"]);
}
