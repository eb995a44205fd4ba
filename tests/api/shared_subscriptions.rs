//! Shared subscriptions (`rapport::ws::shared`): identical live
//! subscriptions of one actor run once, yet each subscriber still sees what
//! its own role and variables allow, and one that falls behind misses nothing.

use std::time::Duration;

use entity::enums::Role;
use futures_util::StreamExt;
use rapport::ws::shared::Item;
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, member_token, on_both_databases};
use crate::ws::WsClient;

on_both_databases!(
    identical_subscriptions_share_one_execution_and_keep_their_own_view,
    a_shared_subscriber_that_falls_behind_continues_alone_without_a_gap,
);

const EVENTS: &str =
    "subscription { ticketEvents { kind ticket { number subject priority deal { amount } } } }";
const FILTERED: &str = "subscription($f: TicketEventFilter) { ticketEvents(filter: $f) { kind ticket { number subject priority deal { amount } } } }";

async fn create_ticket(app: &TestApp, input: Value) -> Value {
    let create = "mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id number } } }";
    mutate(app, create, json!({ "input": input })).await["ticket"].clone()
}

/// The subject of a `next` message's ticket.
fn subject(message: &Value) -> &str {
    message["payload"]["data"]["ticketEvents"]["ticket"]["subject"]
        .as_str()
        .unwrap_or_else(|| panic!("a ticket event: {message}"))
}

/// Sends tickets until every client received one, then until each has read
/// the last: from then on, every client's subscription is live.
async fn warm_up(app: &TestApp, clients: &mut [&mut WsClient]) {
    // The subject each client read last, once it has read any.
    let mut read: Vec<Option<String>> = vec![None; clients.len()];
    let mut round = 0;
    while read.contains(&None) {
        round += 1;
        assert!(round <= 50, "subscriptions never became live");
        let input = json!({ "subject": format!("warm {round}"), "priority": "HIGH" });
        create_ticket(app, input).await;
        for (client, read) in clients.iter_mut().zip(read.iter_mut()) {
            if read.is_none()
                && let Some(message) = client.try_json(Duration::from_millis(500)).await
            {
                *read = Some(subject(&message).to_owned());
            }
        }
    }
    let last = format!("warm {round}");
    for (client, read) in clients.iter_mut().zip(read) {
        let mut read = read.unwrap_or_default();
        while read != last {
            read = subject(&client.json().await).to_owned();
        }
    }
}

async fn identical_subscriptions_share_one_execution_and_keep_their_own_view(app: TestApp) {
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let mut admin_a = WsClient::ready(&app.base, &app.token).await;
    let mut admin_b = WsClient::ready(&app.base, &app.token).await;
    let mut support = WsClient::ready(&app.base, &support).await;
    let mut urgent = WsClient::ready(&app.base, &app.token).await;
    admin_a.subscribe("a", EVENTS, json!({})).await;
    admin_b.subscribe("b", EVENTS, json!({})).await;
    support.subscribe("s", EVENTS, json!({})).await;
    let only_high = json!({ "f": { "priority": ["HIGH"] } });
    urgent.subscribe("u", FILTERED, only_high).await;
    warm_up(
        &app,
        &mut [&mut admin_a, &mut admin_b, &mut support, &mut urgent],
    )
    .await;
    // The two admins share one execution; SUPPORT and the filter have their own.
    assert_eq!(app.counter("rapport_subscription_groups_open").await, 3);

    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    let deal = fixtures::deal(
        &app,
        json!({ "name": "D", "amount": "5000", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    let normal = create_ticket(&app, json!({ "subject": "Normal", "dealId": deal })).await;
    let high = create_ticket(&app, json!({ "subject": "High", "priority": "HIGH" })).await;

    for (ticket, name) in [(&normal, "Normal"), (&high, "High")] {
        let a = admin_a.json().await;
        let b = admin_b.json().await;
        let s = support.json().await;
        assert_eq!(subject(&a), name, "{a}");
        assert_eq!(a["id"], "a");
        assert_eq!(b["id"], "b");
        assert_eq!(
            a["payload"], b["payload"],
            "shared subscribers get the same result"
        );
        assert_eq!(
            a["payload"]["data"]["ticketEvents"]["ticket"]["number"],
            ticket["number"]
        );
        assert_eq!(subject(&s), name, "{s}");
        if name == "Normal" {
            assert_eq!(
                a["payload"]["data"]["ticketEvents"]["ticket"]["deal"]["amount"],
                "5000.00"
            );
            assert_ne!(
                a["payload"], s["payload"],
                "SUPPORT does not see deal amounts: {s}"
            );
        }
    }
    let u = urgent.json().await;
    assert_eq!(
        subject(&u),
        "High",
        "the filtered subscriber skips NORMAL: {u}"
    );

    // A client's `complete` leaves the group running for the other admin.
    admin_b.send(json!({ "type": "complete", "id": "b" })).await;
    create_ticket(&app, json!({ "subject": "After b left" })).await;
    assert_eq!(subject(&admin_a.json().await), "After b left");
    drop((admin_a, admin_b, support, urgent));
    // Every group stops with its last subscriber (bounded wait, no timing asserted).
    for _ in 0..200 {
        if app.counter("rapport_subscription_groups_open").await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("groups still open after every subscriber left");
}

/// The ticket subject in a subscriber's item.
fn item_subject(item: Item) -> String {
    let data = match item {
        Item::Own(response) => {
            assert!(response.errors.is_empty(), "{:?}", response.errors);
            response.data.into_json().expect("JSON")
        }
        Item::Shared(payload, _) => {
            let response: Value = serde_json::from_str(&payload).expect("JSON");
            response["data"].clone()
        }
    };
    data["ticketEvents"]["ticket"]["subject"]
        .as_str()
        .expect("a ticket")
        .to_owned()
}

async fn a_shared_subscriber_that_falls_behind_continues_alone_without_a_gap(app: TestApp) {
    let schema = rapport::graphql::build(Some(app.state.services.clone()));
    let actor = app
        .state
        .authenticate(&app.token)
        .await
        .expect("database")
        .expect("actor");
    let hub = &app.state.shared_subscriptions;
    let subscribe = || hub.subscribe(&schema, EVENTS.into(), actor.clone(), 100);
    let mut reader = subscribe();
    let mut behind = subscribe();
    // Live once the reader gets a ticket.
    for round in 0.. {
        assert!(round < 50, "the subscription never became live");
        create_ticket(&app, json!({ "subject": format!("warm {round}") })).await;
        let next = tokio::time::timeout(Duration::from_millis(500), reader.next()).await;
        if next.is_ok() {
            break;
        }
    }
    drop(reader);
    // Far more results than the group buffers (256) while `behind` reads nothing.
    let burst = 300;
    for n in 0..burst {
        create_ticket(&app, json!({ "subject": format!("burst {n}") })).await;
    }
    let mut seen = Vec::new();
    while seen.len() < burst {
        let item = tokio::time::timeout(crate::ws::PATIENCE, behind.next())
            .await
            .expect("in time")
            .expect("an item");
        let subject = item_subject(item);
        if let Some(n) = subject.strip_prefix("burst ") {
            seen.push(n.parse::<usize>().expect("a number"));
        }
    }
    assert_eq!(
        seen,
        (0..burst).collect::<Vec<_>>(),
        "every event once, in order"
    );
    assert_eq!(
        app.counter("rapport_shared_subscribers_behind_total").await,
        1
    );
}
