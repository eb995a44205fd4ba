//! `segmentChanges`: records entering and leaving a segment are pushed as
//! they change (a change that keeps a record where it is pushes nothing;
//! deleting a member makes it leave), and the subscriber's visibility rules
//! hold (another member's private segment cannot be followed).

use std::collections::HashSet;
use std::time::Duration;

use entity::enums::Role;
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, member_token, on_both_databases};
use crate::ws::WsClient;

on_both_databases!(
    records_entering_and_leaving_a_segment_are_pushed,
    records_put_on_and_taken_off_a_list_are_pushed_and_kept_in_its_history,
    a_private_segment_of_another_member_cannot_be_followed,
);

const FOLLOW: &str =
    "subscription($id: ID!) { segmentChanges(segmentId: $id) { recordId entered cursor at } }";
const COUNTRY: &str = "mutation($id: ID!, $country: String, $title: String) { updateContact(id: $id, input: { country: $country, jobTitle: $title }) { contact { id } } }";

async fn french_segment(app: &TestApp) -> String {
    let input =
        json!({ "name": "French", "type": "CONTACT", "filter": { "country": { "eq": "FR" } } });
    let create =
        "mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { id } } }";
    mutate(app, create, json!({ "input": input })).await["segment"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The next change that is not about a probe contact.
async fn next_change(client: &mut WsClient, probes: &HashSet<String>) -> (String, bool) {
    loop {
        let data = client.next_data("s").await;
        let change = &data["segmentChanges"];
        let record = change["recordId"].as_str().unwrap().to_owned();
        assert!(
            change["cursor"].is_string() && change["at"].is_string(),
            "{change}"
        );
        if !probes.contains(&record) {
            return (record, change["entered"].as_bool().unwrap());
        }
    }
}

/// Creates French probe contacts until one is pushed: the subscription is
/// then live. Late pushes of earlier probes are skipped by `next_change`.
async fn wait_live(app: &TestApp, client: &mut WsClient) -> HashSet<String> {
    let mut probes = HashSet::new();
    for i in 0..50 {
        let probe = fixtures::contact(
            app,
            json!({ "firstName": format!("Probe{i}"), "lastName": "P", "country": "FR" }),
        )
        .await;
        probes.insert(probe);
        if client.try_json(Duration::from_millis(300)).await.is_some() {
            return probes;
        }
    }
    panic!("the segment subscription never went live");
}

async fn records_entering_and_leaving_a_segment_are_pushed(app: TestApp) {
    let ada = fixtures::contact(
        &app,
        json!({ "firstName": "Ada", "lastName": "L", "country": "FR" }),
    )
    .await;
    let bob = fixtures::contact(
        &app,
        json!({ "firstName": "Bob", "lastName": "M", "country": "DE" }),
    )
    .await;
    let segment = french_segment(&app).await;
    let mut client = WsClient::ready(&app.base, &app.token).await;
    client
        .subscribe("s", FOLLOW, json!({ "id": segment }))
        .await;
    let probes = wait_live(&app, &mut client).await;

    mutate(&app, COUNTRY, json!({ "id": bob, "country": "FR" })).await;
    assert_eq!(next_change(&mut client, &probes).await, (bob.clone(), true));
    // A change that keeps Ada in pushes nothing; her leaving does.
    mutate(
        &app,
        COUNTRY,
        json!({ "id": ada, "country": "FR", "title": "CTO" }),
    )
    .await;
    mutate(&app, COUNTRY, json!({ "id": ada, "country": "DE" })).await;
    assert_eq!(
        next_change(&mut client, &probes).await,
        (ada.clone(), false)
    );
    // Deleting a member: it leaves; restoring it: it is back.
    crate::fixtures::delete_contact(&app, &bob).await;
    assert_eq!(
        next_change(&mut client, &probes).await,
        (bob.clone(), false)
    );
    mutate(
        &app,
        "mutation($id: ID!) { restoreContact(id: $id) { contact { id } } }",
        json!({ "id": bob }),
    )
    .await;
    assert_eq!(next_change(&mut client, &probes).await, (bob, true));
}

async fn a_private_segment_of_another_member_cannot_be_followed(app: TestApp) {
    let input = json!({ "name": "Mine", "type": "CONTACT", "filter": {}, "shared": false });
    let create =
        "mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { id } } }";
    let mine = mutate(&app, create, json!({ "input": input })).await["segment"]["id"].clone();
    let sales = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let mut client = WsClient::ready(&app.base, &sales).await;
    client.subscribe("s", FOLLOW, json!({ "id": mine })).await;
    // A resolver's refusal: a `next` with the error, as graphql-ws sends it.
    let message: Value = client.json().await;
    assert_eq!(message["type"], "next", "{message}");
    let code = &message["payload"]["errors"][0]["extensions"]["code"];
    assert_eq!(code, "NOT_FOUND", "{message}");
}

const ADD: &str =
    "mutation($list: ID!, $ids: [ID!]!) { addToList(listId: $list, ids: $ids) { changed } }";
const REMOVE: &str =
    "mutation($list: ID!, $ids: [ID!]!) { removeFromList(listId: $list, ids: $ids) { changed } }";

async fn records_put_on_and_taken_off_a_list_are_pushed_and_kept_in_its_history(app: TestApp) {
    let ada = fixtures::contact(&app, json!({ "firstName": "Ada", "lastName": "L" })).await;
    let input = json!({ "name": "Call back", "type": "CONTACT", "kind": "LIST" });
    let create =
        "mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { id } } }";
    let list = mutate(&app, create, json!({ "input": input })).await["segment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut client = WsClient::ready(&app.base, &app.token).await;
    client.subscribe("s", FOLLOW, json!({ "id": list })).await;
    // Probes put on the list until one is pushed: the subscription is live.
    let mut probes = HashSet::new();
    for i in 0..50 {
        let probe = fixtures::contact(
            &app,
            json!({ "firstName": format!("Probe{i}"), "lastName": "P" }),
        )
        .await;
        mutate(&app, ADD, json!({ "list": list, "ids": [probe] })).await;
        probes.insert(probe);
        if client.try_json(Duration::from_millis(300)).await.is_some() {
            break;
        }
    }

    let added = mutate(&app, ADD, json!({ "list": list, "ids": [ada, ada] })).await;
    assert_eq!(added["changed"], 1);
    assert_eq!(next_change(&mut client, &probes).await, (ada.clone(), true));
    // Adding it again changes nothing and pushes nothing; taking it off does.
    let again = mutate(&app, ADD, json!({ "list": list, "ids": [ada] })).await;
    assert_eq!(again["changed"], 0);
    let removed = mutate(&app, REMOVE, json!({ "list": list, "ids": [ada] })).await;
    assert_eq!(removed["changed"], 1);
    assert_eq!(
        next_change(&mut client, &probes).await,
        (ada.clone(), false)
    );

    // The list's history names who was put on and taken off, by global id.
    let history = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Segment { history(first: 3) { nodes { kind changes { field before after } } } } } }",
            json!({ "id": list }),
        )
        .await;
    let entries = &history["node"]["history"]["nodes"];
    assert_eq!(entries[0]["kind"], "MEMBERS_REMOVED", "{history}");
    assert_eq!(
        entries[0]["changes"],
        json!([{ "field": "contactsRemoved", "before": null, "after": [ada] }])
    );
    assert_eq!(entries[1]["kind"], "MEMBERS_ADDED", "{history}");
    assert_eq!(
        entries[1]["changes"],
        json!([{ "field": "contactsAdded", "before": null, "after": [ada] }])
    );
}
