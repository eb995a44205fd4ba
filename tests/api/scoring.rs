//! Lead scoring rules, tracked engagement and score history at controlled
//! times, and email consent.

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, on_both_databases};

on_both_databases!(with crate::helpers::manual_clock;
    scores_follow_rules_fields_and_engagement_with_history,
    consent_is_recorded_and_withdrawn,
);

const RULE: &str = "mutation($input: LeadScoringRuleInput!) { createLeadScoringRule(input: $input) { leadScoringRule { id version } rescoredContacts } }";
const TRACK: &str = "mutation($id: ID!, $kind: EngagementKind!) { trackEngagement(input: { contactId: $id, kind: $kind }) { previousScore contact { leadScore } } }";

async fn score(app: &TestApp, contact: &str) -> i64 {
    app.data(
        "query($id: ID!) { node(id: $id) { ... on Contact { leadScore } } }",
        json!({ "id": contact }),
    )
    .await["node"]["leadScore"]
        .as_i64()
        .expect("a score")
}

async fn rule(app: &TestApp, input: Value) -> (String, i64) {
    let created = mutate(app, RULE, json!({ "input": input })).await;
    (
        created["leadScoringRule"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        created["rescoredContacts"].as_i64().unwrap(),
    )
}

async fn scores_follow_rules_fields_and_engagement_with_history(app: TestApp) {
    let acme = fixtures::company(
        &app,
        json!({ "name": "Acme", "industry": "Software", "employeeCount": 50 }),
    )
    .await;
    let dana = fixtures::contact(
        &app,
        json!({ "firstName": "Dana", "jobTitle": "Sales Director", "companyId": acme }),
    )
    .await;
    let other = fixtures::contact(&app, json!({ "firstName": "Olga", "jobTitle": "Intern" })).await;
    assert_eq!(score(&app, &dana).await, 0, "no rules yet");

    app.at("2026-01-01T09:00:00Z");
    let (director, rescored) = rule(
        &app,
        json!({ "name": "Directors", "target": "JOB_TITLE", "contains": "director", "points": 20 }),
    )
    .await;
    assert_eq!(rescored, 1, "Dana only");
    rule(
        &app,
        json!({ "name": "Software", "target": "INDUSTRY", "contains": "SOFTWARE", "points": 10 }),
    )
    .await;
    rule(
        &app,
        json!({ "name": "Mid-size", "target": "COMPANY_SIZE", "atLeast": 100, "points": 15 }),
    )
    .await;
    let (clicks, _) = rule(
        &app,
        json!({ "name": "Clicks", "target": "EMAIL_CLICK", "points": 5 }),
    )
    .await;
    rule(
        &app,
        json!({ "name": "Views", "target": "PAGE_VIEW", "points": 1 }),
    )
    .await;
    rule(&app, json!({ "name": "Tiny", "target": "ANNUAL_REVENUE", "atMost": "1000", "points": -5, "active": false })).await;
    assert_eq!(score(&app, &dana).await, 30, "director 20 + software 10");
    assert_eq!(score(&app, &other).await, 0);

    app.at("2026-01-02T09:00:00Z");
    for _ in 0..2 {
        mutate(&app, TRACK, json!({ "id": dana, "kind": "EMAIL_CLICK" })).await;
    }
    let tracked = mutate(&app, TRACK, json!({ "id": dana, "kind": "PAGE_VIEW" })).await;
    assert_eq!(
        tracked,
        json!({ "previousScore": 40, "contact": { "leadScore": 41 } })
    );

    app.at("2026-01-03T09:00:00Z");
    mutate(&app, "mutation($id: ID!) { updateCompany(id: $id, input: { employeeCount: 150 }) { company { id } } }", json!({ "id": acme })).await;
    assert_eq!(score(&app, &dana).await, 56, "the company grew past 100");

    app.at("2026-01-04T09:00:00Z");
    mutate(&app, "mutation($id: ID!) { updateLeadScoringRule(id: $id, input: { name: \"Clicks\", target: EMAIL_CLICK, points: 3 }) { rescoredContacts } }", json!({ "id": clicks })).await;
    assert_eq!(score(&app, &dana).await, 52, "two clicks at 3 instead of 5");
    mutate(
        &app,
        "mutation($id: ID!) { deleteLeadScoringRule(id: $id) { rescoredContacts } }",
        json!({ "id": director }),
    )
    .await;
    assert_eq!(score(&app, &dana).await, 32);
    mutate(
        &app,
        "mutation($id: ID!) { restoreLeadScoringRule(id: $id) { rescoredContacts } }",
        json!({ "id": director }),
    )
    .await;
    mutate(&app, "mutation($id: ID!) { updateContact(id: $id, input: { jobTitle: \"Director of Sales\" }) { contact { leadScore } } }", json!({ "id": dana })).await;
    assert_eq!(score(&app, &dana).await, 52, "still a director");

    let history = app
        .data("query($id: ID!) { node(id: $id) { ... on Contact { leadScoreHistory(first: 3) { previous score reason changedAt } } } }", json!({ "id": dana }))
        .await;
    assert_eq!(
        history["node"]["leadScoreHistory"],
        json!([
            { "previous": 32, "score": 52, "reason": "rule Directors restored", "changedAt": "2026-01-04T09:00:00+00:00" },
            { "previous": 52, "score": 32, "reason": "rule Directors deleted", "changedAt": "2026-01-04T09:00:00+00:00" },
            { "previous": 56, "score": 52, "reason": "rule Clicks updated", "changedAt": "2026-01-04T09:00:00+00:00" },
        ])
    );
    let all = app
        .data("query($id: ID!) { node(id: $id) { ... on Contact { leadScoreHistory(first: 100) { reason changedAt } } } }", json!({ "id": dana }))
        .await;
    let reasons: Vec<&str> = all["node"]["leadScoreHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons.len(),
        9,
        "two rules on creation, three engagements, the company, three rule changes: {reasons:?}"
    );
    assert_eq!(reasons.last(), Some(&"rule Directors created"));
    assert_eq!(
        all["node"]["leadScoreHistory"][3]["changedAt"],
        "2026-01-03T09:00:00+00:00"
    );

    // Lists filter and sort by the score.
    let hot = app
        .data("{ contacts(filter: { leadScore: { gte: 50 } }, orderBy: [{ field: LEAD_SCORE, direction: DESC }]) { nodes { firstName leadScore } } }", json!({}))
        .await;
    assert_eq!(
        hot["contacts"]["nodes"],
        json!([{ "firstName": "Dana", "leadScore": 52 }])
    );

    // Bad rules are refused and change nothing.
    let bad = [
        (
            json!({ "name": "x", "target": "JOB_TITLE", "points": 1 }),
            "input.contains",
        ),
        (
            json!({ "name": "x", "target": "PAGE_VIEW", "contains": "a", "points": 1 }),
            "input.contains",
        ),
        (
            json!({ "name": "x", "target": "COMPANY_SIZE", "points": 1 }),
            "input.atLeast",
        ),
        (
            json!({ "name": "x", "target": "COMPANY_SIZE", "atLeast": 1.5, "points": 1 }),
            "input.atLeast",
        ),
        (
            json!({ "name": "x", "target": "COMPANY_SIZE", "atLeast": 10, "atMost": 5, "points": 1 }),
            "input.atMost",
        ),
        (
            json!({ "name": "x", "target": "PAGE_VIEW", "points": 5000 }),
            "input.points",
        ),
        (
            json!({ "name": " ", "target": "PAGE_VIEW", "points": 1 }),
            "input.name",
        ),
    ];
    for (input, field) in bad {
        let answer = app.gql(RULE, json!({ "input": input })).await;
        assert_eq!(error_code(&answer), "BAD_USER_INPUT", "{input}: {answer}");
        assert_eq!(answer["errors"][0]["extensions"]["field"], field, "{input}");
    }
    let rules = app
        .data("{ leadScoringRules { totalCount } }", json!({}))
        .await;
    assert_eq!(rules["leadScoringRules"]["totalCount"], 6);
    assert_eq!(score(&app, &dana).await, 52);

    // The company's points go with it and come back with it.
    mutate(
        &app,
        "mutation($id: ID!) { deleteCompany(id: $id) { company { id } } }",
        json!({ "id": acme }),
    )
    .await;
    assert_eq!(
        score(&app, &dana).await,
        27,
        "no more software (10) or size (15)"
    );
    mutate(
        &app,
        "mutation($id: ID!) { restoreCompany(id: $id) { company { id } } }",
        json!({ "id": acme }),
    )
    .await;
    assert_eq!(score(&app, &dana).await, 52);
}

async fn consent_is_recorded_and_withdrawn(app: TestApp) {
    let contact = fixtures::contact(
        &app,
        json!({ "firstName": "Cleo", "email": "cleo@example.com" }),
    )
    .await;
    app.at("2026-03-01T12:00:00Z");
    let consent = "mutation($id: ID!) { recordEmailConsent(id: $id, source: \"newsletter form\", legalBasis: CONSENT) { contact { emailOptIn emailOptInAt consentSource consentLegalBasis unsubscribedAt } } }";
    let given = mutate(&app, consent, json!({ "id": contact })).await;
    assert_eq!(
        given["contact"],
        json!({ "emailOptIn": true, "emailOptInAt": "2026-03-01T12:00:00+00:00", "consentSource": "newsletter form", "consentLegalBasis": "CONSENT", "unsubscribedAt": null })
    );
    let opted = app
        .data(
            "{ contacts(filter: { emailOptIn: true }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(opted["contacts"]["totalCount"], 1);

    app.at("2026-04-01T12:00:00Z");
    let unsubscribe = "mutation($id: ID!) { unsubscribeContact(id: $id) { contact { emailOptIn unsubscribedAt consentSource } } }";
    let gone = mutate(&app, unsubscribe, json!({ "id": contact })).await;
    assert_eq!(
        gone["contact"],
        json!({ "emailOptIn": false, "unsubscribedAt": "2026-04-01T12:00:00+00:00", "consentSource": "newsletter form" }),
        "the evidence stays"
    );
    let blank = app
        .gql("mutation($id: ID!) { recordEmailConsent(id: $id, source: \"  \", legalBasis: CONSENT) { contact { id } } }", json!({ "id": contact }))
        .await;
    assert_eq!(error_code(&blank), "BAD_USER_INPUT");
    assert_eq!(blank["errors"][0]["extensions"]["field"], "source");
}
