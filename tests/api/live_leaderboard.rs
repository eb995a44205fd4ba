//! The live leaderboard (`leaderboardUpdates`): the `leaderboard` query's
//! answer, pushed again when a deal is won and when a goal changes.

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};
use crate::ws::WsClient;
use entity::enums::Role;

on_both_databases!(a_won_deal_and_a_goal_change_push_the_leaderboard);

const ENTRIES: &str = "member { id name } wonCount wonAmount { currency amount count } \
                       commission { currency amount } goals { goal { id quota } won attainment }";

/// The period every test figure falls in.
fn period() -> Value {
    json!({ "from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z" })
}

/// What the `leaderboard` query answers now.
async fn queried(app: &TestApp, pipeline: &str) -> Value {
    let query = format!(
        "query($period: PeriodInput!, $id: ID) {{ leaderboard(period: $period, pipelineId: $id) {{ {ENTRIES} }} }}"
    );
    let data = app
        .data(&query, json!({ "period": period(), "id": pipeline }))
        .await;
    data["leaderboard"].clone()
}

async fn a_won_deal_and_a_goal_change_push_the_leaderboard(app: TestApp) {
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    let me = app.data("{ me { id } }", json!({})).await["me"]["id"].clone();
    let deal = fixtures::deal(
        &app,
        json!({ "name": "Big one", "amount": "1200.00", "currency": "EUR", "pipelineId": pipeline, "stageId": stages[0], "ownerId": me }),
    )
    .await;

    let mut client = WsClient::ready(&app.base, &app.token).await;
    let subscription = format!(
        "subscription($period: PeriodInput!, $id: ID) {{ leaderboardUpdates(period: $period, pipelineId: $id) {{ {ENTRIES} }} }}"
    );
    let variables = json!({ "period": period(), "id": pipeline });
    client
        .subscribe("l", &subscription, variables.clone())
        .await;
    let first = client.next_data("l").await["leaderboardUpdates"].clone();
    assert_eq!(first, json!([]), "nobody won anything yet");
    assert_eq!(first, queried(&app, &pipeline).await);

    // Won: pushed, with the amount, and equal to the query.
    mutate(
        &app,
        "mutation($id: ID!) { closeDeal(id: $id, outcome: WON, reason: \"signed\") { deal { id } } }",
        json!({ "id": deal }),
    )
    .await;
    let won = client.next_data("l").await["leaderboardUpdates"].clone();
    assert_eq!(won[0]["member"]["id"], me);
    assert_eq!(won[0]["wonCount"], 1);
    assert_eq!(won[0]["wonAmount"][0]["amount"], "1200.00");
    assert_eq!(won, queried(&app, &pipeline).await);

    // A goal set, then changed: each is pushed with the attainment.
    let goal = mutate(
        &app,
        "mutation($input: CreateGoalInput!) { createGoal(input: $input) { goal { id } } }",
        json!({ "input": { "memberId": me, "periodStart": "2000-01-01", "periodEnd": "2099-12-31", "quota": "2400", "currency": "EUR" } }),
    )
    .await["goal"]["id"]
        .clone();
    let with_goal = client.next_data("l").await["leaderboardUpdates"].clone();
    assert_eq!(with_goal[0]["goals"][0]["goal"]["id"], goal);
    assert_eq!(with_goal[0]["goals"][0]["attainment"], 0.5);
    assert_eq!(with_goal, queried(&app, &pipeline).await);
    mutate(
        &app,
        "mutation($id: ID!) { updateGoal(id: $id, input: { quota: \"1200\" }) { goal { id } } }",
        json!({ "id": goal }),
    )
    .await;
    let changed = client.next_data("l").await["leaderboardUpdates"].clone();
    assert_eq!(changed[0]["goals"][0]["attainment"], 1.0);
    assert_eq!(changed, queried(&app, &pipeline).await);

    // A role that sees no amounts gets no leaderboard.
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let mut refused = WsClient::ready(&app.base, &support).await;
    refused.subscribe("s", &subscription, variables).await;
    let message = refused.json().await;
    assert_eq!(error_code(&message["payload"]), "FORBIDDEN", "{message}");
}
