//! Orders, survey responses, and the figures calculated from them and from
//! tickets, for contacts and companies.

use serde_json::json;

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, on_both_databases};

on_both_databases!(
    customer_figures_are_computed_from_orders_surveys_and_tickets,
    bad_orders_and_survey_answers_are_refused_and_write_nothing,
    deals_carry_their_weighted_amount_and_ages,
);

const ORDER: &str = "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id company { id } } } }";
const SURVEY: &str = "mutation($input: CreateSurveyResponseInput!) { createSurveyResponse(input: $input) { surveyResponse { id npsCategory } } }";

async fn customer_figures_are_computed_from_orders_surveys_and_tickets(app: TestApp) {
    let company = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let contact =
        fixtures::contact(&app, json!({ "firstName": "Ada", "companyId": company })).await;
    let quiet =
        fixtures::contact(&app, json!({ "firstName": "Quiet", "companyId": company })).await;
    for (amount, currency) in [("100.00", "EUR"), ("50.50", "EUR"), ("30", "USD")] {
        let order = mutate(&app, ORDER, json!({ "input": { "contactId": contact, "product": "Plan", "amount": amount, "currency": currency } })).await;
        assert_eq!(
            order["order"]["company"]["id"],
            company.as_str(),
            "defaults to the contact's company"
        );
    }
    mutate(&app, ORDER, json!({ "input": { "companyId": company, "product": "Setup", "quantity": 2, "amount": "200", "currency": "EUR" } })).await;
    let answers = [
        ("NPS", 9, "2026-01-01T10:00:00Z"),
        ("NPS", 3, "2026-02-01T10:00:00Z"),
        ("CSAT", 4, "2026-01-15T10:00:00Z"),
    ];
    for (kind, score, at) in answers {
        mutate(&app, SURVEY, json!({ "input": { "contactId": contact, "kind": kind, "score": score, "respondedAt": at, "reason": "PRICE" } })).await;
    }
    let open = fixtures::ticket(&app, json!({ "subject": "Open", "contactId": contact })).await;
    let solved = fixtures::ticket(&app, json!({ "subject": "Solved", "contactId": contact })).await;
    mutate(
        &app,
        "mutation($id: ID!) { setTicketStatus(id: $id, status: RESOLVED) { ticket { id } } }",
        json!({ "id": solved }),
    )
    .await;
    let _ = open;

    let figures = "ticketStats { count openCount lastOpenedAt averageResolutionHours } orderStats { count lastOrderedAt lifetimeValue { currency amount count } } satisfaction { latestNps latestCsat }";
    let data = app
        .data(
            &format!("query($c: ID!, $q: ID!, $co: ID!) {{ c: node(id: $c) {{ ... on Contact {{ {figures} surveyResponses {{ totalCount }} orders {{ totalCount }} }} }} q: node(id: $q) {{ ... on Contact {{ {figures} }} }} co: node(id: $co) {{ ... on Company {{ {figures} orders {{ totalCount }} }} }} }}"),
            json!({ "c": contact, "q": quiet, "co": company }),
        )
        .await;
    let c = &data["c"];
    assert_eq!(c["orderStats"]["count"], 3);
    assert_eq!(
        c["orderStats"]["lifetimeValue"],
        json!([{ "currency": "EUR", "amount": "150.50", "count": 2 }, { "currency": "USD", "amount": "30.00", "count": 1 }])
    );
    assert_eq!(
        c["satisfaction"],
        json!({ "latestNps": 3, "latestCsat": 4 }),
        "the latest answer, not the last written"
    );
    assert_eq!(c["ticketStats"]["count"], 2);
    assert_eq!(c["ticketStats"]["openCount"], 1);
    assert!(c["ticketStats"]["lastOpenedAt"].is_string());
    assert!(
        c["ticketStats"]["averageResolutionHours"]
            .as_f64()
            .is_some_and(|h| h >= 0.0)
    );
    assert_eq!(c["surveyResponses"]["totalCount"], 3);
    let q = &data["q"];
    assert_eq!(
        q["orderStats"],
        json!({ "count": 0, "lastOrderedAt": null, "lifetimeValue": [] })
    );
    assert_eq!(
        q["satisfaction"],
        json!({ "latestNps": null, "latestCsat": null })
    );
    assert_eq!(q["ticketStats"]["averageResolutionHours"], json!(null));
    let co = &data["co"];
    assert_eq!(co["orderStats"]["count"], 4);
    assert_eq!(
        co["orderStats"]["lifetimeValue"][0],
        json!({ "currency": "EUR", "amount": "350.50", "count": 3 })
    );
    assert_eq!(
        co["satisfaction"],
        json!({ "latestNps": 3, "latestCsat": 4 })
    );
    assert_eq!(
        co["ticketStats"]["count"], 2,
        "a ticket counts for its contact's company too"
    );

    // A level of many parents costs one statement per figure group.
    for n in 0..3 {
        fixtures::company(&app, json!({ "name": format!("More {n}") })).await;
    }
    let list = format!(
        "{{ companies(first: FIRST) {{ nodes {{ {figures} contacts {{ nodes {{ {figures} }} }} }} }} }}"
    );
    let before = app.statements().await;
    app.data(&list.replace("FIRST", "1"), json!({})).await;
    let one = app.statements().await - before;
    let before = app.statements().await;
    app.data(&list.replace("FIRST", "4"), json!({})).await;
    let four = app.statements().await - before;
    assert_eq!(
        one, four,
        "statements do not grow with the number of parents"
    );
}

async fn bad_orders_and_survey_answers_are_refused_and_write_nothing(app: TestApp) {
    let company = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let other_company = fixtures::company(&app, json!({ "name": "Other" })).await;
    let contact =
        fixtures::contact(&app, json!({ "firstName": "Ada", "companyId": company })).await;
    let someone = fixtures::contact(&app, json!({ "firstName": "Bo" })).await;
    let their_ticket =
        fixtures::ticket(&app, json!({ "subject": "Theirs", "contactId": someone })).await;
    let cases = [
        (
            ORDER,
            json!({ "contactId": contact, "product": "P", "amount": "1", "currency": "EUR", "quantity": 0 }),
            "input.quantity",
        ),
        (
            ORDER,
            json!({ "contactId": contact, "product": "P", "amount": "1.001", "currency": "EUR" }),
            "input.amount",
        ),
        (
            ORDER,
            json!({ "contactId": contact, "product": "P", "amount": "1", "currency": "EURO" }),
            "input.currency",
        ),
        (
            ORDER,
            json!({ "contactId": contact, "companyId": other_company, "product": "P", "amount": "1", "currency": "EUR" }),
            "input.companyId",
        ),
        (
            ORDER,
            json!({ "product": "P", "amount": "1", "currency": "EUR" }),
            "input",
        ),
        (
            SURVEY,
            json!({ "contactId": contact, "kind": "NPS", "score": 11 }),
            "input.score",
        ),
        (
            SURVEY,
            json!({ "contactId": contact, "kind": "CSAT", "score": 0 }),
            "input.score",
        ),
        (
            SURVEY,
            json!({ "contactId": contact, "kind": "CSAT", "score": 3, "reason": "too slow" }),
            "input.reason",
        ),
        (
            SURVEY,
            json!({ "contactId": contact, "kind": "CSAT", "score": 3, "ticketId": their_ticket }),
            "input.ticketId",
        ),
    ];
    for (mutation, input, field) in cases {
        let refused = app.gql(mutation, json!({ "input": input })).await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{input}: {refused}");
        assert_eq!(
            refused["errors"][0]["extensions"]["field"], field,
            "{input}"
        );
    }
    let counts = app
        .data(
            "{ orders { totalCount } surveyResponses { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        counts,
        json!({ "orders": { "totalCount": 0 }, "surveyResponses": { "totalCount": 0 } })
    );
}

async fn deals_carry_their_weighted_amount_and_ages(app: TestApp) {
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    let deal = fixtures::deal(
        &app,
        json!({ "name": "D", "amount": "1000.50", "currency": "EUR", "pipelineId": pipeline, "stageId": stages[1] }),
    )
    .await;
    let query =
        "query($id: ID!) { node(id: $id) { ... on Deal { weightedAmount daysInStage ageDays } } }";
    let figures = app.data(query, json!({ "id": deal })).await;
    assert_eq!(
        figures["node"],
        json!({ "weightedAmount": "500.25", "daysInStage": 0, "ageDays": 0 })
    );
    let support =
        crate::helpers::member_token(&app.state, app.workspace_id, entity::enums::Role::Support)
            .await;
    let hidden = app.gql_as(&support, query, json!({ "id": deal })).await;
    assert_eq!(hidden["data"]["node"]["weightedAmount"], json!(null));
}
