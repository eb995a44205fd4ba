//! Deleting and restoring the records that hold others: a stage or a
//! pipeline with live deals is refused on `id`, an emptied one is
//! soft-deleted and restored with its version checked; a survey answer
//! likewise (it holds nothing).

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, on_both_databases};

on_both_databases!(stages_and_pipelines_holding_deals_stay_and_the_rest_delete_and_restore);

const STAGE: &str = "mutation($id: ID!, $v: Int) { deleteStage(id: $id, expectedVersion: $v) { stage { id version deletedAt } } }";
const RESTORE_STAGE: &str = "mutation($id: ID!, $v: Int) { restoreStage(id: $id, expectedVersion: $v) { stage { id version deletedAt } } }";
const PIPELINE: &str =
    "mutation($id: ID!) { deletePipeline(id: $id) { pipeline { id deletedAt } } }";
const RESTORE_PIPELINE: &str =
    "mutation($id: ID!) { restorePipeline(id: $id) { pipeline { id deletedAt } } }";
const SURVEY: &str =
    "mutation($id: ID!) { deleteSurveyResponse(id: $id) { surveyResponse { id deletedAt } } }";
const RESTORE_SURVEY: &str =
    "mutation($id: ID!) { restoreSurveyResponse(id: $id) { surveyResponse { id deletedAt } } }";

async fn refused_on_id(app: &TestApp, query: &str, variables: Value) {
    let response = app.gql(query, variables).await;
    assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response}");
    assert_eq!(
        response["errors"][0]["extensions"]["field"], "id",
        "{response}"
    );
}

async fn stages_and_pipelines_holding_deals_stay_and_the_rest_delete_and_restore(app: TestApp) {
    let (pipeline, stages) = fixtures::pipeline(&app, "Held").await;
    let deal = fixtures::deal(
        &app,
        json!({ "name": "Held", "amount": "100", "currency": "EUR", "pipelineId": pipeline, "stageId": stages[0] }),
    )
    .await;
    assert!(!deal.is_empty());

    // The deal's stage and pipeline hold it.
    refused_on_id(&app, STAGE, json!({ "id": stages[0] })).await;
    refused_on_id(&app, PIPELINE, json!({ "id": pipeline })).await;

    // An empty stage: a stale version is refused, the current one deletes it.
    let deleted = app.gql(STAGE, json!({ "id": stages[1], "v": 99 })).await;
    assert_eq!(error_code(&deleted), "CONFLICT", "{deleted}");
    let deleted = mutate(&app, STAGE, json!({ "id": stages[1], "v": 1 })).await["stage"].clone();
    assert!(deleted["deletedAt"].is_string(), "{deleted}");
    let version = deleted["version"].clone();
    let restored = mutate(
        &app,
        RESTORE_STAGE,
        json!({ "id": stages[1], "v": version }),
    )
    .await["stage"]
        .clone();
    assert!(restored["deletedAt"].is_null(), "{restored}");

    // A pipeline without deals.
    let (empty, _) = fixtures::pipeline(&app, "Empty").await;
    let gone = mutate(&app, PIPELINE, json!({ "id": empty })).await;
    assert!(gone["pipeline"]["deletedAt"].is_string(), "{gone}");
    let back = mutate(&app, RESTORE_PIPELINE, json!({ "id": empty })).await;
    assert!(back["pipeline"]["deletedAt"].is_null(), "{back}");

    // A survey answer.
    let contact =
        fixtures::contact(&app, json!({ "firstName": "Ada", "lastName": "Answer" })).await;
    let answer = mutate(
        &app,
        "mutation($input: CreateSurveyResponseInput!) { createSurveyResponse(input: $input) { surveyResponse { id } } }",
        json!({ "input": { "contactId": contact, "kind": "NPS", "score": 9 } }),
    )
    .await["surveyResponse"]["id"]
        .clone();
    let gone = mutate(&app, SURVEY, json!({ "id": answer })).await;
    assert!(gone["surveyResponse"]["deletedAt"].is_string(), "{gone}");
    let back = mutate(&app, RESTORE_SURVEY, json!({ "id": answer })).await;
    assert!(back["surveyResponse"]["deletedAt"].is_null(), "{back}");

    // An id of another kind is refused on `id` before anything runs.
    refused_on_id(&app, PIPELINE, json!({ "id": stages[1] })).await;
}
