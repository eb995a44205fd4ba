//! Visibility per role on the paths that page, stream or count: a narrowed
//! reader's search pages are full of what it reads, its `pipelineEvents`
//! tell it when a deal is given away (HIDDEN) or given to it, its duplicate
//! pairs join two records it reads, a campaign's figures count what it
//! reads, and activities (trigger tasks among them) are read with the
//! deals, companies and contacts they are about. (Its `likelyBuyers` are checked in `product_affinity`, its
//! analytics in `analytics_scope`.)

use serde_json::{Value, json};

use entity::enums::Role;

use crate::attribution::{CLOSE, engage};
use crate::campaigns::campaign;
use crate::fixtures::{contact, deal, mutate, pipeline};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};
use crate::visibility::sales;
use crate::ws::WsClient;

on_both_databases!(
    a_narrowed_search_page_is_full,
    a_deal_given_away_is_heard_as_hidden,
    narrowed_duplicate_pairs_join_two_records_it_reads,
    a_campaigns_figures_count_what_the_reader_reads,
    activities_are_read_with_the_records_they_are_about,
    trigger_firings_are_heard_for_tasks_it_reads,
    ticket_events_carry_the_activities_it_reads,
);

/// SALES reads only its own deals (and unowned ones).
async fn narrow_sales_deals(app: &TestApp) {
    mutate(
        app,
        "mutation { setRoleVisibility(role: SALES, deals: OWNED, companies: ALL, contacts: ALL) { role } }",
        json!({}),
    )
    .await;
}

const GIVE: &str =
    "mutation($id: ID!, $o: ID) { updateDeal(id: $id, input: { ownerId: $o }) { deal { id } } }";

/// The deal names of a search page, and whether another follows.
fn page(found: &Value) -> (Vec<String>, bool) {
    let search = &found["data"]["search"];
    let names = search["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{found}"))
        .iter()
        .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
        .collect();
    let more = search["pageInfo"]["hasNextPage"].as_bool().expect("more");
    (names, more)
}

async fn a_narrowed_search_page_is_full(app: TestApp) {
    let (ann, ann_id) = sales(&app).await;
    let (_cid, cid_id) = sales(&app).await;
    let (pipeline, stages) = pipeline(&app, "Sales").await;
    // Ann's first, then Cid's: newer, so they rank first among equals.
    for (name, owner) in [
        ("Alpha 1", &ann_id),
        ("Alpha 2", &ann_id),
        ("Alpha 3", &ann_id),
        ("Alpha 4", &cid_id),
        ("Alpha 5", &cid_id),
        ("Alpha 6", &cid_id),
    ] {
        deal(
            &app,
            json!({ "name": name, "amount": "10", "currency": "EUR", "pipelineId": pipeline, "stageId": stages[0], "ownerId": owner }),
        )
        .await;
    }
    narrow_sales_deals(&app).await;
    let query = "query($after: String) { search(query: \"alpha\", types: [DEAL], first: 2, after: $after) { edges { node { ... on Deal { name } } } pageInfo { hasNextPage endCursor } } }";
    let first = app.gql_as(&ann, query, json!({})).await;
    assert_eq!(
        page(&first),
        (vec!["Alpha 3".to_owned(), "Alpha 2".to_owned()], true),
        "{first}"
    );
    let after = first["data"]["search"]["pageInfo"]["endCursor"].clone();
    let second = app.gql_as(&ann, query, json!({ "after": after })).await;
    assert_eq!(
        page(&second),
        (vec!["Alpha 1".to_owned()], false),
        "{second}"
    );
    // The admin reads them all.
    let admin = app.gql_as(&app.token, query, json!({})).await;
    assert_eq!(
        page(&admin),
        (vec!["Alpha 6".to_owned(), "Alpha 5".to_owned()], true)
    );
}

async fn a_deal_given_away_is_heard_as_hidden(app: TestApp) {
    let (ann, ann_id) = sales(&app).await;
    let (_cid, cid_id) = sales(&app).await;
    let (pipeline, stages) = pipeline(&app, "Sales").await;
    let new_deal = |name: &str, owner: &str| json!({ "name": name, "amount": "10", "currency": "EUR", "pipelineId": pipeline, "stageId": stages[0], "ownerId": owner });
    let anns = deal(&app, new_deal("Ann's", &ann_id)).await;
    let cids = deal(&app, new_deal("Cid's", &cid_id)).await;
    narrow_sales_deals(&app).await;

    let cursor = app.data("{ eventCursor }", json!({})).await["eventCursor"].clone();
    let mut socket = WsClient::ready(&app.base, &ann).await;
    socket
        .subscribe(
            "p",
            "subscription($p: ID!, $after: String) { pipelineEvents(pipelineId: $p, after: $after) { kind deal { id name } } }",
            json!({ "p": pipeline, "after": cursor }),
        )
        .await;
    let rename = "mutation($id: ID!, $n: String!) { updateDeal(id: $id, input: { name: $n }) { deal { id } } }";
    // Unheard: Cid's deal changes.
    mutate(&app, rename, json!({ "id": cids, "n": "Cid's, renamed" })).await;
    // Heard as HIDDEN: Ann's deal goes to Cid.
    mutate(&app, GIVE, json!({ "id": anns, "o": cid_id })).await;
    // Unheard: the deal, now Cid's, changes.
    mutate(&app, rename, json!({ "id": anns, "n": "Now Cid's" })).await;
    // Heard as UPDATED: it comes back, and Cid's deal goes to Ann.
    mutate(&app, GIVE, json!({ "id": anns, "o": ann_id })).await;
    mutate(&app, GIVE, json!({ "id": cids, "o": ann_id })).await;

    let mut heard = Vec::new();
    for _ in 0..3 {
        let event = socket.next_data("p").await;
        let event = &event["pipelineEvents"];
        heard.push((
            event["kind"].as_str().expect("kind").to_owned(),
            event["deal"]["id"].as_str().expect("deal").to_owned(),
        ));
    }
    assert_eq!(
        heard,
        [
            ("HIDDEN".to_owned(), anns.clone()),
            ("UPDATED".to_owned(), anns.clone()),
            ("UPDATED".to_owned(), cids.clone()),
        ]
    );
}

pub(crate) async fn narrowed_duplicate_pairs_join_two_records_it_reads(app: TestApp) {
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let me = app.gql_as(&manager, "{ me { id } }", json!({})).await;
    let manager_id = me["data"]["me"]["id"].as_str().expect("me").to_owned();
    let (_other, other_id) = sales(&app).await;
    // Two of the manager's, two of another's, and one of each: same phones.
    for (first, phone, owner) in [
        ("Mia", "+47 400 00 001", &manager_id),
        ("Mia", "+47 400 00 001", &manager_id),
        ("Ola", "+47 400 00 002", &other_id),
        ("Ola", "+47 400 00 002", &other_id),
        ("Kai", "+47 400 00 003", &manager_id),
        ("Kai", "+47 400 00 003", &other_id),
    ] {
        contact(
            &app,
            json!({ "firstName": first, "lastName": "Pair", "phone": phone, "ownerId": owner }),
        )
        .await;
    }
    mutate(&app, "mutation { setRoleVisibility(role: MANAGER, deals: ALL, companies: ALL, contacts: OWNED) { role } }", json!({})).await;
    let query = "{ duplicateContacts(first: 10) { edges { node { record { firstName } duplicate { firstName } } } } }";
    let pairs = |found: &Value| -> Vec<String> {
        let mut names: Vec<String> = found["data"]["duplicateContacts"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{found}"))
            .iter()
            .map(|e| {
                e["node"]["record"]["firstName"]
                    .as_str()
                    .expect("name")
                    .to_owned()
            })
            .collect();
        names.sort();
        names
    };
    let narrowed = app.gql_as(&manager, query, json!({})).await;
    assert_eq!(pairs(&narrowed), ["Mia"], "{narrowed}");
    let all = app.gql_as(&app.token, query, json!({})).await;
    assert_eq!(pairs(&all), ["Kai", "Mia", "Ola"], "{all}");
}

async fn a_campaigns_figures_count_what_the_reader_reads(app: TestApp) {
    let (seller, seller_id) = sales(&app).await;
    let admin = app.data("{ me { id } }", json!({})).await["me"]["id"].clone();
    let mail = campaign(&app, "Mail", "EMAIL", "500", "EUR").await;
    let (pipeline, _) = pipeline(&app, "Sales").await;
    // Leads: Ann (the seller's), Bo (the admin's), Cy (unowned).
    let mut leads = Vec::new();
    for (name, owner) in [
        ("Ann", json!(seller_id)),
        ("Bo", admin.clone()),
        ("Cy", Value::Null),
    ] {
        let id = contact(&app, json!({ "firstName": name, "ownerId": owner })).await;
        engage(&app, &id, &mail, "2026-01-05T10:00:00Z").await;
        leads.push(id);
    }
    // Won: A1 (Ann, the seller's, 100), A2 (Ann, the admin's, 50), B1 (Bo, the admin's, 70).
    for (name, amount, lead, owner) in [
        ("A1", "100", &leads[0], json!(seller_id)),
        ("A2", "50", &leads[0], admin.clone()),
        ("B1", "70", &leads[1], admin.clone()),
    ] {
        let id = deal(
            &app,
            json!({ "name": name, "amount": amount, "currency": "EUR", "pipelineId": pipeline, "ownerId": owner, "contacts": [{ "contactId": lead, "role": "CHAMPION" }] }),
        )
        .await;
        mutate(&app, CLOSE, json!({ "id": id })).await;
    }
    mutate(&app, "mutation { setRoleVisibility(role: SALES, deals: OWNED, companies: ALL, contacts: OWNED) { role } }", json!({})).await;
    let query = "{ campaigns { nodes { leads customers wonRevenue { currency amount count } } } }";
    let narrowed = app.gql_as(&seller, query, json!({})).await;
    assert_eq!(
        narrowed["data"]["campaigns"]["nodes"][0],
        json!({ "leads": 2, "customers": 1, "wonRevenue": [{ "currency": "EUR", "amount": "100.00", "count": 1 }] }),
        "{narrowed}"
    );
    let all = app.gql_as(&app.token, query, json!({})).await;
    assert_eq!(
        all["data"]["campaigns"]["nodes"][0],
        json!({ "leads": 3, "customers": 2, "wonRevenue": [{ "currency": "EUR", "amount": "220.00", "count": 3 }] }),
        "{all}"
    );
}

async fn activities_are_read_with_the_records_they_are_about(app: TestApp) {
    let (ann, ann_id) = sales(&app).await;
    let (_cid, cid_id) = sales(&app).await;
    let (pipeline, stages) = pipeline(&app, "Sales").await;
    let new_deal = |name: &str, owner: &str| json!({ "name": name, "amount": "10", "currency": "EUR", "pipelineId": pipeline, "stageId": stages[0], "ownerId": owner });
    let anns_deal = deal(&app, new_deal("Ann's", &ann_id)).await;
    let cids_deal = deal(&app, new_deal("Cid's", &cid_id)).await;
    let cids_co =
        crate::fixtures::company(&app, json!({ "name": "Cid Co", "ownerId": cid_id })).await;
    let open_co = crate::fixtures::company(&app, json!({ "name": "Open Co" })).await;
    let log = "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }";
    let mut notes = Vec::new();
    for (subject, links) in [
        ("Note on Ann's deal", json!({ "dealId": anns_deal })),
        ("Note on Cid's deal", json!({ "dealId": cids_deal })),
        ("Note on Cid Co", json!({ "companyId": cids_co })),
        ("Note on Open Co", json!({ "companyId": open_co })),
        (
            "Note on Ann's deal at Cid Co",
            json!({ "dealId": anns_deal, "companyId": cids_co }),
        ),
    ] {
        let mut input = json!({ "kind": "NOTE", "subject": subject });
        if let (Some(i), Some(l)) = (input.as_object_mut(), links.as_object()) {
            i.extend(l.clone());
        }
        let made = mutate(&app, log, json!({ "input": input })).await;
        notes.push(made["activity"]["id"].as_str().expect("id").to_owned());
    }
    mutate(&app, "mutation { setRoleVisibility(role: SALES, deals: OWNED, companies: OWNED, contacts: ALL) { role } }", json!({})).await;

    let subjects = |found: &Value, at: &[&str]| -> Vec<String> {
        let mut nodes = found;
        for key in at {
            nodes = &nodes[*key];
        }
        let mut names: Vec<String> = nodes
            .as_array()
            .unwrap_or_else(|| panic!("{found}"))
            .iter()
            .map(|n| n["subject"].as_str().expect("subject").to_owned())
            .collect();
        names.sort();
        names
    };
    let read = [
        "Note on Ann's deal".to_owned(),
        "Note on Open Co".to_owned(),
    ];
    let listed = app
        .gql_as(
            &ann,
            "{ activities(first: 20) { totalCount nodes { subject } } }",
            json!({}),
        )
        .await;
    assert_eq!(subjects(&listed, &["data", "activities", "nodes"]), read);
    assert_eq!(listed["data"]["activities"]["totalCount"], 2);
    // Nested under a deal it reads: the note also about Cid Co is hidden.
    let nested = app
        .gql_as(
            &ann,
            "query($id: ID!) { node(id: $id) { ... on Deal { activities(first: 10) { nodes { subject } } } } }",
            json!({ "id": anns_deal }),
        )
        .await;
    assert_eq!(
        subjects(&nested, &["data", "node", "activities", "nodes"]),
        ["Note on Ann's deal"]
    );
    // By id, in search, and for a write: absent.
    let node = app
        .gql_as(
            &ann,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": notes[1] }),
        )
        .await;
    assert_eq!(node["data"]["node"], Value::Null, "{node}");
    let found = app
        .gql_as(
            &ann,
            "{ search(query: \"note on\", types: [ACTIVITY], first: 3) { edges { node { ... on Activity { subject } } } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    let hits: Vec<Value> = found["data"]["search"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{found}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(subjects(&Value::Array(hits), &[]), read, "{found}");
    assert_eq!(found["data"]["search"]["pageInfo"]["hasNextPage"], false);
    let update = app
        .gql_as(
            &ann,
            "mutation($id: ID!) { updateActivity(id: $id, input: { subject: \"Mine now\" }) { activity { id } } }",
            json!({ "id": notes[2] }),
        )
        .await;
    assert_eq!(error_code(&update), "NOT_FOUND", "{update}");
    // A narrowed MANAGER reads the history of the ones it reads only.
    mutate(&app, "mutation { setRoleVisibility(role: MANAGER, deals: OWNED, companies: OWNED, contacts: ALL) { role } }", json!({})).await;
    let manager = member_token(&app.state, app.workspace_id, entity::enums::Role::Manager).await;
    let history = "query($id: ID!) { history(recordId: $id, first: 5) { totalCount } }";
    for (note, entries) in [(&notes[3], 1), (&notes[1], 0)] {
        let read = app.gql_as(&manager, history, json!({ "id": note })).await;
        assert_eq!(read["data"]["history"]["totalCount"], entries, "{read}");
    }
    // The admin reads all five.
    let all = app
        .data("{ activities(first: 20) { totalCount } }", json!({}))
        .await;
    assert_eq!(all["activities"]["totalCount"], 5);
}

async fn trigger_firings_are_heard_for_tasks_it_reads(app: TestApp) {
    let (seller, seller_id) = sales(&app).await;
    let (_other, other_id) = sales(&app).await;
    let bo = contact(&app, json!({ "firstName": "Bo", "ownerId": other_id })).await;
    let ann = contact(&app, json!({ "firstName": "Ann", "ownerId": seller_id })).await;
    mutate(
        &app,
        "mutation { createTriggerRule(input: { name: \"Unhappy\", kind: CSAT_BELOW, threshold: 3 }) { triggerRule { id } } }",
        json!({}),
    )
    .await;
    mutate(&app, "mutation { setRoleVisibility(role: SALES, deals: ALL, companies: ALL, contacts: OWNED) { role } }", json!({})).await;
    let cursor = app.data("{ eventCursor }", json!({})).await["eventCursor"].clone();
    let mut feed = WsClient::ready(&app.base, &seller).await;
    feed.subscribe(
        "f",
        "subscription($after: String) { triggerFirings(after: $after) { contact { firstName } task { subject } } }",
        json!({ "after": cursor }),
    )
    .await;
    // Bo's firing first: the seller does not read Bo, nor the task for him.
    for contact in [&bo, &ann] {
        mutate(
            &app,
            "mutation($input: CreateSurveyResponseInput!) { createSurveyResponse(input: $input) { surveyResponse { id } } }",
            json!({ "input": { "contactId": contact, "kind": "CSAT", "score": 1 } }),
        )
        .await;
    }
    let heard = feed.next_data("f").await;
    assert_eq!(
        heard["triggerFirings"]["contact"]["firstName"], "Ann",
        "{heard}"
    );
}

pub(crate) async fn ticket_events_carry_the_activities_it_reads(app: TestApp) {
    let (seller, seller_id) = sales(&app).await;
    let (_other, other_id) = sales(&app).await;
    let bo = contact(&app, json!({ "firstName": "Bo", "ownerId": other_id })).await;
    let ann = contact(&app, json!({ "firstName": "Ann", "ownerId": seller_id })).await;
    let ticket = crate::fixtures::ticket(&app, json!({ "subject": "Printer" })).await;
    mutate(&app, "mutation { setRoleVisibility(role: SALES, deals: ALL, companies: ALL, contacts: OWNED) { role } }", json!({})).await;
    let cursor = app.data("{ eventCursor }", json!({})).await["eventCursor"].clone();
    let mut feed = WsClient::ready(&app.base, &seller).await;
    feed.subscribe(
        "t",
        "subscription($after: String) { ticketEvents(after: $after) { kind activity { subject } } }",
        json!({ "after": cursor }),
    )
    .await;
    // The note about Bo first: the seller does not read Bo, nor notes on him.
    for (subject, about) in [("About Bo", &bo), ("About Ann", &ann)] {
        mutate(
            &app,
            "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }",
            json!({ "input": { "kind": "NOTE", "subject": subject, "ticketId": ticket, "contactId": about } }),
        )
        .await;
    }
    let mut added = Vec::new();
    while added.is_empty() {
        let heard = feed.next_data("t").await;
        let event = &heard["ticketEvents"];
        if event["kind"] == "ACTIVITY_ADDED" {
            added.push(event["activity"]["subject"].clone());
        }
    }
    assert_eq!(added, [json!("About Ann")]);
}
