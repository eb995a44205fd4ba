//! History: who changed what and when, field by field.

use entity::enums::Role;
use serde_json::json;

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};
use crate::live::event_cursor;
use crate::ws::WsClient;

on_both_databases!(
    every_change_is_recorded_with_its_author_and_fields,
    history_pages_both_ways_with_a_total,
    a_new_ticket_carries_its_number_in_its_event_and_history,
);

const HISTORY: &str = "query($id: ID!) { history(recordId: $id) { edges { node { kind member { id } apiKey { name } changes { field before after } } } } }";

async fn every_change_is_recorded_with_its_author_and_fields(app: TestApp) {
    let sales = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let sales_id = app.gql_as(&sales, "{ me { id } }", json!({})).await["data"]["me"]["id"].clone();
    let id = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let renamed = app
        .gql_as(
            &sales,
            "mutation($id: ID!) { updateCompany(id: $id, input: { name: \"Acme Corp\" }) { company { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(renamed.get("errors").is_none(), "{renamed}");
    let key = mutate(
        &app,
        "mutation { createApiKey(input: { name: \"Enricher\", role: SALES }) { key } }",
        json!({}),
    )
    .await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let enriched = app
        .gql_as(
            &key,
            "mutation($id: ID!) { updateCompany(id: $id, input: { industry: \"Retail\" }) { company { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(enriched.get("errors").is_none(), "{enriched}");

    let history = app.data(HISTORY, json!({ "id": id })).await["history"]["edges"].clone();
    let entries = history.as_array().unwrap();
    assert_eq!(entries.len(), 3, "{history}");
    let (newest, middle, oldest) = (
        &entries[0]["node"],
        &entries[1]["node"],
        &entries[2]["node"],
    );
    assert_eq!(newest["apiKey"]["name"], "Enricher");
    assert_eq!(
        newest["changes"],
        json!([{ "field": "industry", "before": null, "after": "Retail" }])
    );
    assert_eq!(middle["kind"], "UPDATED");
    assert_eq!(middle["member"]["id"], sales_id);
    assert_eq!(
        middle["changes"],
        json!([{ "field": "name", "before": "Acme", "after": "Acme Corp" }])
    );
    assert_eq!(oldest["kind"], "CREATED");
    assert!(
        oldest["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "name" && c["after"] == "Acme")
    );

    // Deals: a move shows the stage, amounts show as decimals.
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    let deal = fixtures::deal(
        &app,
        json!({ "name": "D", "amount": "1200.50", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    mutate(
        &app,
        "mutation($id: ID!, $s: ID!) { moveDeal(id: $id, stageId: $s) { deal { id } } }",
        json!({ "id": deal, "s": stages[1] }),
    )
    .await;
    let deal_history = app
        .data("query($id: ID!) { node(id: $id) { ... on Deal { history(first: 5) { edges { node { kind changes { field before after } } } } } } }", json!({ "id": deal }))
        .await;
    let entries = deal_history["node"]["history"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(entries[0]["node"]["kind"], "MOVED");
    assert!(
        entries[0]["node"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "stageId"
                && c["before"] == stages[0]
                && c["after"] == stages[1]),
        "references show as global ids: {entries:?}"
    );
    assert!(
        entries[1]["node"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "amount" && c["after"] == "1200.5")
    );

    // Only ADMIN and MANAGER read history; another workspace sees none.
    assert_eq!(
        error_code(&app.gql_as(&sales, HISTORY, json!({ "id": id })).await),
        "FORBIDDEN"
    );
    let other = app
        .gql_as(&app.other_token, HISTORY, json!({ "id": id }))
        .await;
    assert_eq!(other["data"]["history"]["edges"], json!([]));
}

async fn history_pages_both_ways_with_a_total(app: TestApp) {
    let id = fixtures::company(&app, json!({ "name": "v0" })).await;
    for n in 1..=3 {
        mutate(
            &app,
            "mutation($id: ID!, $name: String!) { updateCompany(id: $id, input: { name: $name }) { company { id } } }",
            json!({ "id": id, "name": format!("v{n}") }),
        )
        .await;
    }
    let page = "query($id: ID!, $last: Int, $before: String) { history(recordId: $id, last: $last, before: $before) { totalCount pageInfo { hasPreviousPage hasNextPage startCursor } edges { node { kind changes { field after } } } } }";
    let names = |history: &serde_json::Value| -> Vec<serde_json::Value> {
        history["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                e["node"]["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["field"] == "name")
                    .unwrap()["after"]
                    .clone()
            })
            .collect()
    };
    // The oldest two, still newest first; newer ones are before them.
    let oldest = app.data(page, json!({ "id": id, "last": 2 })).await["history"].clone();
    assert_eq!(oldest["totalCount"], 4, "{oldest}");
    assert_eq!(names(&oldest), vec![json!("v1"), json!("v0")], "{oldest}");
    assert_eq!(oldest["pageInfo"]["hasPreviousPage"], true, "{oldest}");
    assert_eq!(oldest["pageInfo"]["hasNextPage"], false, "{oldest}");
    let newer = app
        .data(
            page,
            json!({ "id": id, "last": 2, "before": oldest["pageInfo"]["startCursor"] }),
        )
        .await["history"]
        .clone();
    assert_eq!(names(&newer), vec![json!("v3"), json!("v2")], "{newer}");
    assert_eq!(newer["pageInfo"]["hasPreviousPage"], false, "{newer}");
    assert_eq!(newer["pageInfo"]["hasNextPage"], true, "{newer}");
    assert_eq!(newer["edges"][0]["node"]["kind"], "UPDATED");
    // `first` and `last` together are refused.
    let both = app
        .gql(
            "query($id: ID!) { history(recordId: $id, first: 1, last: 1) { totalCount } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&both), "BAD_USER_INPUT", "{both}");
}

const TICKET_EVENTS: &str = "subscription($after: String) { ticketEvents(after: $after) { kind ticket { id number subject contact { id } } } }";

/// On PostgreSQL a create takes the ticket's number in the statement that
/// writes the ticket, its event and its history entry (without a transaction
/// when the input names no other record); the number must reach all three.
pub(crate) async fn a_new_ticket_carries_its_number_in_its_event_and_history(app: TestApp) {
    let contact = fixtures::contact(&app, json!({ "firstName": "Ada", "lastName": "L" })).await;
    let after = event_cursor(&app).await;
    let mut live = WsClient::ready(&app.base, &app.token).await;
    live.subscribe("live", TICKET_EVENTS, json!({ "after": after }))
        .await;
    let create = "mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id number subject } } }";
    let mut created = Vec::new();
    // Quotes and a backslash: on Citus the one-statement create carries its
    // values as literals (`numbered::literal`).
    for input in [
        json!({ "subject": r#"Alone, it's a \ "quoted" 'one' \z"# }),
        json!({ "subject": "For Ada", "contactId": contact }),
        json!({ "subject": "Alone again" }),
    ] {
        let ticket = mutate(&app, create, json!({ "input": input })).await["ticket"].clone();
        assert_eq!(ticket["subject"], input["subject"], "{ticket}");
        created.push(ticket);
    }
    let numbers: Vec<i64> = created
        .iter()
        .map(|t| t["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers[1], numbers[0] + 1, "{created:?}");
    assert_eq!(numbers[2], numbers[1] + 1, "{created:?}");

    // Delivered live, then replayed from the outbox: the same numbers.
    let mut replay = WsClient::ready(&app.base, &app.token).await;
    replay
        .subscribe("replay", TICKET_EVENTS, json!({ "after": after }))
        .await;
    for ticket in &created {
        for (client, id) in [(&mut live, "live"), (&mut replay, "replay")] {
            let event = client.next_data(id).await["ticketEvents"].clone();
            assert_eq!(event["kind"], "OPENED", "{event}");
            assert_eq!(event["ticket"]["id"], ticket["id"], "{event}");
            assert_eq!(event["ticket"]["number"], ticket["number"], "{event}");
        }
    }

    // The first history entry lists every field as new, the number included.
    for ticket in &created {
        let history =
            app.data(HISTORY, json!({ "id": ticket["id"] })).await["history"]["edges"].clone();
        let entries = history.as_array().unwrap();
        assert_eq!(entries.len(), 1, "{history}");
        assert_eq!(entries[0]["node"]["kind"], "OPENED");
        let changes = entries[0]["node"]["changes"].as_array().unwrap();
        let number: Vec<_> = changes.iter().filter(|c| c["field"] == "number").collect();
        assert_eq!(
            number,
            [&json!({ "field": "number", "before": null, "after": ticket["number"] })]
        );
        let fields: Vec<&str> = changes
            .iter()
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        let mut sorted = fields.clone();
        sorted.sort_unstable();
        assert_eq!(fields, sorted, "changes come sorted by field");
        assert!(
            fields.contains(&"subject") && fields.contains(&"openedAt"),
            "{fields:?}"
        );
    }

    // Each is found by its number: its search document came with it (on
    // Citus, read and written by the delegated function).
    for ticket in &created {
        let found = app
            .data(
                "query($q: String!) { search(query: $q, types: [TICKET], first: 1) { edges { node { ... on Ticket { id } } } } }",
                json!({ "q": format!("#{}", ticket["number"]) }),
            )
            .await;
        assert_eq!(
            found["search"]["edges"][0]["node"]["id"], ticket["id"],
            "{found}"
        );
    }

    // Concurrent creates, with and without a contact: numbers stay dense, and
    // every event arrives once, in number order.
    let racing = (0..12).map(|i| {
        let input = if i % 3 == 0 {
            json!({ "subject": format!("Race {i}"), "contactId": contact })
        } else {
            json!({ "subject": format!("Race {i}") })
        };
        let app = &app;
        async move {
            mutate(app, create, json!({ "input": input })).await["ticket"]["number"]
                .as_i64()
                .unwrap()
        }
    });
    let mut raced = futures_util::future::join_all(racing).await;
    raced.sort_unstable();
    let last = numbers[2];
    assert_eq!(raced, (last + 1..=last + 12).collect::<Vec<_>>());
    let mut delivered = Vec::new();
    for _ in 0..12 {
        let event = live.next_data("live").await["ticketEvents"].clone();
        delivered.push(event["ticket"]["number"].as_i64().unwrap());
    }
    let mut in_order = delivered.clone();
    in_order.sort_unstable();
    assert_eq!(
        delivered, in_order,
        "events arrive in commit order, which is number order"
    );
    assert_eq!(in_order, raced);
}
