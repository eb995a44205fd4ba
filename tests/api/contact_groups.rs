//! `contactGroups`: contacts counted per lifecycle stage, owner, first-touch
//! campaign and consent month, honouring the filter and deleted records;
//! and `orderGroups` by status.

use serde_json::{Value, json};

use crate::campaigns::campaign;
use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, on_both_databases};

on_both_databases!(contacts_and_orders_group_as_the_lists_count);

const CONTACTS: &str = "query($f: ContactFilter, $g: [ContactGroupBy!]!) { contactGroups(filter: $f, groupBy: $g) { key count amounts { currency } } }";
const CONSENT: &str = "mutation($id: ID!, $at: DateTime!) { recordEmailConsent(id: $id, source: \"newsletter\", legalBasis: CONSENT, at: $at) { contact { id } } }";

/// `(keys, count)` of each group, in the order given.
fn counted(groups: &Value) -> Vec<(Value, i64)> {
    groups
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["key"].clone(), g["count"].as_i64().expect("count")))
        .collect()
}

async fn contacts_and_orders_group_as_the_lists_count(app: TestApp) {
    let mail = campaign(&app, "Mail", "EMAIL", "0", "EUR").await;
    let mut ids = Vec::new();
    for (name, stage) in [
        ("Ann", "LEAD"),
        ("Bo", "LEAD"),
        ("Cy", "CUSTOMER"),
        ("Di", "SUBSCRIBER"),
    ] {
        ids.push(
            fixtures::contact(&app, json!({ "firstName": name, "lifecycleStage": stage })).await,
        );
    }
    // Di is deleted: she counts nowhere.
    crate::fixtures::delete_contact(&app, &ids[3]).await;
    let mut by_stage = counted(
        &app.data(CONTACTS, json!({ "g": [{ "field": "LIFECYCLE_STAGE" }] }))
            .await["contactGroups"],
    );
    by_stage.sort_by_key(|a| a.0.to_string());
    assert_eq!(
        by_stage,
        vec![(json!(["CUSTOMER"]), 1), (json!(["LEAD"]), 2)]
    );
    // Counts only: no amounts on contacts.
    let any = app
        .data(CONTACTS, json!({ "g": [{ "field": "OWNER" }] }))
        .await;
    assert_eq!(any["contactGroups"][0]["amounts"], json!([]));

    // First touches by campaign, consents by month, with a filter.
    mutate(
        &app,
        "mutation($id: ID!, $c: ID) { trackEngagement(input: { contactId: $id, kind: PAGE_VIEW, campaignId: $c }) { contact { id } } }",
        json!({ "id": ids[0], "c": mail }),
    )
    .await;
    for (id, at) in [
        (&ids[0], "2026-01-05T00:00:00Z"),
        (&ids[1], "2026-01-20T00:00:00Z"),
        (&ids[2], "2026-02-02T00:00:00Z"),
    ] {
        mutate(&app, CONSENT, json!({ "id": id, "at": at })).await;
    }
    let touched = counted(
        &app.data(
            CONTACTS,
            json!({ "f": { "lifecycleStage": { "eq": "LEAD" } }, "g": [{ "field": "FIRST_TOUCH_CAMPAIGN" }] }),
        )
        .await["contactGroups"],
    );
    assert!(touched.contains(&(json!([mail]), 1)), "{touched:?}");
    assert!(touched.contains(&(json!([null]), 1)), "{touched:?}");
    let months = counted(
        &app.data(
            CONTACTS,
            json!({ "f": { "emailOptInAt": { "gte": "2026-01-01T00:00:00Z" } }, "g": [{ "field": "EMAIL_OPT_IN_AT", "bucket": "MONTH" }] }),
        )
        .await["contactGroups"],
    );
    assert_eq!(
        months,
        vec![(json!(["2026-01-01"]), 2), (json!(["2026-02-01"]), 1)]
    );

    // Orders by status.
    let order = |status: &str| json!({ "input": { "contactId": ids[0], "product": "Kit", "amount": "5", "currency": "EUR", "status": status } });
    for status in ["CART", "CART", "PLACED"] {
        mutate(
            &app,
            "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }",
            order(status),
        )
        .await;
    }
    let mut statuses = counted(
        &app.data(
            "{ orderGroups(groupBy: [{ field: STATUS }]) { key count } }",
            json!({}),
        )
        .await["orderGroups"],
    );
    statuses.sort_by_key(|a| a.0.to_string());
    assert_eq!(statuses, vec![(json!(["CART"]), 2), (json!(["PLACED"]), 1)]);
}
