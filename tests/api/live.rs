//! Subscriptions through real websockets: who receives what, resuming with
//! `after`, slow subscribers, and the dashboard against plain queries.

use entity::enums::Role;
use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, member_token, on_both_databases};
use crate::ws::WsClient;

on_both_databases!(
    a_moved_deal_reaches_pipeline_subscribers_and_no_one_else,
    ticket_events_follow_the_filter_and_include_activities,
    resuming_after_a_cursor_delivers_exactly_the_missed_events,
    a_subscriber_that_falls_behind_catches_up_from_the_outbox,
    the_dashboard_equals_the_same_figures_computed_by_queries,
    a_cursor_whose_events_were_pruned_is_refused,
);

/// The workspace's latest event cursor, read over HTTP as `token`.
pub async fn event_cursor_as(app: &TestApp, token: &str) -> String {
    let response = app.gql_as(token, "{ eventCursor }", json!({})).await;
    response["data"]["eventCursor"]
        .as_str()
        .expect("eventCursor")
        .to_owned()
}

/// Workspace A's latest event cursor.
pub async fn event_cursor(app: &TestApp) -> String {
    event_cursor_as(app, &app.token).await
}

const PIPELINE_EVENTS: &str = "subscription($id: ID!, $after: String) {
  pipelineEvents(pipelineId: $id, after: $after) {
    cursor kind deal { id name stage { id } } fromStage { id name } toStage { id name } outcome reason actor { id }
  }
}";

async fn move_deal(app: &TestApp, deal: &str, stage: &str) {
    mutate(
        app,
        "mutation($id: ID!, $stage: ID!) { moveDeal(id: $id, stageId: $stage) { deal { id } } }",
        json!({ "id": deal, "stage": stage }),
    )
    .await;
}

async fn a_moved_deal_reaches_pipeline_subscribers_and_no_one_else(app: TestApp) {
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    let deal = fixtures::deal(
        &app,
        json!({ "name": "Big one", "amount": "5000", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    let after = event_cursor(&app).await;
    let mut admin = WsClient::ready(&app.base, &app.token).await;
    admin
        .subscribe(
            "p",
            PIPELINE_EVENTS,
            json!({ "id": pipeline, "after": after }),
        )
        .await;
    let other_after = event_cursor_as(&app, &app.other_token).await;
    let mut other = WsClient::ready(&app.base, &app.other_token).await;
    other
        .subscribe(
            "t",
            "subscription($after: String) { ticketEvents(after: $after) { ticket { subject } } }",
            json!({ "after": other_after }),
        )
        .await;

    move_deal(&app, &deal, &stages[1]).await;
    fixtures::ticket(&app, json!({ "subject": "Workspace A's ticket" })).await;

    let moved = admin.next_data("p").await["pipelineEvents"].clone();
    assert_eq!(moved["kind"], "MOVED");
    assert_eq!(moved["deal"]["id"], deal.as_str());
    assert_eq!(moved["fromStage"]["id"], stages[0].as_str());
    assert_eq!(moved["toStage"]["id"], stages[1].as_str());
    assert_eq!(moved["deal"]["stage"]["id"], stages[1].as_str());
    assert!(moved["actor"]["id"].is_string());

    // The other workspace's first event is its own: nothing of A came before it.
    let other_app_ticket = json!({ "input": { "subject": "Workspace B's ticket" } });
    let created = app
        .gql_as(
            &app.other_token,
            "mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }",
            other_app_ticket,
        )
        .await;
    assert!(created.get("errors").is_none(), "{created}");
    let first = other.next_data("t").await;
    assert_eq!(
        first["ticketEvents"]["ticket"]["subject"],
        "Workspace B's ticket"
    );

    // Another workspace cannot subscribe to A's pipeline: it does not exist for it.
    other
        .subscribe("p", PIPELINE_EVENTS, json!({ "id": pipeline }))
        .await;
    let refused = other.json().await;
    assert_eq!(refused["type"], "next", "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "NOT_FOUND"
    );

    // SUPPORT sees no deals, so no deal events, and no dashboard.
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let mut support = WsClient::ready(&app.base, &support).await;
    support
        .subscribe("p", PIPELINE_EVENTS, json!({ "id": pipeline }))
        .await;
    let refused = support.json().await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    assert_eq!(
        support.json().await,
        json!({ "type": "complete", "id": "p" })
    );
    support
        .subscribe(
            "d",
            "subscription($id: ID!) { dashboard(pipelineId: $id) { openValue { amount } } }",
            json!({ "id": pipeline }),
        )
        .await;
    let refused = support.json().await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );

    // Closing carries the outcome and the reason.
    mutate(
        &app,
        "mutation($id: ID!) { closeDeal(id: $id, outcome: LOST, reason: \"Budget cut\") { deal { id } } }",
        json!({ "id": deal }),
    )
    .await;
    let closed = admin.next_data("p").await["pipelineEvents"].clone();
    assert_eq!(closed["kind"], "CLOSED");
    assert_eq!(closed["outcome"], "LOST");
    assert_eq!(closed["reason"], "Budget cut");
    assert_eq!(closed["toStage"]["name"], "Lost");
}

const TICKET_EVENTS: &str = "subscription($filter: TicketEventFilter, $after: String) {
  ticketEvents(filter: $filter, after: $after) { cursor kind ticket { id subject priority } activity { subject } }
}";

async fn ticket_events_follow_the_filter_and_include_activities(app: TestApp) {
    let after = event_cursor(&app).await;
    let mut urgent = WsClient::ready(&app.base, &app.token).await;
    urgent
        .subscribe(
            "u",
            TICKET_EVENTS,
            json!({ "filter": { "priority": ["URGENT", "HIGH"] }, "after": after }),
        )
        .await;
    fixtures::ticket(&app, json!({ "subject": "Low", "priority": "LOW" })).await;
    let high = fixtures::ticket(&app, json!({ "subject": "High", "priority": "HIGH" })).await;
    mutate(
        &app,
        "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }",
        json!({ "input": { "kind": "NOTE", "subject": "Called back", "ticketId": high } }),
    )
    .await;
    mutate(
        &app,
        "mutation($id: ID!) { setTicketStatus(id: $id, status: RESOLVED) { ticket { id } } }",
        json!({ "id": high }),
    )
    .await;
    let opened = urgent.next_data("u").await["ticketEvents"].clone();
    assert_eq!(opened["kind"], "OPENED");
    assert_eq!(opened["ticket"]["subject"], "High");
    let note = urgent.next_data("u").await["ticketEvents"].clone();
    assert_eq!(note["kind"], "ACTIVITY_ADDED");
    assert_eq!(note["activity"]["subject"], "Called back");
    assert_eq!(note["ticket"]["id"], high.as_str());
    let resolved = urgent.next_data("u").await["ticketEvents"].clone();
    assert_eq!(resolved["kind"], "RESOLVED");
}

pub(crate) async fn resuming_after_a_cursor_delivers_exactly_the_missed_events(app: TestApp) {
    let start = event_cursor(&app).await;
    let mut first = WsClient::ready(&app.base, &app.token).await;
    first
        .subscribe("a", TICKET_EVENTS, json!({ "after": start }))
        .await;
    for n in 0..3 {
        fixtures::ticket(&app, json!({ "subject": format!("Seen {n}") })).await;
    }
    let mut last_cursor = String::new();
    for n in 0..3 {
        let event = first.next_data("a").await["ticketEvents"].clone();
        assert_eq!(event["ticket"]["subject"], format!("Seen {n}"));
        last_cursor = event["cursor"].as_str().unwrap().to_owned();
    }
    drop(first);
    for n in 0..2 {
        fixtures::ticket(&app, json!({ "subject": format!("Missed {n}") })).await;
    }
    let mut resumed = WsClient::ready(&app.base, &app.token).await;
    resumed
        .subscribe("b", TICKET_EVENTS, json!({ "after": last_cursor }))
        .await;
    for n in 0..2 {
        let event = resumed.next_data("b").await["ticketEvents"].clone();
        assert_eq!(event["ticket"]["subject"], format!("Missed {n}"));
    }
    fixtures::ticket(&app, json!({ "subject": "Live" })).await;
    let event = resumed.next_data("b").await["ticketEvents"].clone();
    assert_eq!(event["ticket"]["subject"], "Live");

    // A cursor that is not one is refused with the argument it concerns.
    resumed
        .subscribe("c", TICKET_EVENTS, json!({ "after": "garbage" }))
        .await;
    let refused = resumed.json().await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["field"],
        "after"
    );
}

async fn a_subscriber_that_falls_behind_catches_up_from_the_outbox(app: TestApp) {
    // A stream that is not read while far more events than its buffer
    // (4,096 by default; RAPPORT_EVENT_BUFFER) go by.
    let source = app.state.event_source();
    let mut stream = Box::pin(
        rapport::events::subscriber::open(source, app.workspace_id, None)
            .await
            .expect("opens")
            .1,
    );
    fixtures::ticket(&app, json!({ "subject": "First" })).await;
    let first = stream.next().await.expect("event").expect("readable");
    let burst = 4_200;
    let companies =
        (0..burst).map(|n| fixtures::company(&app, json!({ "name": format!("Burst {n}") })));
    futures_util::stream::iter(companies)
        .buffer_unordered(4)
        .collect::<Vec<_>>()
        .await;
    let mut expected = first.seq;
    for _ in 0..burst {
        let e = stream.next().await.expect("event").expect("readable");
        expected += 1;
        assert_eq!(e.seq, expected, "in order, none missing, none twice");
    }
    let metrics = app.get_text("/metrics").await;
    assert!(
        !metrics.contains("rapport_subscriber_lags_total 0\n"),
        "the subscriber lagged and recovered:\n{metrics}"
    );
}

const DASHBOARD_FIELDS: &str =
    "stages { stage { id name } count amounts { currency amount count } }
  openValue { currency amount count } weightedForecast { currency amount count }
  wonThisMonth { currency amount count } lostThisMonth { currency amount count } winRate";

pub(crate) async fn the_dashboard_equals_the_same_figures_computed_by_queries(app: TestApp) {
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    let deals = [
        ("A", "1000.00", "EUR", 0),
        ("B", "250.50", "EUR", 1),
        ("C", "300", "USD", 1),
        ("D", "999.99", "EUR", 0),
        ("E", "10", "USD", 0),
    ];
    let mut ids = Vec::new();
    for (name, amount, currency, stage) in deals {
        ids.push(
            fixtures::deal(
                &app,
                json!({ "name": name, "amount": amount, "currency": currency, "pipelineId": pipeline, "stageId": stages[stage] }),
            )
            .await,
        );
    }
    for (deal, outcome) in [(&ids[3], "WON"), (&ids[4], "LOST")] {
        mutate(
            &app,
            &format!("mutation($id: ID!) {{ closeDeal(id: $id, outcome: {outcome}, reason: \"r\") {{ deal {{ id }} }} }}"),
            json!({ "id": deal }),
        )
        .await;
    }
    let mut client = WsClient::ready(&app.base, &app.token).await;
    client
        .subscribe(
            "d",
            &format!(
                "subscription($id: ID!) {{ dashboard(pipelineId: $id) {{ {DASHBOARD_FIELDS} }} }}"
            ),
            json!({ "id": pipeline }),
        )
        .await;
    let pushed = client.next_data("d").await["dashboard"].clone();
    check_against_queries(&app, &pipeline, &pushed).await;
    assert_eq!(pushed["winRate"], 0.5);
    assert_eq!(
        pushed["weightedForecast"],
        json!([
            { "currency": "EUR", "amount": "225.25", "count": 2 },
            { "currency": "USD", "amount": "150.00", "count": 1 },
        ])
    );

    // A move changes the figures: a new push, equal to the query again.
    move_deal(&app, &ids[0], &stages[1]).await;
    let pushed = client.next_data("d").await["dashboard"].clone();
    check_against_queries(&app, &pipeline, &pushed).await;
    assert_eq!(pushed["stages"][1]["count"], 3);
}

/// Recomputes the dashboard from `pipelineDashboard` and, independently,
/// from `deals` and `dealAmountTotals`, and compares.
async fn check_against_queries(app: &TestApp, pipeline: &str, pushed: &Value) {
    let queried = app
        .data(
            &format!(
                "query($id: ID!) {{ pipelineDashboard(pipelineId: $id) {{ {DASHBOARD_FIELDS} }} }}"
            ),
            json!({ "id": pipeline }),
        )
        .await["pipelineDashboard"]
        .clone();
    assert_eq!(&queried, pushed);
    for figures in pushed["stages"].as_array().unwrap() {
        let stage = &figures["stage"]["id"];
        let data = app
            .data(
                "query($p: ID!, $s: ID!) {
                  deals(filter: { pipelineId: { eq: $p }, stageId: { eq: $s } }) { totalCount }
                  dealAmountTotals(filter: { pipelineId: { eq: $p }, stageId: { eq: $s } }) { currency amount count }
                }",
                json!({ "p": pipeline, "s": stage }),
            )
            .await;
        assert_eq!(data["deals"]["totalCount"], figures["count"]);
        assert_eq!(data["dealAmountTotals"], figures["amounts"]);
    }
    let open = app
        .data(
            "query($p: ID!) { dealAmountTotals(filter: { pipelineId: { eq: $p }, status: { eq: OPEN } }) { currency amount count } }",
            json!({ "p": pipeline }),
        )
        .await;
    assert_eq!(open["dealAmountTotals"], pushed["openValue"]);
    for (status, field) in [("WON", "wonThisMonth"), ("LOST", "lostThisMonth")] {
        let closed = app
            .data(
                &format!("query($p: ID!) {{ dealAmountTotals(filter: {{ pipelineId: {{ eq: $p }}, status: {{ eq: {status} }} }}) {{ currency amount count }} }}"),
                json!({ "p": pipeline }),
            )
            .await;
        assert_eq!(closed["dealAmountTotals"], pushed[field]);
    }
}

async fn a_cursor_whose_events_were_pruned_is_refused(app: TestApp) {
    let old = event_cursor(&app).await;
    for n in 0..2 {
        fixtures::ticket(&app, json!({ "subject": format!("Old {n}") })).await;
    }
    let latest = event_cursor(&app).await;
    // What the hourly pruning does once events pass the retention.
    let now = chrono::Utc::now();
    let pruned = rapport_core::store::across::across_workspaces(&app.state.db, async |txn| {
        rapport::events::outbox::prune(txn, now).await
    })
    .await
    .expect("pruned");
    assert!(pruned >= 2);
    let mut client = WsClient::ready(&app.base, &app.token).await;
    client
        .subscribe("old", TICKET_EVENTS, json!({ "after": old }))
        .await;
    let refused = client.json().await;
    let error = &refused["payload"]["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{refused}");
    assert_eq!(error["extensions"]["field"], "after");
    assert!(error["message"].as_str().unwrap().contains("pruned"));
    assert_eq!(client.json().await["type"], "complete");
    // The latest cursor still resumes: nothing after it was pruned.
    client
        .subscribe("new", TICKET_EVENTS, json!({ "after": latest }))
        .await;
    fixtures::ticket(&app, json!({ "subject": "New" })).await;
    let event = client.next_data("new").await["ticketEvents"].clone();
    assert_eq!(event["ticket"]["subject"], "New");
}
