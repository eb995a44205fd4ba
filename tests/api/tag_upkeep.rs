//! Tag upkeep: the unused tags, renaming (a taken name is refused) and
//! merging tags with overlapping taggings, each change in one transaction
//! with an event per changed record; SALES and SUPPORT are refused.

use std::collections::HashMap;

use entity::enums::Role;
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(
    unused_tags_are_those_on_no_live_record,
    renaming_a_tag_to_a_taken_name_is_refused_on_the_name_field,
    merging_tags_moves_overlapping_taggings_once_and_deletes_the_merged,
    only_admins_and_managers_rename_or_merge_tags,
);

const TAG: &str =
    "mutation($id: ID!, $tags: [String!]!) { addTags(recordId: $id, names: $tags) { name } }";
const TAGS: &str = "{ tags(first: 100) { nodes { id name } } }";
const UNUSED: &str = "query($after: String) { unusedTags(first: 1, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } } }";
const RENAME: &str =
    "mutation($id: ID!, $name: String!) { renameTag(id: $id, name: $name) { id name } }";
const MERGE: &str =
    "mutation($into: ID!, $from: [ID!]!) { mergeTags(into: $into, from: $from) { id name } }";
const CONTACT_TAGS: &str = "query($id: ID!) { node(id: $id) { ... on Contact { tags { name } history(first: 20) { edges { node { kind } } } } } }";

/// The workspace's tag ids by name.
async fn tag_ids(app: &TestApp) -> HashMap<String, String> {
    app.data(TAGS, json!({})).await["tags"]["nodes"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| {
            (
                t["name"].as_str().expect("a name").to_owned(),
                t["id"].as_str().expect("an id").to_owned(),
            )
        })
        .collect()
}

/// How many history entries a contact has.
async fn history_len(app: &TestApp, id: &str) -> usize {
    let node = app.data(CONTACT_TAGS, json!({ "id": id })).await["node"].clone();
    node["history"]["edges"].as_array().expect("a list").len()
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|t| t["name"].as_str().expect("a name"))
        .collect()
}

async fn contact(app: &TestApp, name: &str, tags: &[&str]) -> String {
    let id = fixtures::contact(app, json!({ "firstName": name, "lastName": "Lee" })).await;
    mutate(app, TAG, json!({ "id": id, "tags": tags })).await;
    id
}

async fn unused_tags_are_those_on_no_live_record(app: TestApp) {
    let ann = contact(&app, "Ann", &["kept", "dropped"]).await;
    let gone = contact(&app, "Bob", &["orphan-a", "kept"]).await;
    let company = fixtures::company(&app, json!({ "name": "Acme" })).await;
    mutate(
        &app,
        TAG,
        json!({ "id": company, "tags": ["orphan-b", "on-company"] }),
    )
    .await;
    crate::fixtures::delete_contact(&app, &gone).await;
    mutate(
        &app,
        "mutation($id: ID!) { deleteCompany(id: $id) { company { id } } }",
        json!({ "id": company }),
    )
    .await;
    mutate(
        &app,
        "mutation($id: ID!) { removeTags(recordId: $id, names: [\"dropped\"]) { name } }",
        json!({ "id": ann }),
    )
    .await;

    // Paged one at a time, to show the cursor works.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app.data(UNUSED, json!({ "after": after })).await["unusedTags"].clone();
        seen.extend(names(&page["nodes"]).into_iter().map(str::to_owned));
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, vec!["dropped", "on-company", "orphan-a", "orphan-b"]);
}

async fn renaming_a_tag_to_a_taken_name_is_refused_on_the_name_field(app: TestApp) {
    let ann = contact(&app, "Ann", &["vip", "gold"]).await;
    let ids = tag_ids(&app).await;
    let before = history_len(&app, &ann).await;
    let taken = app
        .gql(RENAME, json!({ "id": ids["vip"], "name": " gold " }))
        .await;
    assert_eq!(error_code(&taken), "CONFLICT");
    assert_eq!(taken["errors"][0]["extensions"]["field"], "name");
    let blank = app
        .gql(RENAME, json!({ "id": ids["vip"], "name": "  " }))
        .await;
    assert_eq!(error_code(&blank), "BAD_USER_INPUT");
    assert_eq!(blank["errors"][0]["extensions"]["field"], "name");

    let renamed = app
        .data(RENAME, json!({ "id": ids["vip"], "name": "Key account" }))
        .await;
    assert_eq!(renamed["renameTag"]["id"], json!(ids["vip"]));
    assert_eq!(renamed["renameTag"]["name"], "Key account");
    let node = app.data(CONTACT_TAGS, json!({ "id": ann })).await["node"].clone();
    assert_eq!(names(&node["tags"]), vec!["Key account", "gold"]);
    // The refusals wrote nothing; the rename one entry.
    assert_eq!(history_len(&app, &ann).await, before + 1);
    assert_eq!(node["history"]["edges"][0]["node"]["kind"], "TAGGED");
}

pub(crate) async fn merging_tags_moves_overlapping_taggings_once_and_deletes_the_merged(
    app: TestApp,
) {
    let both = contact(&app, "Ann", &["customer", "client", "buyer"]).await;
    let only_old = contact(&app, "Bob", &["client"]).await;
    let untouched = contact(&app, "Cy", &["other"]).await;
    let ids = tag_ids(&app).await;
    let bob_before = history_len(&app, &only_old).await;
    let cy_before = history_len(&app, &untouched).await;

    let merged = app
        .data(
            MERGE,
            json!({ "into": ids["customer"], "from": [ids["client"], ids["buyer"]] }),
        )
        .await;
    assert_eq!(merged["mergeTags"]["name"], "customer");

    for (id, expected) in [
        (&both, vec!["customer"]),
        (&only_old, vec!["customer"]),
        (&untouched, vec!["other"]),
    ] {
        let node = app.data(CONTACT_TAGS, json!({ "id": id })).await["node"].clone();
        assert_eq!(names(&node["tags"]), expected);
    }
    assert_eq!(history_len(&app, &only_old).await, bob_before + 1);
    assert_eq!(history_len(&app, &untouched).await, cy_before);
    let left = tag_ids(&app).await;
    let mut left: Vec<&String> = left.keys().collect();
    left.sort();
    assert_eq!(left, vec!["customer", "other"]);
    let customers = app
        .data(
            "{ contacts(filter: { tags: { any: [\"customer\"] } }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(customers["contacts"]["totalCount"], 2);

    // Merging a tag into itself, or an unknown tag, changes nothing.
    let itself = app
        .gql(
            MERGE,
            json!({ "into": ids["customer"], "from": [ids["customer"]] }),
        )
        .await;
    assert_eq!(error_code(&itself), "BAD_USER_INPUT");
    assert_eq!(itself["errors"][0]["extensions"]["field"], "from[0]");
    let gone = app
        .gql(
            MERGE,
            json!({ "into": ids["other"], "from": [ids["client"]] }),
        )
        .await;
    assert_eq!(error_code(&gone), "BAD_USER_INPUT");
    let cy = app.data(CONTACT_TAGS, json!({ "id": untouched })).await["node"].clone();
    assert_eq!(names(&cy["tags"]), vec!["other"]);
}

async fn only_admins_and_managers_rename_or_merge_tags(app: TestApp) {
    contact(&app, "Ann", &["a", "b"]).await;
    let ids = tag_ids(&app).await;
    for role in [Role::Sales, Role::Support] {
        let token = member_token(&app.state, app.workspace_id, role).await;
        let rename = app
            .gql_as(&token, RENAME, json!({ "id": ids["a"], "name": "c" }))
            .await;
        assert_eq!(error_code(&rename), "FORBIDDEN", "{role:?}");
        let merge = app
            .gql_as(
                &token,
                MERGE,
                json!({ "into": ids["a"], "from": [ids["b"]] }),
            )
            .await;
        assert_eq!(error_code(&merge), "FORBIDDEN", "{role:?}");
    }
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let merge = app
        .gql_as(
            &manager,
            MERGE,
            json!({ "into": ids["a"], "from": [ids["b"]] }),
        )
        .await;
    assert_eq!(merge["data"]["mergeTags"]["name"], "a");
}
