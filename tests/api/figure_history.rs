//! Record history drives the figures (the README's "Figures" rules): the
//! first win stands, a deleted contact's answers stay in NPS and CSAT, a
//! period's last day counts when `to` is not midnight, and pipeline value
//! counts what was open at the period's end.

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, on_both_databases};

on_both_databases!(with crate::helpers::manual_clock;
    moving_between_won_stages_keeps_the_first_win,
    a_deleted_contacts_answers_stay_in_the_figures,
    a_period_ending_after_midnight_includes_its_last_day,
    pipeline_value_counts_the_deals_open_at_the_periods_end,
);

const CLOSE: &str = "mutation($id: ID!, $outcome: DealOutcome!, $reason: String!) { closeDeal(id: $id, outcome: $outcome, reason: $reason) { deal { id } } }";
const MOVE: &str = "mutation($id: ID!, $stage: ID!) { moveDeal(id: $id, stageId: $stage) { deal { closedAt closeReason status } } }";
const SURVEY: &str = "mutation($input: CreateSurveyResponseInput!) { createSurveyResponse(input: $input) { surveyResponse { id } } }";

async fn analytics(app: &TestApp, from: &str, to: &str, fields: &str, extra: Value) -> Value {
    let mut variables = json!({ "period": { "from": from, "to": to } });
    if let (Some(v), Some(e)) = (variables.as_object_mut(), extra.as_object()) {
        v.extend(e.clone());
    }
    app.data(
        &format!("query($period: PeriodInput!, $ownerId: ID) {{ analytics(period: $period, ownerId: $ownerId) {{ {fields} }} }}"),
        variables,
    )
    .await["analytics"]
        .clone()
}

/// A moved deal's close time (as UTC, RFC 3339 with `Z`), reason and status.
fn closing(moved: &Value) -> (String, Value, Value) {
    let deal = &moved["deal"];
    let at = chrono::DateTime::parse_from_rfc3339(deal["closedAt"].as_str().expect("closedAt"))
        .expect("RFC 3339")
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    (at, deal["closeReason"].clone(), deal["status"].clone())
}

async fn moving_between_won_stages_keeps_the_first_win(app: TestApp) {
    let pipeline = mutate(
        &app,
        "mutation { createPipeline(input: { name: \"Two wins\", stages: [
            { name: \"Open\", winProbability: 20, kind: OPEN },
            { name: \"Signed\", winProbability: 100, kind: WON },
            { name: \"Paid\", winProbability: 100, kind: WON },
            { name: \"Lost\", winProbability: 0, kind: LOST }] }) { pipeline { id stages(first: 4) { nodes { id } } } } }",
        json!({}),
    )
    .await["pipeline"]
        .clone();
    let stage = |i: usize| {
        pipeline["stages"]["nodes"][i]["id"]
            .as_str()
            .expect("stage")
            .to_owned()
    };
    app.at("2026-01-02T00:00:00Z");
    let deal = fixtures::deal(
        &app,
        json!({ "name": "D", "amount": "100", "currency": "EUR", "pipelineId": pipeline["id"] }),
    )
    .await;
    app.at("2026-01-05T00:00:00Z");
    mutate(
        &app,
        CLOSE,
        json!({ "id": deal, "outcome": "WON", "reason": "Price" }),
    )
    .await;
    app.at("2026-02-10T00:00:00Z");
    let paid = mutate(&app, MOVE, json!({ "id": deal, "stage": stage(2) })).await;
    assert_eq!(
        closing(&paid),
        ("2026-01-05T00:00:00Z".into(), json!("Price"), json!("WON")),
        "Signed to Paid: the first win stands"
    );
    let fields = "dealOutcomes { won } closeReasons { reason count } averageSalesCycleDays";
    let january = analytics(
        &app,
        "2026-01-01T00:00:00Z",
        "2026-02-01T00:00:00Z",
        fields,
        json!({}),
    )
    .await;
    assert_eq!(
        january,
        json!({ "dealOutcomes": { "won": 1 }, "closeReasons": [{ "reason": "Price", "count": 1 }], "averageSalesCycleDays": 3.0 })
    );
    let february = analytics(
        &app,
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z",
        fields,
        json!({}),
    )
    .await;
    assert_eq!(february["dealOutcomes"], json!({ "won": 0 }));

    // Another outcome is a new close; reopening and winning again too.
    app.at("2026-02-12T00:00:00Z");
    let lost = mutate(&app, MOVE, json!({ "id": deal, "stage": stage(3) })).await;
    assert_eq!(
        closing(&lost),
        ("2026-02-12T00:00:00Z".into(), json!(null), json!("LOST"))
    );
    app.at("2026-02-14T00:00:00Z");
    mutate(&app, MOVE, json!({ "id": deal, "stage": stage(0) })).await;
    let won = mutate(&app, MOVE, json!({ "id": deal, "stage": stage(1) })).await;
    assert_eq!(closing(&won).0, "2026-02-14T00:00:00Z");
}

async fn a_deleted_contacts_answers_stay_in_the_figures(app: TestApp) {
    let owner = app.data("{ me { id } }", json!({})).await["me"]["id"].clone();
    let gone = fixtures::contact(&app, json!({ "firstName": "Gone", "ownerId": owner })).await;
    let stays = fixtures::contact(&app, json!({ "firstName": "Stays", "ownerId": owner })).await;
    // CSAT 5, 4, 3, 1: mean 3.25, two satisfied of four.
    app.at("2026-01-10T00:00:00Z");
    for (contact, kind, score) in [
        (&gone, "NPS", 9),
        (&gone, "CSAT", 5),
        (&gone, "CSAT", 4),
        (&stays, "NPS", 3),
        (&stays, "CSAT", 3),
        (&stays, "CSAT", 1),
    ] {
        mutate(&app, SURVEY, json!({ "input": { "contactId": contact, "kind": kind, "score": score, "respondedAt": "2026-01-10T00:00:00Z" } })).await;
    }
    app.at("2026-02-01T00:00:00Z");
    crate::fixtures::delete_contact(&app, &gone).await;
    let listed = app
        .data("{ surveyResponses { totalCount } }", json!({}))
        .await;
    assert_eq!(listed["surveyResponses"]["totalCount"], 6, "still listed");
    let fields = "nps { responses promoters detractors score } csat { responses average satisfied satisfiedRate }";
    let expected = json!({
        "nps": { "responses": 2, "promoters": 1, "detractors": 1, "score": 0.0 },
        "csat": { "responses": 4, "average": 3.25, "satisfied": 2, "satisfiedRate": 0.5 },
    });
    let (jan, feb) = ("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z");
    assert_eq!(analytics(&app, jan, feb, fields, json!({})).await, expected);
    assert_eq!(
        analytics(&app, jan, feb, fields, json!({ "ownerId": owner })).await,
        expected,
        "the deleted contact's owner still owns its answers"
    );
}

async fn a_period_ending_after_midnight_includes_its_last_day(app: TestApp) {
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    let me = app.data("{ me { id } }", json!({})).await["me"]["id"].clone();
    // 1,000 at 10% expected on January 31; a goal beginning that day.
    fixtures::deal(&app, json!({ "name": "D", "amount": "1000", "currency": "EUR", "pipelineId": pipeline, "expectedCloseDate": "2026-01-31" })).await;
    mutate(&app, "mutation($input: CreateGoalInput!) { createGoal(input: $input) { goal { id } } }", json!({ "input": { "memberId": me, "periodStart": "2026-01-31", "periodEnd": "2026-02-28", "quota": "500", "currency": "EUR" } })).await;
    let figures = |to: &'static str| {
        let app = &app;
        async move {
            let forecast = analytics(
                app,
                "2026-01-01T00:00:00Z",
                to,
                "weightedForecast { amount count }",
                json!({}),
            )
            .await;
            let board = app
                .data(
                    "query($period: PeriodInput!) { leaderboard(period: $period) { goals { goal { periodStart } } } }",
                    json!({ "period": { "from": "2026-01-01T00:00:00Z", "to": to } }),
                )
                .await;
            (
                forecast["weightedForecast"].clone(),
                board["leaderboard"].clone(),
            )
        }
    };
    let (forecast, board) = figures("2026-01-31T12:00:00Z").await;
    assert_eq!(
        forecast,
        json!([{ "amount": "100.00", "count": 1 }]),
        "noon: the 31st is in"
    );
    assert_eq!(
        board,
        json!([{ "goals": [{ "goal": { "periodStart": "2026-01-31" } }] }])
    );
    let (forecast, board) = figures("2026-01-31T00:00:00Z").await;
    assert_eq!(forecast, json!([]), "midnight: the 31st is not");
    assert_eq!(board, json!([]));
}

async fn pipeline_value_counts_the_deals_open_at_the_periods_end(app: TestApp) {
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    app.at("2026-01-02T00:00:00Z");
    let new_deal = |amount: &'static str| {
        let (app, pipeline) = (&app, pipeline.clone());
        async move {
            fixtures::deal(app, json!({ "name": amount, "amount": amount, "currency": "EUR", "pipelineId": pipeline })).await
        }
    };
    // A: open from Jan 2, won Jan 10. B: won Jan 3, reopened Jan 20.
    // C: created Feb 1. D: open from Jan 2, deleted: counts nowhere.
    let a = new_deal("100").await;
    let b = new_deal("200").await;
    let d = new_deal("400").await;
    app.at("2026-01-03T00:00:00Z");
    mutate(
        &app,
        CLOSE,
        json!({ "id": b, "outcome": "WON", "reason": "Price" }),
    )
    .await;
    app.at("2026-01-10T00:00:00Z");
    mutate(
        &app,
        CLOSE,
        json!({ "id": a, "outcome": "WON", "reason": "Price" }),
    )
    .await;
    app.at("2026-01-20T00:00:00Z");
    mutate(&app, MOVE, json!({ "id": b, "stage": stages[1] })).await;
    mutate(
        &app,
        "mutation($id: ID!) { deleteDeal(id: $id) { deal { id } } }",
        json!({ "id": d }),
    )
    .await;
    app.at("2026-02-01T00:00:00Z");
    new_deal("800").await;
    app.at("2026-03-01T00:00:00Z");
    let value = |to: &'static str| {
        let app = &app;
        async move {
            analytics(
                app,
                "2025-12-01T00:00:00Z",
                to,
                "pipelineValue { amount count }",
                json!({}),
            )
            .await["pipelineValue"]
                .clone()
        }
    };
    assert_eq!(
        value("2026-01-02T00:00:00Z").await,
        json!([]),
        "nothing yet"
    );
    assert_eq!(
        value("2026-01-05T00:00:00Z").await,
        json!([{ "amount": "100.00", "count": 1 }]),
        "A open, B won"
    );
    assert_eq!(value("2026-01-15T00:00:00Z").await, json!([]), "both won");
    assert_eq!(
        value("2026-01-25T00:00:00Z").await,
        json!([{ "amount": "200.00", "count": 1 }]),
        "B reopened"
    );
    assert_eq!(
        value("2026-03-01T00:00:00Z").await,
        json!([{ "amount": "1000.00", "count": 2 }]),
        "B and C: what is open now"
    );
}
