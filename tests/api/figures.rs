//! Calculated figures as fields, filters and sort keys, at a controlled
//! time: churn risk, ticket and survey figures, lifetime value and its
//! projection, and a company's lead score.

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, on_both_databases};

on_both_databases!(with crate::helpers::manual_clock;
    figures_filter_sort_and_page_like_columns,
    deal_figures_filter_and_sort_and_hide_weighted_amounts,
);

const ORDER: &str =
    "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }";
const SURVEY: &str = "mutation($input: CreateSurveyResponseInput!) { createSurveyResponse(input: $input) { surveyResponse { id } } }";

fn names(data: &Value) -> Vec<&str> {
    data["contacts"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["firstName"].as_str().unwrap())
        .collect()
}

async fn contacts(app: &TestApp, arguments: &str) -> Value {
    app.data(
        &format!("{{ contacts({arguments}) {{ nodes {{ firstName churnRisk }} pageInfo {{ endCursor hasNextPage }} }} }}"),
        json!({}),
    )
    .await
}

async fn figures_filter_sort_and_page_like_columns(app: TestApp) {
    mutate(&app, "mutation { createLeadScoringRule(input: { name: \"CEOs\", target: JOB_TITLE, contains: \"ceo\", points: 30 }) { rescoredContacts } }", json!({})).await;
    let acme = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let a = fixtures::contact(&app, json!({ "firstName": "A", "companyId": acme })).await;
    let b = fixtures::contact(
        &app,
        json!({ "firstName": "B", "companyId": acme, "jobTitle": "CEO" }),
    )
    .await;
    let c = fixtures::contact(&app, json!({ "firstName": "C" })).await;

    // Orders: A over exactly two years (730.5 days), B once.
    for (contact, amount, at) in [
        (&a, "100", "2023-11-21T12:00:00Z"),
        (&a, "100", "2025-11-21T00:00:00Z"),
        (&b, "80", "2025-08-23T00:00:00Z"),
    ] {
        mutate(&app, ORDER, json!({ "input": { "contactId": contact, "product": "Plan", "amount": amount, "currency": "EUR", "orderedAt": at } })).await;
    }
    // Tickets: A three (one resolved), B four, C none.
    app.at("2025-11-25T00:00:00Z");
    let mut a_tickets = Vec::new();
    for n in 0..3 {
        a_tickets.push(
            fixtures::ticket(&app, json!({ "subject": format!("A{n}"), "contactId": a })).await,
        );
    }
    app.at("2025-11-25T06:00:00Z");
    mutate(
        &app,
        "mutation($id: ID!) { setTicketStatus(id: $id, status: RESOLVED) { ticket { id } } }",
        json!({ "id": a_tickets[0] }),
    )
    .await;
    app.at("2025-11-26T00:00:00Z");
    for n in 0..4 {
        fixtures::ticket(&app, json!({ "subject": format!("B{n}"), "contactId": b })).await;
    }
    for (contact, kind, score) in [(&a, "CSAT", 1), (&b, "NPS", 9), (&c, "NPS", 5)] {
        mutate(
            &app,
            SURVEY,
            json!({ "input": { "contactId": contact, "kind": kind, "score": score } }),
        )
        .await;
    }
    app.at("2025-12-01T00:00:00Z");

    // A: CSAT 1 → 40, 2 open → 20, ordered 10 days ago → 0 = 60.
    // B: promoter → 0, 4 open → 30, 100 days → 20 = 50.
    // C: detractor → 40, no tickets → 0, never ordered → 30 = 70.
    let by_risk = contacts(&app, "orderBy: [{ field: CHURN_RISK, direction: DESC }]").await;
    assert_eq!(
        by_risk["contacts"]["nodes"],
        json!([{ "firstName": "C", "churnRisk": 70 }, { "firstName": "A", "churnRisk": 60 }, { "firstName": "B", "churnRisk": 50 }])
    );
    let risky = contacts(&app, "filter: { figures: { churnRisk: { gte: 60 } } }").await;
    assert_eq!(names(&risky), ["A", "C"]);

    // Paging on a calculated key: the cursor carries the figure.
    let first = contacts(
        &app,
        "first: 1, orderBy: [{ field: TICKET_COUNT, direction: DESC }]",
    )
    .await;
    assert_eq!(names(&first), ["B"]);
    let after = first["contacts"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let rest = contacts(
        &app,
        &format!(
            "first: 5, after: \"{after}\", orderBy: [{{ field: TICKET_COUNT, direction: DESC }}]"
        ),
    )
    .await;
    assert_eq!(names(&rest), ["A", "C"]);
    assert_eq!(rest["contacts"]["pageInfo"]["hasNextPage"], false);

    for (order, expected) in [("ASC", ["A", "B", "C"]), ("DESC", ["B", "A", "C"])] {
        let data = contacts(
            &app,
            &format!("orderBy: [{{ field: LAST_TICKET_AT, direction: {order} }}]"),
        )
        .await;
        assert_eq!(names(&data), expected, "no tickets sorts last both ways");
    }
    let filtered = contacts(
        &app,
        "filter: { figures: { openTicketCount: { gte: 2 }, latestNps: { gte: 9 } } }",
    )
    .await;
    assert_eq!(names(&filtered), ["B"]);
    let valuable = contacts(&app, "filter: { figures: { lifetimeValue: { gt: 150 } } }").await;
    assert_eq!(names(&valuable), ["A"]);
    let slow = contacts(
        &app,
        "filter: { figures: { averageResolutionHours: { gte: 5.5 } } }",
    )
    .await;
    assert_eq!(names(&slow), ["A"], "6 hours");
    let fastest = contacts(&app, "orderBy: [{ field: AVERAGE_RESOLUTION_HOURS }]").await;
    assert_eq!(
        names(&fastest),
        ["A", "B", "C"],
        "nothing resolved sorts last"
    );

    // Fields agree with the filters; the projection: L = (2 + 1) / 2 years.
    let fields = app
        .data(
            "query($a: ID!, $b: ID!) { a: node(id: $a) { ... on Contact { ticketStats { count openCount } orderStats { lifetimeValue { amount } projectedLifetimeValue { currency amount } } } } b: node(id: $b) { ... on Contact { orderStats { projectedLifetimeValue { amount } } } } }",
            json!({ "a": a, "b": b }),
        )
        .await;
    assert_eq!(
        fields["a"]["ticketStats"],
        json!({ "count": 3, "openCount": 2 })
    );
    assert_eq!(
        fields["a"]["orderStats"]["lifetimeValue"],
        json!([{ "amount": "200.00" }])
    );
    assert_eq!(
        fields["a"]["orderStats"]["projectedLifetimeValue"],
        json!([{ "currency": "EUR", "amount": "150.00" }]),
        "200 / 2 years × 1.5"
    );
    assert_eq!(
        fields["b"]["orderStats"]["projectedLifetimeValue"],
        json!([{ "amount": "120.00" }]),
        "80 / 1 year × 1.5"
    );

    // A company: its contacts' best lead score; risk over all of them.
    let company = app
        .data("{ companies(filter: { leadScore: { gte: 10 }, figures: { ticketCount: { eq: 7 } } }) { nodes { name leadScore churnRisk } } }", json!({}))
        .await;
    assert_eq!(
        company["companies"]["nodes"],
        json!([{ "name": "Acme", "leadScore": 30, "churnRisk": 70 }]),
        "CSAT 1 → 40, 6 open → 30, ordered 10 days ago → 0"
    );
}

async fn deal_figures_filter_and_sort_and_hide_weighted_amounts(app: TestApp) {
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    fixtures::deal(
        &app,
        json!({ "name": "X", "amount": "1000", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    app.at("2025-12-11T00:00:00Z");
    let y = fixtures::deal(
        &app,
        json!({ "name": "Y", "amount": "500", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    mutate(
        &app,
        "mutation($id: ID!, $stage: ID!) { moveDeal(id: $id, stageId: $stage) { deal { id } } }",
        json!({ "id": y, "stage": stages[1] }),
    )
    .await;
    app.at("2025-12-21T12:00:00Z");
    // X: 20.5 days in Qualification at 10%; Y: 10.5 days, moved to Proposal at 50%.
    assert_eq!(
        deals(
            &app,
            "orderBy: [{ field: WEIGHTED_AMOUNT, direction: DESC }]"
        )
        .await,
        json!([
            { "name": "Y", "daysInStage": 10, "ageDays": 10, "weightedAmount": "250.00" },
            { "name": "X", "daysInStage": 20, "ageDays": 20, "weightedAmount": "100.00" },
        ])
    );
    let old = deals(&app, "filter: { figures: { ageDays: { gte: 15 } } }").await;
    assert_eq!(old.as_array().map(Vec::len), Some(1));
    assert_eq!(old[0]["name"], "X");
    let fresh = deals(&app, "orderBy: [{ field: DAYS_IN_STAGE }], filter: { figures: { weightedAmount: { gte: 100 } } }").await;
    assert_eq!(fresh[0]["name"], "Y");
    assert_eq!(fresh[1]["name"], "X");

    let support =
        crate::helpers::member_token(&app.state, app.workspace_id, entity::enums::Role::Support)
            .await;
    for query in [
        "{ deals(filter: { figures: { weightedAmount: { gte: 1 } } }) { totalCount } }",
        "{ deals(orderBy: [{ field: WEIGHTED_AMOUNT }]) { totalCount } }",
    ] {
        let answer = app.gql_as(&support, query, json!({})).await;
        assert_eq!(
            crate::helpers::error_code(&answer),
            "FORBIDDEN",
            "{query}: {answer}"
        );
    }
    let allowed = app
        .gql_as(
            &support,
            "{ deals(filter: { figures: { ageDays: { gte: 15 } } }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        allowed["data"]["deals"]["totalCount"], 1,
        "ages are not amounts"
    );
}

async fn deals(app: &TestApp, arguments: &str) -> Value {
    app.data(
        &format!(
            "{{ deals({arguments}) {{ nodes {{ name daysInStage ageDays weightedAmount }} }} }}"
        ),
        json!({}),
    )
    .await["deals"]["nodes"]
        .clone()
}
