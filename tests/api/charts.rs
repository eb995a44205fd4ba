//! Group-by aggregates: the numbers a chart draws, honouring filters,
//! per currency, in one statement.

use entity::enums::Role;
use serde_json::json;

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(groups_count_and_sum_what_the_filter_selects);

async fn groups_count_and_sum_what_the_filter_selects(app: TestApp) {
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    for (name, amount, currency, stage) in [
        ("A", "100.00", "EUR", 0),
        ("B", "300.01", "EUR", 0),
        ("C", "50", "USD", 1),
    ] {
        fixtures::deal(&app, json!({ "name": name, "amount": amount, "currency": currency, "pipelineId": pipeline, "stageId": stages[stage] })).await;
    }
    let by_stage = "query($f: DealFilter, $g: [DealGroupBy!]!) { dealGroups(filter: $f, groupBy: $g) { key count amounts { currency count sum avg min max } } }";
    let groups = app
        .data(by_stage, json!({ "g": [{ "field": "STAGE" }] }))
        .await["dealGroups"]
        .clone();
    let first = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"][0] == stages[0].as_str())
        .expect("stage 0 group")
        .clone();
    assert_eq!(first["count"], 2);
    assert_eq!(
        first["amounts"],
        json!([{ "currency": "EUR", "count": 2, "sum": "400.01", "avg": "200.01", "min": "100.00", "max": "300.01" }])
    );
    // Each group's count equals the same filter as a list's totalCount.
    for group in groups.as_array().unwrap() {
        let listed = app
            .data(
                "query($s: ID!) { deals(filter: { stageId: { eq: $s } }) { totalCount } }",
                json!({ "s": group["key"][0] }),
            )
            .await;
        assert_eq!(listed["deals"]["totalCount"], group["count"]);
    }

    let filtered = app
        .data(by_stage, json!({ "f": { "currency": { "eq": "USD" } }, "g": [{ "field": "STATUS" }, { "field": "CREATED_AT", "bucket": "MONTH" }] }))
        .await["dealGroups"]
        .clone();
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    assert_eq!(filtered[0]["key"][0], "OPEN");
    let month = chrono::Utc::now().format("%Y-%m-01").to_string();
    assert_eq!(filtered[0]["key"][1], month);
    assert_eq!(filtered[0]["count"], 1);

    for (group_by, field) in [
        (json!([{ "field": "CREATED_AT" }]), "groupBy.0.bucket"),
        (
            json!([{ "field": "STATUS", "bucket": "DAY" }]),
            "groupBy.0.bucket",
        ),
        (json!([]), "groupBy"),
    ] {
        let refused = app.gql(by_stage, json!({ "g": group_by })).await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT");
        assert_eq!(refused["errors"][0]["extensions"]["field"], field);
    }

    // SUPPORT counts deals but sees no amounts, and may not filter by them.
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let counted = app
        .gql_as(&support, by_stage, json!({ "g": [{ "field": "STATUS" }] }))
        .await;
    assert_eq!(counted["data"]["dealGroups"][0]["count"], 3);
    assert_eq!(counted["data"]["dealGroups"][0]["amounts"], json!([]));
    let refused = app
        .gql_as(
            &support,
            by_stage,
            json!({ "f": { "amount": { "gt": 1 } }, "g": [{ "field": "STATUS" }] }),
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");

    // Tickets by status, with their mean resolution time.
    let solved = fixtures::ticket(&app, json!({ "subject": "Solved" })).await;
    fixtures::ticket(&app, json!({ "subject": "Open" })).await;
    mutate(
        &app,
        "mutation($id: ID!) { setTicketStatus(id: $id, status: RESOLVED) { ticket { id } } }",
        json!({ "id": solved }),
    )
    .await;
    let tickets = app
        .data(
            "{ ticketGroups(groupBy: [{ field: STATUS }]) { key count averageResolutionHours } }",
            json!({}),
        )
        .await["ticketGroups"]
        .clone();
    let resolved = tickets
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"][0] == "RESOLVED")
        .unwrap();
    assert_eq!(resolved["count"], 1);
    assert!(resolved["averageResolutionHours"].as_f64().is_some());
    let open = tickets
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"][0] == "OPEN")
        .unwrap();
    assert_eq!(open["averageResolutionHours"], json!(null));

    // One statement, whatever the number of groups.
    let before = app.statements().await;
    app.data(
        by_stage,
        json!({ "g": [{ "field": "STAGE" }, { "field": "CURRENCY" }] }),
    )
    .await;
    let used = app.statements().await - before;
    assert!(
        used <= 2,
        "{used} statements (one for the groups, one for the actor at most)"
    );
}
