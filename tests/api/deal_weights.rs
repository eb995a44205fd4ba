//! Each deal's stored weighted amount (amount × its stage's probability,
//! rounded half up to the currency) follows every change to its amount,
//! currency, stage and its stage's probability.

use rapport::domain::money;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, on_both_databases};
use crate::stored_figures::numbered;

on_both_databases!(deal_weights_follow_amounts_stages_and_probabilities);

/// Each deal's stored weighted amount and what its amount and stage give.
async fn check_weights(app: &TestApp, after: &str) {
    let sql = r#"SELECT "d"."id" AS "id", "d"."amount_e4" AS "amount", "d"."currency" AS "currency", "d"."weighted_amount_e4" AS "weighted", "s"."win_probability" AS "p" FROM "deal" AS "d" JOIN "stage" AS "s" ON "s"."workspace_id" = "d"."workspace_id" AND "s"."id" = "d"."stage_id" WHERE "d"."workspace_id" = ?"#;
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            numbered(backend, sql),
            [app.workspace_id.into()],
        ))
        .await
        .expect("deals");
    assert!(!rows.is_empty());
    for row in rows {
        let id: Uuid = row.try_get("", "id").unwrap();
        let amount: i64 = row.try_get("", "amount").unwrap();
        let currency: String = row.try_get("", "currency").unwrap();
        let p: i32 = row.try_get("", "p").unwrap();
        let stored: i64 = row.try_get("", "weighted").unwrap();
        assert_eq!(
            stored,
            money::weighted_e4(amount, &currency, p),
            "deal {id} after {after}"
        );
    }
}

pub(crate) async fn deal_weights_follow_amounts_stages_and_probabilities(app: TestApp) {
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    let deal = fixtures::deal(
        &app,
        json!({ "name": "D", "amount": "1000.05", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    let kuwait = fixtures::deal(
        &app,
        json!({ "name": "K", "amount": "0.145", "currency": "KWD", "pipelineId": pipeline, "stageId": stages[1] }),
    )
    .await;
    check_weights(&app, "created").await;
    for (after, query, variables) in [
        (
            "amount changed",
            "mutation($id: ID!) { updateDeal(id: $id, input: { amount: \"2000.15\" }) { deal { id } } }",
            json!({ "id": deal }),
        ),
        (
            "currency changed",
            "mutation($id: ID!) { updateDeal(id: $id, input: { currency: \"JPY\", amount: \"2001\" }) { deal { id } } }",
            json!({ "id": deal }),
        ),
        (
            "moved",
            "mutation($id: ID!, $s: ID!) { moveDeal(id: $id, stageId: $s) { deal { id } } }",
            json!({ "id": deal, "s": stages[1] }),
        ),
        (
            "closed",
            "mutation($id: ID!) { closeDeal(id: $id, outcome: WON, reason: \"Price\") { deal { id } } }",
            json!({ "id": deal }),
        ),
        (
            "probability changed",
            "mutation($s: ID!) { updateStage(id: $s, input: { winProbability: 33 }) { stage { id } } }",
            json!({ "s": stages[1] }),
        ),
        (
            "deleted",
            "mutation($id: ID!) { deleteDeal(id: $id) { deal { id } } }",
            json!({ "id": kuwait }),
        ),
        (
            "restored",
            "mutation($id: ID!) { restoreDeal(id: $id) { deal { id } } }",
            json!({ "id": kuwait }),
        ),
    ] {
        mutate(&app, query, variables).await;
        check_weights(&app, after).await;
    }
    // 0.145 KWD × 33% = 0.04785, rounded half up to fils: the field, the
    // filter and the sort read the same stored amount.
    let data = app
        .data("{ deals(filter: { figures: { weightedAmount: { eq: 0.048 } } }, orderBy: [{ field: WEIGHTED_AMOUNT, direction: DESC }]) { nodes { name weightedAmount } } }", json!({}))
        .await;
    assert_eq!(
        data["deals"]["nodes"],
        json!([{ "name": "K", "weightedAmount": "0.048" }])
    );
}
