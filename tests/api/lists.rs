//! Filters, ordering and pagination of connections.

use serde_json::{Value, json};

use crate::fixtures::{company, mutate};
use crate::helpers::{TestApp, error_code, on_both_databases};

fn names(connection: &Value) -> Vec<String> {
    connection["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) async fn filters_compose_with_and_or_not(app: TestApp) {
    let acme = company(
        &app,
        json!({ "name": "Acme Robotics", "employeeCount": 40, "country": "de" }),
    )
    .await;
    company(
        &app,
        json!({ "name": "Globex", "employeeCount": 900, "country": "FR" }),
    )
    .await;
    company(
        &app,
        json!({ "name": "Initech", "employeeCount": 700, "country": "US" }),
    )
    .await;
    company(&app, json!({ "name": "Tiny", "employeeCount": 3 })).await;
    mutate(
        &app,
        "mutation($id: ID!) { addTags(recordId: $id, names: [\"vip\"]) { name } }",
        json!({ "id": acme }),
    )
    .await;

    let query = "query($f: CompanyFilter) { companies(filter: $f, orderBy: [{ field: NAME }]) { totalCount nodes { name } } }";
    let either = json!({ "f": { "or": [{ "name": { "contains": "ACME" } }, { "employeeCount": { "gte": 500 } }], "not": { "country": { "eq": "FR" } } } });
    let data = app.data(query, either).await;
    assert_eq!(names(&data["companies"]), ["Acme Robotics", "Initech"]);
    assert_eq!(data["companies"]["totalCount"], 2);

    let tagged = app
        .data(query, json!({ "f": { "tags": { "any": ["vip"] } } }))
        .await;
    assert_eq!(names(&tagged["companies"]), ["Acme Robotics"]);
    let untagged = app
        .data(
            query,
            json!({ "f": { "tags": { "none": ["vip"] }, "country": { "isNull": true } } }),
        )
        .await;
    assert_eq!(names(&untagged["companies"]), ["Tiny"]);
    let listed = app.data(query, json!({ "f": { "name": { "in": ["Globex", "Tiny"] }, "employeeCount": { "lt": 100 } } })).await;
    assert_eq!(names(&listed["companies"]), ["Tiny"]);
}

async fn pages_move_forward_and_backward_with_cursors(app: TestApp) {
    for name in ["E", "D", "C", "B", "A"] {
        company(&app, json!({ "name": name })).await;
    }
    let query = "query($first: Int, $after: String, $last: Int, $before: String, $dir: OrderDirection!) {
      companies(first: $first, after: $after, last: $last, before: $before, orderBy: [{ field: NAME, direction: $dir }]) {
        totalCount nodes { name } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
    let page = |vars: Value| {
        let app = &app;
        async move { app.data(query, vars).await["companies"].clone() }
    };
    let first = page(json!({ "first": 2, "dir": "ASC" })).await;
    assert_eq!(names(&first), ["A", "B"]);
    assert_eq!(first["totalCount"], 5);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let second =
        page(json!({ "first": 2, "after": first["pageInfo"]["endCursor"], "dir": "ASC" })).await;
    assert_eq!(names(&second), ["C", "D"]);
    assert_eq!(second["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(second["totalCount"], 5);
    let third =
        page(json!({ "first": 2, "after": second["pageInfo"]["endCursor"], "dir": "ASC" })).await;
    assert_eq!(names(&third), ["E"]);
    assert_eq!(third["pageInfo"]["hasNextPage"], false);

    let last = page(json!({ "last": 2, "dir": "ASC" })).await;
    assert_eq!(names(&last), ["D", "E"]);
    assert_eq!(last["pageInfo"]["hasPreviousPage"], true);
    let before =
        page(json!({ "last": 2, "before": last["pageInfo"]["startCursor"], "dir": "ASC" })).await;
    assert_eq!(names(&before), ["B", "C"]);
    assert_eq!(before["pageInfo"]["hasNextPage"], true);

    let descending = page(json!({ "first": 3, "dir": "DESC" })).await;
    assert_eq!(names(&descending), ["E", "D", "C"]);
}

async fn nullable_sort_keys_put_nulls_last_and_page_through_them(app: TestApp) {
    company(&app, json!({ "name": "no size" })).await;
    company(&app, json!({ "name": "big", "employeeCount": 500 })).await;
    company(&app, json!({ "name": "small", "employeeCount": 5 })).await;
    company(&app, json!({ "name": "also no size" })).await;
    let query = "query($after: String) { companies(first: 2, after: $after, orderBy: [{ field: EMPLOYEE_COUNT }]) { nodes { name } pageInfo { endCursor } } }";
    let first = app.data(query, json!({})).await;
    assert_eq!(names(&first["companies"]), ["small", "big"]);
    let second = app
        .data(
            query,
            json!({ "after": first["companies"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(names(&second["companies"]), ["no size", "also no size"]);
}

async fn page_sizes_over_the_cap_are_refused(app: TestApp) {
    let response = app
        .gql("{ companies(first: 101) { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&response), "BAD_USER_INPUT");
    assert_eq!(response["errors"][0]["extensions"]["field"], "first");
    let response = app
        .gql(
            "{ companies(after: \"garbage\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(response["errors"][0]["extensions"]["field"], "after");
}

on_both_databases!(
    filters_compose_with_and_or_not,
    pages_move_forward_and_backward_with_cursors,
    nullable_sort_keys_put_nulls_last_and_page_through_them,
    page_sizes_over_the_cap_are_refused,
);
