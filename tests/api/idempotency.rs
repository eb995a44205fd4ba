//! No lost updates and no double writes: idempotent retries, concurrent
//! duplicates, and concurrent updates racing on one version.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{TestApp, error_code, on_both_databases};

on_both_databases!(
    a_retry_with_the_same_key_replays_the_first_response,
    concurrent_duplicates_execute_once,
    concurrent_updates_on_one_version_let_exactly_one_win,
);

const CREATE: &str =
    "mutation($name: String!) { createCompany(input: { name: $name }) { company { id name } } }";

/// A POST with `key` as workspace A's admin.
async fn post_with_key(app: &TestApp, key: &str, body: &Value) -> (u16, bool, Value) {
    crate::faults::post_with_key(app, &app.token, key, body).await
}

async fn a_retry_with_the_same_key_replays_the_first_response(app: TestApp) {
    let body = json!({ "query": CREATE, "variables": { "name": "Once" } });
    let (status, replayed, first) = post_with_key(&app, "order-42", &body).await;
    assert_eq!((status, replayed), (200, false), "{first}");
    let (status, replayed, retry) = post_with_key(&app, "order-42", &body).await;
    assert_eq!((status, replayed), (200, true));
    assert_eq!(retry, first, "the same company, not a second one");
    assert_eq!(crate::faults::companies(&app).await, 1);

    let other = json!({ "query": CREATE, "variables": { "name": "Something else" } });
    let (status, _, refused) = post_with_key(&app, "order-42", &other).await;
    assert_eq!(status, 422);
    assert_eq!(error_code(&refused), "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(crate::faults::companies(&app).await, 1);

    // Keys belong to their sender: another member's same key is theirs.
    let response = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.other_token)
        .header("idempotency-key", "order-42")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(!response.headers().contains_key("idempotent-replayed"));
}

async fn concurrent_duplicates_execute_once(app: TestApp) {
    let body = json!({ "query": CREATE, "variables": { "name": "Raced" } });
    let attempts = (0..8).map(|_| post_with_key(&app, "double-click", &body));
    let results = join_all(attempts).await;
    let first = &results[0].2;
    for (status, _, response) in &results {
        assert_eq!(*status, 200, "{response}");
        assert_eq!(response, first, "every duplicate answers the same");
    }
    assert_eq!(
        results.iter().filter(|(_, replayed, _)| !replayed).count(),
        1
    );
    assert_eq!(crate::faults::companies(&app).await, 1);
}

async fn concurrent_updates_on_one_version_let_exactly_one_win(app: TestApp) {
    let id = fixtures::company(&app, json!({ "name": "Contested" })).await;
    let update = "mutation($id: ID!, $name: String!) { updateCompany(id: $id, input: { name: $name }, expectedVersion: 1) { company { name version } } }";
    let attempts =
        (0..8).map(|n| app.gql(update, json!({ "id": id, "name": format!("Writer {n}") })));
    let results = join_all(attempts).await;
    let winners: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("errors").is_none())
        .collect();
    assert_eq!(winners.len(), 1, "{results:#?}");
    for loser in results.iter().filter(|r| r.get("errors").is_some()) {
        assert_eq!(error_code(loser), "CONFLICT", "{loser}");
    }
    let now = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Company { name version } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(now["node"]["version"], 2);
    assert_eq!(
        now["node"]["name"],
        winners[0]["data"]["updateCompany"]["company"]["name"]
    );
}
