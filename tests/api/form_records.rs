//! A form is a record like the others: `node(id:)` finds it (for every
//! role, as `forms` lists it) and its `history` shows ADMIN's changes. A
//! form's campaign is touched by each submission (attribution).

use entity::enums::Role;
use serde_json::json;

use crate::campaigns::campaign;
use crate::fixtures::mutate;
use crate::forms::{contacts, create_form, lead_form, post_json};
use crate::helpers::{TestApp, member_token, on_both_databases};

on_both_databases!(
    a_form_is_a_node_with_its_history,
    a_submission_touches_the_form_s_campaign,
);

async fn a_form_is_a_node_with_its_history(app: TestApp) {
    let form = create_form(&app, lead_form(json!({}))).await;
    let id = form["id"].as_str().expect("id");
    let rename = "mutation($id: ID!, $input: FormInput!) { updateForm(id: $id, input: $input) { form { name } } }";
    let renamed = lead_form(json!({ "name": "Talk to sales" }));
    mutate(&app, rename, json!({ "id": id, "input": renamed })).await;

    let read =
        "query($id: ID!) { node(id: $id) { id ... on Form { name history { nodes { kind } } } } }";
    let node = app.data(read, json!({ "id": id })).await["node"].clone();
    assert_eq!(node["id"], id);
    assert_eq!(node["name"], "Talk to sales");
    let kinds: Vec<&str> = node["history"]["nodes"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["UPDATED", "CREATED"]);

    let sales = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let seen = app
        .gql_as(
            &sales,
            "query($id: ID!) { node(id: $id) { ... on Form { name } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(seen["data"]["node"]["name"], "Talk to sales");
}

async fn a_submission_touches_the_form_s_campaign(app: TestApp) {
    let spring = campaign(&app, "Spring", "WEB", "100", "EUR").await;
    let form = create_form(&app, lead_form(json!({ "campaignId": spring }))).await;
    let id = form["id"].as_str().expect("id");
    let read = "query($id: ID!) { node(id: $id) { ... on Form { campaign { name } } } }";
    let node = app.data(read, json!({ "id": id })).await;
    assert_eq!(node["node"]["campaign"]["name"], "Spring");

    let key = form["formKey"].as_str().expect("key");
    let answers = json!({ "email": "ada@example.org", "first_name": "Ada" });
    post_json(&app, key, answers, None).await;
    let ada = contacts(&app, "ada@example.org").await["nodes"][0]["id"].clone();
    let touches = "query($id: ID!) { node(id: $id) { ... on Contact { firstTouch { campaign { name } } lastTouch { campaign { name } } } } }";
    let touched = app.data(touches, json!({ "id": ada })).await["node"].clone();
    assert_eq!(touched["firstTouch"]["campaign"]["name"], "Spring");
    assert_eq!(touched["lastTouch"]["campaign"]["name"], "Spring");

    // A deleted campaign: submissions still go through, touching nothing.
    let delete = "mutation($id: ID!) { deleteCampaign(id: $id) { campaign { id } } }";
    mutate(&app, delete, json!({ "id": spring })).await;
    let answers = json!({ "email": "bob@example.org", "first_name": "Bob" });
    assert_eq!(post_json(&app, key, answers, None).await.status(), 200);
    let bob = contacts(&app, "bob@example.org").await["nodes"][0]["id"].clone();
    let touched = app.data(touches, json!({ "id": bob })).await["node"].clone();
    assert_eq!(touched["firstTouch"], serde_json::Value::Null);

    // An unknown campaign is refused with its field.
    let refused = app
        .gql(
            "mutation($input: FormInput!) { createForm(input: $input) { form { id } } }",
            json!({ "input": lead_form(json!({ "campaignId": ada })) }),
        )
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["field"],
        "input.campaignId"
    );
}
