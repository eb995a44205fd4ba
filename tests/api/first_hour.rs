//! The first hour of a new user: the demo workspace tells a story (every
//! figure the README shows answers real numbers), its members sign in with
//! the documented password, every GraphQL example of the README runs as
//! written against it, and running a set-up example twice does not create a
//! second rule.

use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code, on_both_databases};

on_both_databases!(
    the_demo_year_answers_every_figure,
    demo_members_sign_in_with_the_documented_password,
    every_readme_example_runs_as_written,
    rule_names_are_unique_among_live_rules,
);

const README: &str = include_str!("../../README.md");

/// The demo's year, as the README's analytics example asks for it.
fn demo_year() -> Value {
    json!({ "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z" })
}

/// Seeds the demo and returns its admin's token.
async fn demo_admin(app: &TestApp) -> String {
    rapport::seed::demo(&app.state.core).await.expect("seeded");
    let admin = rapport::seed::actor_by_email(&app.state.db, rapport::seed::DEMO_ADMIN_EMAIL)
        .await
        .expect("demo admin");
    app.state.issue_token(&admin)
}

async fn data_as(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let response = app.gql_as(token, query, variables).await;
    assert!(response.get("errors").is_none(), "{query}: {response:#}");
    response["data"].clone()
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0.0)
}

pub(crate) async fn the_demo_year_answers_every_figure(app: TestApp) {
    let token = demo_admin(&app).await;
    let query = "query($p: PeriodInput!) { analytics(period: $p) {
        leadConversion { leads converted }
        dealOutcomes { won lost winRate }
        wonRevenue { currency amount count }
        averageSalesCycleDays
        timeInStage { stage { name } stays averageDays }
        closeReasons { outcome reason count }
        nps { responses promoters detractors score }
        csat { responses average }
        averageResolutionHours
        orderMix { orders firstOrders upsellOrders }
      }
      leaderboard(period: $p) { member { name } wonCount goals { won attainment } }
      contacts(first: 1, orderBy: [{ field: LEAD_SCORE, direction: DESC }]) { nodes { leadScore } }
      companies(first: 50) { nodes { name currentVendor vendorContractEndsOn } }
      campaigns(first: 5) { nodes { name leads } }
      products(first: 5) { nodes { sku likelyBuyers(first: 1) { score evidence { text } } } } }";
    let data = data_as(&app, &token, query, json!({ "p": demo_year() })).await;
    let figures = &data["analytics"];
    let outcomes = &figures["dealOutcomes"];
    assert!(
        number(&outcomes["won"]) > 0.0 && number(&outcomes["lost"]) > 0.0,
        "{outcomes}"
    );
    assert!(!figures["wonRevenue"].as_array().expect("list").is_empty());
    assert!(number(&figures["averageSalesCycleDays"]) > 0.0);
    // Deals walked through their stages: stays that lasted days.
    let stays = figures["timeInStage"].as_array().expect("list");
    assert!(
        stays
            .iter()
            .any(|s| number(&s["stays"]) > 0.0 && number(&s["averageDays"]) > 1.0),
        "{stays:?}"
    );
    assert!(!figures["closeReasons"].as_array().expect("list").is_empty());
    assert!(number(&figures["leadConversion"]["leads"]) > 0.0);
    assert!(number(&figures["nps"]["responses"]) >= 4.0 * 30.0);
    assert!(number(&figures["csat"]["responses"]) > 0.0);
    // The year began before the demo's first customer: its churn is over
    // the customers of mid-November, when one leaves.
    let churn =
        "query($p: PeriodInput!) { analytics(period: $p) { churn { customersAtStart churned } } }";
    let late = json!({ "from": "2026-11-15T00:00:00Z", "to": "2027-01-01T00:00:00Z" });
    let exits = data_as(&app, &token, churn, json!({ "p": late })).await;
    let churn = &exits["analytics"]["churn"];
    assert_eq!(number(&churn["churned"]), 1.0, "{churn}");
    assert!(number(&churn["customersAtStart"]) > 1.0, "{churn}");
    // The newsletter list: people join through the year and some leave.
    let growth = "query($p: PeriodInput!) { analytics(period: $p) { emailListGrowthRate { optedInAtStart optIns unsubscribes rate } } }";
    let second_half = json!({ "from": "2026-07-01T00:00:00Z", "to": "2027-01-01T00:00:00Z" });
    let list = data_as(&app, &token, growth, json!({ "p": second_half })).await;
    let list = &list["analytics"]["emailListGrowthRate"];
    for part in ["optedInAtStart", "optIns", "unsubscribes"] {
        assert!(number(&list[part]) > 0.0, "{list}");
    }
    assert!(list["rate"].is_number(), "{list}");
    assert!(number(&figures["averageResolutionHours"]) > 0.0);
    assert!(number(&figures["orderMix"]["orders"]) > 0.0);
    assert!(number(&figures["orderMix"]["upsellOrders"]) > 0.0);
    let board = data["leaderboard"].as_array().expect("list");
    assert!(
        board
            .iter()
            .any(|e| number(&e["wonCount"]) > 0.0
                && !e["goals"].as_array().expect("goals").is_empty()),
        "{board:?}"
    );
    assert!(number(&data["contacts"]["nodes"][0]["leadScore"]) > 0.0);
    let campaigns = data["campaigns"]["nodes"].as_array().expect("list");
    assert_eq!(campaigns.len(), 3);
    assert!(
        campaigns.iter().all(|c| number(&c["leads"]) > 0.0),
        "{campaigns:?}"
    );
    // The catalogue's buying pattern is there to be found.
    let products = data["products"]["nodes"].as_array().expect("list");
    assert_eq!(products.len(), 5);
    assert!(
        products
            .iter()
            .any(|p| p["likelyBuyers"][0]["evidence"]["text"]
                .as_str()
                .is_some_and(|t| t.contains(" also bought "))
                && number(&p["likelyBuyers"][0]["score"]) > 0.0),
        "{products:?}"
    );
    let ending: Vec<&Value> = data["companies"]["nodes"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|c| c["vendorContractEndsOn"].as_str() == Some("2026-12-21"))
        .collect();
    assert_eq!(ending.len(), 1, "one competitor contract ends in December");
    // Nothing is dated after the demo's last day.
    let last = "{ deals(first: 1, orderBy: [{ field: UPDATED_AT, direction: DESC }]) { nodes { updatedAt } } }";
    let data = data_as(&app, &token, last, json!({})).await;
    let updated = data["deals"]["nodes"][0]["updatedAt"]
        .as_str()
        .expect("time");
    assert!(updated < "2026-12-02", "{updated}");
}

async fn demo_members_sign_in_with_the_documented_password(app: TestApp) {
    demo_admin(&app).await;
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token member { role } } }";
    let variables = json!({ "e": "sam@demo.rapport.dev", "p": rapport::seed::DEMO_PASSWORD });
    let data = data_as(&app, "", login, variables).await;
    assert_eq!(data["login"]["member"]["role"], "SALES");
    let token = data["login"]["token"].as_str().expect("token").to_owned();
    let me = data_as(
        &app,
        &token,
        "{ deals(first: 1) { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(me["deals"]["totalCount"], 100);
    let wrong = json!({ "e": "sam@demo.rapport.dev", "p": "not-the-password" });
    assert_ne!(error_code(&app.gql_as("", login, wrong).await), "<none>");
}

/// What a valid subscription sent over HTTP is told.
const OVER_HTTP: &str = "Subscriptions are not supported on this transport.";

fn messages(response: &Value) -> Vec<&str> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["message"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// The GraphQL operations of the README's `graphql` blocks: an operation
/// starts on a line beginning with `{`, `query`, `mutation` or `subscription`.
fn readme_operations() -> Vec<String> {
    let mut operations = Vec::new();
    let mut inside = false;
    for line in README.lines() {
        if line.starts_with("```") {
            inside = line == "```graphql";
            continue;
        }
        if !inside {
            continue;
        }
        let starts = ["{", "query", "mutation", "subscription"]
            .iter()
            .any(|s| line.starts_with(s));
        match operations.last_mut() {
            Some(current) if !starts => {
                let current: &mut String = current;
                current.push('\n');
                current.push_str(line);
            }
            _ => operations.push(line.to_owned()),
        }
    }
    operations
}

pub(crate) async fn every_readme_example_runs_as_written(app: TestApp) {
    let token = demo_admin(&app).await;
    let operations = readme_operations();
    assert!(operations.len() >= 10, "{operations:?}");
    for operation in &operations {
        let variables = if operation.contains("$p: PeriodInput") {
            json!({ "p": demo_year() })
        } else {
            json!({})
        };
        let response = app.gql_as(&token, operation, variables).await;
        if operation.starts_with("subscription") {
            // Over HTTP a valid subscription is refused for its transport
            // alone, after parsing and validation.
            assert_eq!(messages(&response), [OVER_HTTP], "{operation}");
            continue;
        }
        let codes: Vec<&str> = response["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["extensions"]["code"].as_str().unwrap_or("<none>"))
                    .collect()
            })
            .unwrap_or_default();
        // Every example parses and validates against the schema.
        assert!(
            !codes
                .iter()
                .any(|c| matches!(*c, "GRAPHQL_PARSE_FAILED" | "GRAPHQL_VALIDATION_FAILED")),
            "{operation}: {response:#}"
        );
        // Those that need no ids (no `…` placeholder, no required ID
        // variable for the reader to fill in) answer without errors.
        if !operation.contains('…') && !operation.contains(": ID!") {
            assert!(codes.is_empty(), "{operation}: {response:#}");
        }
    }
    // The premise of the subscription check: an invalid one (the README's
    // old trigger example, its variable undeclared) is refused for that.
    let invalid = "subscription { triggerFirings(after: $cursor) { firedAt } }";
    let response = app.gql_as(&token, invalid, json!({})).await;
    assert_ne!(messages(&response), [OVER_HTTP], "{response:#}");
    // Running a set-up example twice does not create a second rule.
    let create = operations
        .iter()
        .find(|o| o.contains("createTriggerRule"))
        .expect("the trigger example");
    let again = app.gql_as(&token, create, json!({})).await;
    assert_eq!(error_code(&again), "CONFLICT", "{again:#}");
    assert_eq!(again["errors"][0]["extensions"]["field"], "input.name");
}

const CREATE_RULE: &str = "mutation($name: String!) { createLeadScoringRule(input: { name: $name, target: EMAIL_CLICK, points: 5, active: true }) { leadScoringRule { id } } }";
const UPDATE_RULE: &str = "mutation($id: ID!, $name: String!) { updateLeadScoringRule(id: $id, input: { name: $name, target: EMAIL_CLICK, points: 5, active: true }) { leadScoringRule { name } } }";

async fn rule_names_are_unique_among_live_rules(app: TestApp) {
    let create = |name: &str| app.gql(CREATE_RULE, json!({ "name": name }));
    let first = create("Clicks").await;
    let id = first["data"]["createLeadScoringRule"]["leadScoringRule"]["id"]
        .as_str()
        .expect("created")
        .to_owned();
    let twice = create("Clicks").await;
    assert_eq!(error_code(&twice), "CONFLICT", "{twice:#}");
    assert_eq!(twice["errors"][0]["extensions"]["field"], "input.name");
    let other = create("Opens").await;
    let other_id = other["data"]["createLeadScoringRule"]["leadScoringRule"]["id"]
        .as_str()
        .expect("created")
        .to_owned();
    // Renaming onto a live rule's name is refused; keeping one's own is not.
    let onto = app
        .gql(UPDATE_RULE, json!({ "id": other_id, "name": "Clicks" }))
        .await;
    assert_eq!(error_code(&onto), "CONFLICT", "{onto:#}");
    app.data(UPDATE_RULE, json!({ "id": id, "name": "Clicks" }))
        .await;
    // A deleted rule's name is free; restoring it while taken is refused.
    app.data(
        "mutation($id: ID!) { deleteLeadScoringRule(id: $id) { rescoredContacts } }",
        json!({ "id": id }),
    )
    .await;
    create("Clicks").await["data"]["createLeadScoringRule"]["leadScoringRule"]["id"]
        .as_str()
        .expect("the name is free again");
    let restore = app
        .gql(
            "mutation($id: ID!) { restoreLeadScoringRule(id: $id) { rescoredContacts } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&restore), "CONFLICT", "{restore:#}");
    // Triggers the same.
    let trigger = "mutation { createTriggerRule(input: { name: \"Unhappy\", kind: CSAT_BELOW, threshold: 3 }) { triggerRule { id } } }";
    app.data(trigger, json!({})).await;
    assert_eq!(error_code(&app.gql(trigger, json!({})).await), "CONFLICT");
    let count = app
        .data(
            "{ leadScoringRules(first: 10) { totalCount } triggerRules(first: 10) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(count["leadScoringRules"]["totalCount"], 2);
    assert_eq!(count["triggerRules"]["totalCount"], 1);
}
