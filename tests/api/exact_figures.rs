//! Figures that never overflow or disagree: money is exact up to the
//! largest amount each currency stores, every computed amount is rounded by
//! one rule (half away from zero, shown with the currency's decimals), and
//! a figure, its filter and its sort are the same expression.

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, on_both_databases};

on_both_databases!(with crate::helpers::manual_clock;
    money_is_exact_up_to_the_largest_amounts,
    one_rounding_rule_for_every_computed_amount,
    whole_days_agree_with_their_filters_and_sorts,
);

/// The largest amount each kind of currency stores (ten-thousandths in a BIGINT).
const IDR_MAX: &str = "922337203685477.58";
const JPY_MAX: &str = "922337203685477";
const KWD_MAX: &str = "922337203685477.580";
const CLF_MAX: &str = "922337203685477.5807";

async fn deal(app: &TestApp, input: Value) -> String {
    fixtures::deal(app, input).await
}

async fn money_is_exact_up_to_the_largest_amounts(app: TestApp) {
    app.at("2026-02-10T12:00:00Z");
    let (pipeline, stages) = fixtures::pipeline(&app, "Big").await;
    let base = json!({ "pipelineId": pipeline, "expectedCloseDate": "2026-03-01" });
    let with = |name: &str, amount: &str, currency: &str, stage: usize| {
        let mut input = base.clone();
        input["name"] = json!(name);
        input["amount"] = json!(amount);
        input["currency"] = json!(currency);
        input["stageId"] = json!(stages[stage]);
        input
    };
    for (name, amount, currency, stage) in [
        ("A", IDR_MAX, "IDR", 0),
        ("B", IDR_MAX, "IDR", 0),
        ("J", JPY_MAX, "JPY", 1),
        ("K", KWD_MAX, "KWD", 1),
        ("C", CLF_MAX, "CLF", 1),
        ("W1", IDR_MAX, "IDR", 2),
        ("W2", IDR_MAX, "IDR", 2),
    ] {
        deal(&app, with(name, amount, currency, stage)).await;
    }
    let sorted = app
        .data("{ deals(orderBy: [{ field: WEIGHTED_AMOUNT, direction: DESC }], filter: { status: { eq: OPEN } }) { nodes { name weightedAmount } } }", json!({}))
        .await;
    assert_eq!(
        sorted["deals"]["nodes"],
        json!([
            { "name": "J", "weightedAmount": "461168601842739" },
            { "name": "C", "weightedAmount": "461168601842738.7904" },
            { "name": "K", "weightedAmount": "461168601842738.790" },
            // Equal figures tie-break by id in the sort's direction: B, created
            // after A, comes first when descending.
            { "name": "B", "weightedAmount": "92233720368547.76" },
            { "name": "A", "weightedAmount": "92233720368547.76" },
        ])
    );

    let two_idr = "1844674407370955.16";
    let dashboard = app
        .data(
            "query($p: ID!) { pipelineDashboard(pipelineId: $p) { openValue { currency amount count } weightedForecast { currency amount } wonThisMonth { currency amount } } }",
            json!({ "p": pipeline }),
        )
        .await["pipelineDashboard"]
        .clone();
    assert_eq!(
        dashboard["openValue"],
        json!([
            { "currency": "CLF", "amount": CLF_MAX, "count": 1 },
            { "currency": "IDR", "amount": two_idr, "count": 2 },
            { "currency": "JPY", "amount": JPY_MAX, "count": 1 },
            { "currency": "KWD", "amount": KWD_MAX, "count": 1 },
        ])
    );
    let forecast = json!([
        { "currency": "CLF", "amount": "461168601842738.7904" },
        { "currency": "IDR", "amount": "184467440737095.52" },
        { "currency": "JPY", "amount": "461168601842739" },
        { "currency": "KWD", "amount": "461168601842738.790" },
    ]);
    assert_eq!(dashboard["weightedForecast"], forecast);
    assert_eq!(
        dashboard["wonThisMonth"],
        json!([{ "currency": "IDR", "amount": two_idr }])
    );

    let analytics = app
        .data("{ analytics(period: { from: \"2026-02-01T00:00:00Z\", to: \"2026-04-01T00:00:00Z\" }) { wonRevenue { currency amount } averageDealSize { currency amount } pipelineValue { currency amount } weightedForecast { currency amount } } }", json!({}))
        .await["analytics"]
        .clone();
    assert_eq!(
        analytics["wonRevenue"],
        json!([{ "currency": "IDR", "amount": two_idr }])
    );
    assert_eq!(
        analytics["averageDealSize"],
        json!([{ "currency": "IDR", "amount": IDR_MAX }])
    );
    assert_eq!(analytics["weightedForecast"], forecast);
    assert_eq!(
        analytics["pipelineValue"][1],
        json!({ "currency": "IDR", "amount": two_idr })
    );

    let groups = app
        .data("{ dealGroups(filter: { currency: { eq: \"IDR\" } }, groupBy: [{ field: CURRENCY }]) { amounts { count sum avg min max } } dealAmountTotals(filter: { currency: { eq: \"IDR\" } }) { amount count } }", json!({}))
        .await;
    let four_idr = "3689348814741910.32";
    assert_eq!(
        groups["dealGroups"][0]["amounts"],
        json!([{ "count": 4, "sum": four_idr, "avg": IDR_MAX, "min": IDR_MAX, "max": IDR_MAX }])
    );
    assert_eq!(
        groups["dealAmountTotals"],
        json!([{ "amount": four_idr, "count": 4 }])
    );

    // Orders: the per-currency lifetime value is exact; the nominal figure
    // lists sort and filter by holds at the largest storable value.
    let buyer = fixtures::contact(&app, json!({ "firstName": "Big" })).await;
    fixtures::contact(&app, json!({ "firstName": "Small" })).await;
    for _ in 0..2 {
        mutate(&app, "mutation($c: ID!, $a: Decimal!) { createOrder(input: { contactId: $c, product: \"All\", amount: $a, currency: \"IDR\" }) { order { id } } }", json!({ "c": buyer, "a": IDR_MAX })).await;
    }
    let contacts = app
        .data("{ contacts(orderBy: [{ field: LIFETIME_VALUE, direction: DESC }], filter: { figures: { lifetimeValue: { gte: 1 } } }) { nodes { firstName orderStats { lifetimeValue { amount } } } } }", json!({}))
        .await;
    assert_eq!(
        contacts["contacts"]["nodes"],
        json!([{ "firstName": "Big", "orderStats": { "lifetimeValue": [{ "amount": two_idr }] } }])
    );
}

async fn one_rounding_rule_for_every_computed_amount(app: TestApp) {
    app.at("2026-02-10T12:00:00Z");
    let (pipeline, stages) = fixtures::pipeline(&app, "Yen").await;
    for amount in ["2", "3"] {
        deal(&app, json!({ "name": amount, "amount": amount, "currency": "JPY", "pipelineId": pipeline, "stageId": stages[2] })).await;
    }
    deal(&app, json!({ "name": "E", "amount": "10.01", "currency": "EUR", "pipelineId": pipeline, "stageId": stages[2] })).await;
    let data = app
        .data("{ analytics(period: { from: \"2026-02-01T00:00:00Z\", to: \"2026-03-01T00:00:00Z\" }) { averageDealSize { currency amount } } dealGroups(filter: { currency: { eq: \"JPY\" } }, groupBy: [{ field: STATUS }]) { amounts { avg } } leaderboard(period: { from: \"2026-02-01T00:00:00Z\", to: \"2026-03-01T00:00:00Z\" }) { commission { currency amount } } }", json!({}))
        .await;
    assert_eq!(
        data["analytics"]["averageDealSize"],
        json!([{ "currency": "EUR", "amount": "10.01" }, { "currency": "JPY", "amount": "3" }]),
        "2.5 yen is 3, half away from zero"
    );
    assert_eq!(data["dealGroups"][0]["amounts"], json!([{ "avg": "3" }]));
    assert_eq!(
        data["leaderboard"][0]["commission"],
        json!([{ "currency": "EUR", "amount": "0.00" }, { "currency": "JPY", "amount": "0" }]),
        "a zero commission is shown like other amounts of its currency"
    );
}

async fn whole_days_agree_with_their_filters_and_sorts(app: TestApp) {
    let (pipeline, _) = fixtures::pipeline(&app, "Days").await;
    // Entered 14.5 days after the clock's later now, and 5.5 days before it.
    app.at("2025-12-15T12:00:00Z");
    deal(
        &app,
        json!({ "name": "Future", "amount": "1", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    app.at("2025-11-25T12:00:00Z");
    deal(
        &app,
        json!({ "name": "Past", "amount": "1", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    app.at("2025-12-01T00:00:00Z");
    let figures = app
        .data(
            "{ deals(orderBy: [{ field: DAYS_IN_STAGE }]) { nodes { name daysInStage ageDays } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        figures["deals"]["nodes"],
        json!([
            { "name": "Future", "daysInStage": -15, "ageDays": -15 },
            { "name": "Past", "daysInStage": 5, "ageDays": 5 },
        ]),
        "whole days round down"
    );
    for (filter, expected) in [
        ("daysInStage: { eq: -15 }", vec!["Future"]),
        ("daysInStage: { eq: -14 }", vec![]),
        ("ageDays: { eq: -15 }", vec!["Future"]),
        ("daysInStage: { gte: 5 }", vec!["Past"]),
        ("daysInStage: { gt: 5 }", vec![]),
        ("daysInStage: { lte: 5, gte: -15 }", vec!["Future", "Past"]),
        ("daysInStage: { lt: -15 }", vec![]),
        ("daysInStage: { in: [5, 7] }", vec!["Past"]),
        ("daysInStage: { notIn: [5], ne: 3 }", vec!["Future"]),
        ("ageDays: { gt: -15, lt: 6 }", vec!["Past"]),
    ] {
        let data = app
            .data(&format!("{{ deals(orderBy: [{{ field: AGE_DAYS, direction: DESC }}], filter: {{ figures: {{ {filter} }} }}) {{ nodes {{ name }} }} }}"), json!({}))
            .await;
        let names: Vec<&str> = data["deals"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["name"].as_str().expect("name"))
            .collect();
        let mut expected = expected;
        expected.reverse();
        assert_eq!(names, expected, "{filter}");
    }
}
