//! History: who changed what and when, field by field.

use entity::enums::Role;
use serde_json::json;

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(every_change_is_recorded_with_its_author_and_fields);

const HISTORY: &str = "query($id: ID!) { history(recordId: $id) { edges { node { kind member { id } apiKey { name } changes { field before after } } } } }";

async fn every_change_is_recorded_with_its_author_and_fields(app: TestApp) {
    let sales = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let sales_id = app.gql_as(&sales, "{ me { id } }", json!({})).await["data"]["me"]["id"].clone();
    let id = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let renamed = app
        .gql_as(
            &sales,
            "mutation($id: ID!) { updateCompany(id: $id, input: { name: \"Acme Corp\" }) { company { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(renamed.get("errors").is_none(), "{renamed}");
    let key = mutate(
        &app,
        "mutation { createApiKey(input: { name: \"Enricher\", role: SALES }) { key } }",
        json!({}),
    )
    .await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let enriched = app
        .gql_as(
            &key,
            "mutation($id: ID!) { updateCompany(id: $id, input: { industry: \"Retail\" }) { company { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(enriched.get("errors").is_none(), "{enriched}");

    let history = app.data(HISTORY, json!({ "id": id })).await["history"]["edges"].clone();
    let entries = history.as_array().unwrap();
    assert_eq!(entries.len(), 3, "{history}");
    let (newest, middle, oldest) = (
        &entries[0]["node"],
        &entries[1]["node"],
        &entries[2]["node"],
    );
    assert_eq!(newest["apiKey"]["name"], "Enricher");
    assert_eq!(
        newest["changes"],
        json!([{ "field": "industry", "before": null, "after": "Retail" }])
    );
    assert_eq!(middle["kind"], "company.updated");
    assert_eq!(middle["member"]["id"], sales_id);
    assert_eq!(
        middle["changes"],
        json!([{ "field": "name", "before": "Acme", "after": "Acme Corp" }])
    );
    assert_eq!(oldest["kind"], "company.created");
    assert!(
        oldest["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "name" && c["after"] == "Acme")
    );

    // Deals: a move shows the stage, amounts show as decimals.
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    let deal = fixtures::deal(
        &app,
        json!({ "name": "D", "amount": "1200.50", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    mutate(
        &app,
        "mutation($id: ID!, $s: ID!) { moveDeal(id: $id, stageId: $s) { deal { id } } }",
        json!({ "id": deal, "s": stages[1] }),
    )
    .await;
    let deal_history = app
        .data("query($id: ID!) { node(id: $id) { ... on Deal { history(first: 5) { edges { node { kind changes { field after } } } } } } }", json!({ "id": deal }))
        .await;
    let entries = deal_history["node"]["history"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(entries[0]["node"]["kind"], "deal.moved");
    assert!(
        entries[0]["node"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "stageId")
    );
    assert!(
        entries[1]["node"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "amount" && c["after"] == "1200.5")
    );

    // Only ADMIN and MANAGER read history; another workspace sees none.
    assert_eq!(
        error_code(&app.gql_as(&sales, HISTORY, json!({ "id": id })).await),
        "FORBIDDEN"
    );
    let other = app
        .gql_as(&app.other_token, HISTORY, json!({ "id": id }))
        .await;
    assert_eq!(other["data"]["history"]["edges"], json!([]));
}
