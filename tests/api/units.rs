//! Units and scalars said once: every rate is a fraction from 0 to 1 (old
//! names answer for one release), `Decimal` inputs are exact or refused,
//! and `Date` is an ISO 8601 calendar date.

use serde_json::json;

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, on_both_databases};

on_both_databases!(
    rates_are_fractions_and_the_old_units_still_answer,
    decimal_numbers_that_would_be_rounded_are_refused,
    dates_are_iso_calendar_dates,
);

async fn rates_are_fractions_and_the_old_units_still_answer(app: TestApp) {
    let (pipeline, _) = fixtures::pipeline(&app, "Units").await;
    let create = "mutation($input: CreateStageInput!) { createStage(input: $input) { stage { winChance winProbability } } }";
    let stage = mutate(
        &app,
        create,
        json!({ "input": { "pipelineId": pipeline, "name": "Demo", "winChance": 0.35, "kind": "OPEN" } }),
    )
    .await;
    assert_eq!(
        stage["stage"],
        json!({ "winChance": 0.35, "winProbability": 35 })
    );

    // A chance the store cannot hold exactly, or both units at once, is refused.
    for input in [
        json!({ "pipelineId": pipeline, "name": "X", "winChance": 0.355, "kind": "OPEN" }),
        json!({ "pipelineId": pipeline, "name": "X", "winChance": 1.5, "kind": "OPEN" }),
        json!({ "pipelineId": pipeline, "name": "X", "winChance": 0.5, "winProbability": 50, "kind": "OPEN" }),
        json!({ "pipelineId": pipeline, "name": "X", "kind": "OPEN" }),
    ] {
        let refused = app.gql(create, json!({ "input": input })).await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{input}: {refused}");
        assert_eq!(
            refused["errors"][0]["extensions"]["field"], "input.winChance",
            "{refused}"
        );
    }

    let invited = mutate(
        &app,
        "mutation { inviteMember(input: { email: \"rate@example.com\", name: \"Rate\", role: SALES, commissionShare: 0.075 }) { member { commissionShare commissionRate } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        invited["member"],
        json!({ "commissionShare": 0.075, "commissionRate": "7.50" })
    );
    let refused = app
        .gql(
            "mutation { inviteMember(input: { email: \"x@example.com\", name: \"X\", role: SALES, commissionShare: 0.00001 }) { member { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["field"], "input.commissionShare",
        "{refused}"
    );
}

async fn decimal_numbers_that_would_be_rounded_are_refused(app: TestApp) {
    let (pipeline, _) = fixtures::pipeline(&app, "Exact").await;
    let create =
        "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { amount } } }";
    let deal = |amount: serde_json::Value| json!({ "input": { "name": "D", "amount": amount, "currency": "EUR", "pipelineId": pipeline } });
    // A JSON number a double keeps exactly is read as written.
    let exact = mutate(&app, create, deal(json!(1234.5))).await;
    assert_eq!(exact["deal"]["amount"], "1234.50");
    // One with more digits than a double keeps would be rounded: refused,
    // naming the field, whether sent as a variable or written in the query.
    let long: serde_json::Value = serde_json::from_str("12345678901234.56").unwrap();
    let refused = app.gql(create, deal(long)).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    assert_eq!(
        refused["errors"][0]["extensions"]["field"], "input.amount",
        "{refused}"
    );
    assert!(refused.get("data").is_none_or(|d| d.is_null()), "{refused}");
    let inline = format!(
        "mutation {{ createDeal(input: {{ name: \"D\", amount: 12345678901234.56, currency: \"EUR\", pipelineId: \"{pipeline}\" }}) {{ deal {{ amount }} }} }}"
    );
    let refused = app.gql(&inline, json!({})).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    // The same digits as a string are exact.
    let as_text = mutate(&app, create, deal(json!("12345678901234.56"))).await;
    assert_eq!(as_text["deal"]["amount"], "12345678901234.56", "{as_text}");

    // Digits past what a double keeps are gone once the number is parsed
    // (0.10000000000000001 reads as 0.1): they are caught in the request's
    // text, as a variable and as a literal, and refused.
    let body = format!(
        r#"{{"query": {}, "variables": {{"input": {{"name": "D", "amount": 0.10000000000000001, "currency": "EUR", "pipelineId": "{pipeline}"}}}}}}"#,
        serde_json::to_string(create).unwrap()
    );
    let refused = app.post_raw(body).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    assert_eq!(
        refused["errors"][0]["extensions"]["field"], "input.amount",
        "{refused}"
    );
    let inline = format!(
        "mutation {{ createDeal(input: {{ name: \"D\", amount: 0.10000000000000001, currency: \"EUR\", pipelineId: \"{pipeline}\" }}) {{ deal {{ amount }} }} }}"
    );
    let refused = app.gql(&inline, json!({})).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    // Written as the double's own digits, it is exact and accepted.
    let short = mutate(&app, create, deal(json!(0.1))).await;
    assert_eq!(short["deal"]["amount"], "0.10", "{short}");
}

async fn dates_are_iso_calendar_dates(app: TestApp) {
    let contact = fixtures::contact(&app, json!({ "firstName": "Ada", "lastName": "L" })).await;
    let update = "mutation($id: ID!, $d: Date) { updateContact(id: $id, input: { birthdate: $d }) { contact { birthdate } } }";
    let updated = mutate(&app, update, json!({ "id": contact, "d": "1990-02-28" })).await;
    assert_eq!(updated["contact"]["birthdate"], "1990-02-28");
    let refused = app
        .gql(update, json!({ "id": contact, "d": "1990-02-30" }))
        .await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
}
