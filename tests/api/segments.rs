//! Segments and lists through the API: a segment's records follow its
//! saved filter and ordering as records change; a list holds what was put
//! on it (deleted records drop out until restored); private views are
//! their owner's; bad filters and orderings are refused with their field
//! and write nothing; role rules hold for the reader.

use entity::enums::Role;
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(
    a_segment_follows_its_filter_and_order_as_records_change,
    a_list_holds_what_was_put_on_it,
    private_views_are_their_owner_s_and_bad_input_writes_nothing,
);

const CREATE: &str = "mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { id name type kind shared count filter orderBy version } } }";
const MEMBERS: &str = "query($id: ID!) { segment(id: $id) { count contacts(first: 10) { totalCount nodes { firstName } } companies(first: 1) { totalCount } } }";
const SEGMENTS: &str = "query { segments { totalCount nodes { name } } }";

fn names(contacts: &Value) -> Vec<&str> {
    contacts["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["firstName"].as_str().unwrap())
        .collect()
}

pub(crate) async fn a_segment_follows_its_filter_and_order_as_records_change(app: TestApp) {
    for (first, country) in [("Cleo", "FR"), ("Ada", "FR"), ("Bob", "DE")] {
        fixtures::contact(
            &app,
            json!({ "firstName": first, "lastName": "X", "country": country }),
        )
        .await;
    }
    let input = json!({
        "name": "French contacts", "type": "CONTACT",
        "filter": { "country": { "eq": "FR" } },
        "orderBy": [{ "field": "FIRST_NAME", "direction": "DESC" }]
    });
    let created = mutate(&app, CREATE, json!({ "input": input })).await["segment"].clone();
    assert_eq!(created["kind"], "SEGMENT");
    assert_eq!(created["shared"], true);
    assert_eq!(created["count"], 2);
    assert_eq!(created["filter"], json!({ "country": { "eq": "FR" } }));
    let id = created["id"].as_str().unwrap();

    let read = app.data(MEMBERS, json!({ "id": id })).await["segment"].clone();
    assert_eq!(names(&read["contacts"]), ["Cleo", "Ada"]);
    assert_eq!(read["contacts"]["totalCount"], 2);
    assert_eq!(
        read["companies"],
        Value::Null,
        "a segment of contacts has no companies"
    );

    // Re-evaluated when read: a contact moving to France enters it.
    let bob = app
        .data(
            "{ contacts(filter: { firstName: { eq: \"Bob\" } }) { nodes { id } } }",
            json!({}),
        )
        .await["contacts"]["nodes"][0]["id"]
        .clone();
    mutate(&app, "mutation($id: ID!) { updateContact(id: $id, input: { country: \"FR\" }) { contact { id } } }", json!({ "id": bob })).await;
    let read = app.data(MEMBERS, json!({ "id": id })).await["segment"].clone();
    assert_eq!(names(&read["contacts"]), ["Cleo", "Bob", "Ada"]);
    assert_eq!(read["count"], 3);

    // A new filter, checked like the list's own.
    let update = "mutation($id: ID!, $input: UpdateSegmentInput!) { updateSegment(id: $id, input: $input) { segment { name count version } } }";
    let changed = mutate(&app, update, json!({ "id": id, "input": { "name": "Germans", "filter": { "country": { "eq": "DE" } } } })).await;
    assert_eq!(changed["segment"]["count"], 0);
    assert_eq!(changed["segment"]["version"], 2);
    let listed = app.data(SEGMENTS, json!({})).await;
    assert_eq!(listed["segments"]["nodes"][0]["name"], "Germans");
}

async fn a_list_holds_what_was_put_on_it(app: TestApp) {
    let acme = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let globex = fixtures::company(&app, json!({ "name": "Globex" })).await;
    let input = json!({ "name": "Key accounts", "type": "COMPANY", "kind": "LIST" });
    let list = mutate(&app, CREATE, json!({ "input": input })).await["segment"]["id"].clone();
    let add = "mutation($list: ID!, $ids: [ID!]!) { addToList(listId: $list, ids: $ids) { changed segment { count } } }";
    let added = mutate(
        &app,
        add,
        json!({ "list": list, "ids": [acme, globex, acme] }),
    )
    .await;
    assert_eq!(added["changed"], 2);
    let again = mutate(&app, add, json!({ "list": list, "ids": [acme] })).await;
    assert_eq!(again["changed"], 0, "already on it");
    let read = "query($id: ID!) { segment(id: $id) { count companies { nodes { name } } } }";
    let companies = |v: &Value| -> Vec<String> {
        v["segment"]["companies"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        companies(&app.data(read, json!({ "id": list })).await),
        ["Acme", "Globex"]
    );

    // A deleted company drops out; restored, it is back.
    mutate(
        &app,
        "mutation($id: ID!) { deleteCompany(id: $id) { company { id } } }",
        json!({ "id": globex }),
    )
    .await;
    assert_eq!(
        companies(&app.data(read, json!({ "id": list })).await),
        ["Acme"]
    );
    mutate(
        &app,
        "mutation($id: ID!) { restoreCompany(id: $id) { company { id } } }",
        json!({ "id": globex }),
    )
    .await;
    let remove = "mutation($list: ID!, $ids: [ID!]!) { removeFromList(listId: $list, ids: $ids) { changed } }";
    let removed = mutate(&app, remove, json!({ "list": list, "ids": [acme] })).await;
    assert_eq!(removed["changed"], 1);
    assert_eq!(
        companies(&app.data(read, json!({ "id": list })).await),
        ["Globex"]
    );

    // A contact is not a company; nothing is written.
    let ann = fixtures::contact(&app, json!({ "firstName": "Ann", "lastName": "Lee" })).await;
    let refused = app
        .gql(add, json!({ "list": list, "ids": [acme, ann] }))
        .await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT");
    assert_eq!(refused["errors"][0]["extensions"]["field"], "ids");
    let count = app
        .data(
            "query($id: ID!) { segment(id: $id) { count } }",
            json!({ "id": list }),
        )
        .await;
    assert_eq!(count["segment"]["count"], 1);
}

async fn private_views_are_their_owner_s_and_bad_input_writes_nothing(app: TestApp) {
    let sales = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let mine = json!({ "input": { "name": "Mine", "type": "DEAL", "filter": { "name": { "contains": "x" } }, "shared": false } });
    let created = app.gql_as(&sales, CREATE, mine).await;
    let id = created["data"]["createSegment"]["segment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shared = json!({ "input": { "name": "Everyone's", "type": "CONTACT", "filter": {} } });
    let everyone =
        app.gql_as(&sales, CREATE, shared).await["data"]["createSegment"]["segment"]["id"].clone();

    // Others see only the shared one; the private one is not found for them.
    let theirs = app.gql_as(&support, SEGMENTS, json!({})).await;
    assert_eq!(
        theirs["data"]["segments"]["nodes"],
        json!([{ "name": "Everyone's" }])
    );
    let hidden = app
        .gql_as(
            &support,
            "query($id: ID!) { segment(id: $id) { name } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(hidden["data"]["segment"], Value::Null);
    // `node` follows the same rule; the owner finds its view there.
    let node = "query($id: ID!) { node(id: $id) { ... on Segment { name } } }";
    let hidden = app.gql_as(&support, node, json!({ "id": id })).await;
    assert_eq!(hidden["data"]["node"], Value::Null);
    let own = app.gql_as(&sales, node, json!({ "id": id })).await;
    assert_eq!(own["data"]["node"]["name"], "Mine");
    let delete = "mutation($id: ID!) { deleteSegment(id: $id) { segment { id } } }";
    assert_eq!(
        error_code(&app.gql(delete, json!({ "id": id })).await),
        "NOT_FOUND"
    );
    // A shared view of another member: ADMIN may change it, SUPPORT may not.
    assert_eq!(
        error_code(
            &app.gql_as(&support, delete, json!({ "id": everyone }))
                .await
        ),
        "FORBIDDEN"
    );
    let viewer = member_token(&app.state, app.workspace_id, Role::Viewer).await;
    let refused = app
        .gql_as(
            &viewer,
            CREATE,
            json!({ "input": { "name": "V", "type": "CONTACT", "kind": "LIST" } }),
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");

    // SUPPORT may not save a filter on deal amounts.
    let amounts = json!({ "input": { "name": "Big", "type": "DEAL", "filter": { "amount": { "gt": "1000" } } } });
    assert_eq!(
        error_code(&app.gql_as(&support, CREATE, amounts).await),
        "FORBIDDEN"
    );

    // Bad filters and orderings, each with its field; nothing written.
    for (input, field) in [
        (json!({ "name": "A", "type": "CONTACT" }), "input.filter"),
        (
            json!({ "name": "A", "type": "CONTACT", "filter": { "nope": 1 } }),
            "input.filter",
        ),
        (
            json!({ "name": "A", "type": "CONTACT", "filter": {}, "orderBy": [{ "field": "AMOUNT" }] }),
            "input.orderBy",
        ),
        (
            json!({ "name": "A", "type": "COMPANY", "kind": "LIST", "filter": {} }),
            "input.filter",
        ),
        (
            json!({ "name": " ", "type": "COMPANY", "kind": "LIST" }),
            "input.name",
        ),
    ] {
        let refused = app.gql(CREATE, json!({ "input": input })).await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{input}");
        assert_eq!(
            refused["errors"][0]["extensions"]["field"], field,
            "{input}"
        );
    }
    let all = app.data(SEGMENTS, json!({})).await;
    assert_eq!(
        all["segments"]["totalCount"], 1,
        "only the shared view; the refused ones wrote nothing"
    );
}
