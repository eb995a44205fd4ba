//! Triggers at controlled times: a low CSAT, a burst of tickets, and a
//! competitor contract coming to its end, each creating one task for the
//! owner and one `triggerFirings` event.

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, on_both_databases};
use crate::ws::WsClient;

on_both_databases!(with crate::helpers::manual_clock;
    triggers_fire_once_with_a_task_for_the_owner,
);

const TRIGGER: &str = "mutation($input: TriggerRuleInput!) { createTriggerRule(input: $input) { triggerRule { id } } }";
const SURVEY: &str = "mutation($input: CreateSurveyResponseInput!) { createSurveyResponse(input: $input) { surveyResponse { id } } }";
const CONTRACT: &str = "mutation($id: ID!, $ends: Date) { setCompanyCompetitorContract(id: $id, currentVendor: \"Globex\", contractEndsOn: $ends) { company { id } } }";
const SWEEP: &str = "mutation { runTriggerSweep { fired } }";
const FIRINGS: &str = "subscription($after: String) { triggerFirings(after: $after) { trigger { kind } task { kind subject dueAt assignee { name } } contact { firstName } company { name } firedAt } }";

async fn tasks(app: &TestApp, owner: &str) -> i64 {
    app.data(
        "query($owner: ID!) { activities(filter: { kind: { eq: TASK }, assigneeId: { eq: $owner } }) { totalCount } }",
        json!({ "owner": owner }),
    )
    .await["activities"]["totalCount"]
        .as_i64()
        .expect("a count")
}

async fn ticket(app: &TestApp, at: &str, contact: &str) {
    app.at(at);
    fixtures::ticket(
        app,
        json!({ "subject": format!("Ticket {at}"), "contactId": contact }),
    )
    .await;
}

async fn sweep(app: &TestApp) -> Value {
    mutate(app, SWEEP, json!({})).await["fired"].clone()
}

async fn triggers_fire_once_with_a_task_for_the_owner(app: TestApp) {
    let owner = mutate(&app, "mutation { inviteMember(input: { email: \"oli@example.com\", name: \"Oli\", role: SALES }) { member { id } } }", json!({}))
        .await["member"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ann = fixtures::contact(&app, json!({ "firstName": "Ann", "ownerId": owner })).await;
    let companies: Vec<String> = {
        let mut ids = Vec::new();
        for name in ["Initech", "Hooli", "Umbrella"] {
            ids.push(fixtures::company(&app, json!({ "name": name, "ownerId": owner })).await);
        }
        ids
    };
    for input in [
        json!({ "name": "Unhappy", "kind": "CSAT_BELOW", "threshold": 3 }),
        json!({ "name": "Busy", "kind": "TICKET_BURST", "threshold": 3, "withinDays": 7 }),
        json!({ "name": "Switch", "kind": "CONTRACT_ENDING", "withinDays": 30 }),
    ] {
        mutate(&app, TRIGGER, json!({ "input": input })).await;
    }
    let cursor = app.data("{ eventCursor }", json!({})).await["eventCursor"].clone();
    let mut feed = WsClient::ready(&app.base, &app.token).await;
    feed.subscribe("f", FIRINGS, json!({ "after": cursor }))
        .await;

    // CSAT: 4 is fine, 2 is below 3.
    app.at("2026-01-01T09:00:00Z");
    for score in [4, 2] {
        mutate(
            &app,
            SURVEY,
            json!({ "input": { "contactId": ann, "kind": "CSAT", "score": score } }),
        )
        .await;
    }
    assert_eq!(tasks(&app, &owner).await, 1);

    // Tickets: the first two fall out of the 7-day window before the burst.
    for at in [
        "2026-01-01T10:00:00Z",
        "2026-01-03T10:00:00Z",
        "2026-01-20T10:00:00Z",
        "2026-01-21T10:00:00Z",
    ] {
        ticket(&app, at, &ann).await;
    }
    assert_eq!(tasks(&app, &owner).await, 1, "never 3 in 7 days yet");
    ticket(&app, "2026-01-22T10:00:00Z", &ann).await;
    assert_eq!(tasks(&app, &owner).await, 2, "20th, 21st, 22nd");
    ticket(&app, "2026-01-23T10:00:00Z", &ann).await;
    assert_eq!(tasks(&app, &owner).await, 2, "once per window");

    // Contracts: Hooli's ends within 30 days of now, so it fires at once;
    // Initech's and Umbrella's come into the window later.
    mutate(
        &app,
        CONTRACT,
        json!({ "id": companies[0], "ends": "2026-03-15" }),
    )
    .await;
    mutate(
        &app,
        CONTRACT,
        json!({ "id": companies[1], "ends": "2026-02-10" }),
    )
    .await;
    mutate(
        &app,
        CONTRACT,
        json!({ "id": companies[2], "ends": "2026-03-20" }),
    )
    .await;
    assert_eq!(tasks(&app, &owner).await, 3);
    assert_eq!(sweep(&app).await, json!(0), "51 and 56 days ahead");
    app.at("2026-02-14T00:00:00Z");
    assert_eq!(sweep(&app).await, json!(1), "Initech: 29 days ahead");
    assert_eq!(sweep(&app).await, json!(0), "it fired already");
    app.at("2026-02-20T00:00:00Z");
    let fired = rapport_core::rules::triggers::sweep_all(&app.state.core, &app.state.config.clock)
        .await
        .expect("sweep");
    assert_eq!(fired, 1, "the server's own sweep: Umbrella, 28 days ahead");
    assert_eq!(tasks(&app, &owner).await, 5);

    let mut seen = Vec::new();
    for _ in 0..5 {
        let firing = feed.next_data("f").await["triggerFirings"].clone();
        assert_eq!(firing["task"]["kind"], "TASK");
        assert_eq!(firing["task"]["assignee"]["name"], "Oli");
        seen.push((
            firing["trigger"]["kind"].as_str().unwrap().to_owned(),
            firing["contact"]["firstName"].as_str().map(str::to_owned),
            firing["company"]["name"].as_str().map(str::to_owned),
            firing["task"]["subject"].as_str().unwrap().to_owned(),
        ));
        if seen.len() == 1 {
            assert_eq!(firing["firedAt"], "2026-01-01T09:00:00+00:00");
            assert_eq!(
                firing["task"]["dueAt"], "2026-01-02T09:00:00+00:00",
                "a day to act"
            );
        }
    }
    let kinds: Vec<(&str, Option<&str>, Option<&str>)> = seen
        .iter()
        .map(|(k, c, co, _)| (k.as_str(), c.as_deref(), co.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("CSAT_BELOW", Some("Ann"), None),
            ("TICKET_BURST", Some("Ann"), None),
            ("CONTRACT_ENDING", None, Some("Hooli")),
            ("CONTRACT_ENDING", None, Some("Initech")),
            ("CONTRACT_ENDING", None, Some("Umbrella")),
        ]
    );
    assert_eq!(seen[0].3, "Follow up: CSAT 2 from Ann");
    assert_eq!(
        seen[3].3,
        "Initech: contract with Globex ends on 2026-03-15"
    );

    // Bad triggers are refused, naming the field.
    for (input, field) in [
        (
            json!({ "name": "x", "kind": "CSAT_BELOW", "threshold": 9 }),
            "input.threshold",
        ),
        (
            json!({ "name": "x", "kind": "CSAT_BELOW", "threshold": 3, "withinDays": 2 }),
            "input.withinDays",
        ),
        (
            json!({ "name": "x", "kind": "TICKET_BURST", "threshold": 3 }),
            "input.withinDays",
        ),
        (
            json!({ "name": "x", "kind": "CONTRACT_ENDING", "threshold": 1, "withinDays": 3 }),
            "input.threshold",
        ),
    ] {
        let answer = app.gql(TRIGGER, json!({ "input": input })).await;
        assert_eq!(error_code(&answer), "BAD_USER_INPUT", "{answer}");
        assert_eq!(answer["errors"][0]["extensions"]["field"], field);
    }
    let triggers = app.data("{ triggerRules { totalCount } }", json!({})).await;
    assert_eq!(triggers["triggerRules"]["totalCount"], 3);
}
