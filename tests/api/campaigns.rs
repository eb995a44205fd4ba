//! Campaigns through the API: create, filter, update with `expectedVersion`,
//! delete and restore, history; bad input refused with its field and
//! nothing written; MANAGER and ADMIN manage, SALES reads, SUPPORT reads
//! without amounts.

use entity::enums::Role;
use serde_json::{Value, json};

use crate::fixtures::mutate;
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(
    campaigns_are_created_listed_updated_deleted_and_restored,
    bad_campaign_input_is_refused_with_its_field_and_writes_nothing,
    managers_manage_campaigns_sales_reads_and_support_sees_no_amounts,
);

pub const CREATE: &str = "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id name channel status startsOn endsOn spend currency goal version } } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdateCampaignInput!, $v: Int) { updateCampaign(id: $id, input: $input, expectedVersion: $v) { campaign { id name status endsOn spend currency goal version } } }";
const DELETE: &str = "mutation($id: ID!) { deleteCampaign(id: $id) { campaign { id deletedAt } } }";
const RESTORE: &str =
    "mutation($id: ID!) { restoreCampaign(id: $id) { campaign { id deletedAt } } }";
const LIST: &str = "query($filter: CampaignFilter) { campaigns(filter: $filter, orderBy: [{ field: NAME }]) { totalCount nodes { name spend currency } } }";

/// Creates a campaign named `name` as the admin; returns its id.
pub async fn campaign(
    app: &TestApp,
    name: &str,
    channel: &str,
    spend: &str,
    currency: &str,
) -> String {
    let input = json!({ "name": name, "channel": channel, "startsOn": "2026-01-01", "spend": spend, "currency": currency });
    let created = mutate(app, CREATE, json!({ "input": input })).await;
    created["campaign"]["id"].as_str().unwrap().to_owned()
}

fn names(list: &Value) -> Vec<&str> {
    list["campaigns"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect()
}

async fn campaigns_are_created_listed_updated_deleted_and_restored(app: TestApp) {
    let input = json!({ "name": " Spring launch ", "channel": "EMAIL", "startsOn": "2026-03-01", "endsOn": "2026-03-31", "spend": "1200.50", "currency": "eur", "goal": "200 sign-ups" });
    let created = mutate(&app, CREATE, json!({ "input": input })).await["campaign"].clone();
    assert_eq!(created["name"], "Spring launch");
    assert_eq!(created["status"], "PLANNED");
    assert_eq!(created["currency"], "EUR");
    assert_eq!(created["spend"], "1200.50");
    assert_eq!(created["version"], 1);
    let id = created["id"].as_str().unwrap();
    campaign(&app, "Search Q1", "SEARCH_ADS", "300", "USD").await;

    let all = app.data(LIST, json!({})).await;
    assert_eq!(names(&all), vec!["Search Q1", "Spring launch"]);
    let email = app
        .data(LIST, json!({ "filter": { "channel": { "eq": "EMAIL" } } }))
        .await;
    assert_eq!(names(&email), vec!["Spring launch"]);
    let usd = app
        .data(LIST, json!({ "filter": { "currency": { "eq": "USD" } } }))
        .await;
    assert_eq!(names(&usd), vec!["Search Q1"]);

    let input = json!({ "status": "ACTIVE", "endsOn": null, "spend": "1500", "goal": null });
    let updated =
        mutate(&app, UPDATE, json!({ "id": id, "input": input, "v": 1 })).await["campaign"].clone();
    assert_eq!(updated["status"], "ACTIVE");
    assert_eq!(updated["endsOn"], Value::Null);
    assert_eq!(updated["goal"], Value::Null);
    assert_eq!(updated["spend"], "1500.00");
    assert_eq!(updated["version"], 2);
    let stale = app
        .gql(
            UPDATE,
            json!({ "id": id, "input": { "name": "x" }, "v": 1 }),
        )
        .await;
    assert_eq!(error_code(&stale), "CONFLICT");

    mutate(&app, DELETE, json!({ "id": id })).await;
    assert_eq!(names(&app.data(LIST, json!({})).await), vec!["Search Q1"]);
    mutate(&app, RESTORE, json!({ "id": id })).await;
    assert_eq!(
        app.data(LIST, json!({})).await["campaigns"]["totalCount"],
        2
    );

    let history = app.data("query($id: ID!) { node(id: $id) { ... on Campaign { name history(first: 10) { edges { node { kind } } } } } }", json!({ "id": id })).await;
    assert_eq!(history["node"]["name"], "Spring launch");
    let kinds: Vec<&str> = history["node"]["history"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.len(),
        4,
        "created, updated, deleted, restored: {kinds:?}"
    );
}

async fn bad_campaign_input_is_refused_with_its_field_and_writes_nothing(app: TestApp) {
    let base =
        json!({ "name": "Fair", "channel": "EVENT", "startsOn": "2026-05-10", "currency": "EUR" });
    let cases = [
        ("name", json!(" "), "input.name"),
        ("endsOn", json!("2026-05-01"), "input.endsOn"),
        ("spend", json!("-1"), "input.spend"),
        ("spend", json!("1.001"), "input.spend"),
        ("currency", json!("EURO"), "input.currency"),
    ];
    for (key, value, field) in cases {
        let mut input = base.clone();
        input[key] = value;
        let response = app.gql(CREATE, json!({ "input": input })).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{key}: {response}");
        assert_eq!(response["errors"][0]["extensions"]["field"], field);
    }
    assert_eq!(
        app.data(LIST, json!({})).await["campaigns"]["totalCount"],
        0
    );

    let id = campaign(&app, "Fair", "EVENT", "10", "JPY").await;
    let response = app
        .gql(
            UPDATE,
            json!({ "id": id, "input": { "currency": "EUR", "spend": "10.555" } }),
        )
        .await;
    assert_eq!(response["errors"][0]["extensions"]["field"], "input.spend");
    let response = app
        .gql(
            UPDATE,
            json!({ "id": id, "input": { "startsOn": "2027-01-01", "endsOn": "2026-12-31" } }),
        )
        .await;
    assert_eq!(response["errors"][0]["extensions"]["field"], "input.endsOn");
    let list = app.data(LIST, json!({})).await;
    assert_eq!(
        list["campaigns"]["nodes"][0]["currency"], "JPY",
        "nothing half-written"
    );
}

async fn managers_manage_campaigns_sales_reads_and_support_sees_no_amounts(app: TestApp) {
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let sales = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let input = json!({ "input": { "name": "Webinar", "channel": "WEB", "startsOn": "2026-02-01", "spend": "99", "currency": "USD" } });
    let made = app.gql_as(&manager, CREATE, input.clone()).await;
    assert!(made.get("errors").is_none(), "{made}");
    let id = made["data"]["createCampaign"]["campaign"]["id"].clone();
    for token in [&sales, &support] {
        assert_eq!(
            error_code(&app.gql_as(token, CREATE, input.clone()).await),
            "FORBIDDEN"
        );
        let update = json!({ "id": id, "input": { "name": "Mine" } });
        assert_eq!(
            error_code(&app.gql_as(token, UPDATE, update).await),
            "FORBIDDEN"
        );
        assert_eq!(
            error_code(&app.gql_as(token, DELETE, json!({ "id": id })).await),
            "FORBIDDEN"
        );
    }
    let read = "{ campaigns { nodes { name spend wonRevenue { amount } } } }";
    let as_sales = app.gql_as(&sales, read, json!({})).await;
    assert_eq!(as_sales["data"]["campaigns"]["nodes"][0]["spend"], "99.00");
    let as_support = app.gql_as(&support, read, json!({})).await;
    let node = &as_support["data"]["campaigns"]["nodes"][0];
    assert_eq!(node["name"], "Webinar");
    assert_eq!(node["spend"], Value::Null);
    assert_eq!(node["wonRevenue"], Value::Null);
}
