//! Two workspaces: neither reaches, nor learns of, the other's rows.

use serde_json::json;

use crate::fixtures::world;
use crate::helpers::{TestApp, error_code, on_both_databases};

async fn another_workspace_sees_nothing_and_reaches_nothing(app: TestApp) {
    let a = world(&app, 1, 1, 1, 1).await;
    let b = |query: &str, vars: serde_json::Value| {
        let app = &app;
        let query = query.to_owned();
        async move { app.gql_as(&app.other_token, &query, vars).await }
    };
    let lists = b("{ companies { totalCount } contacts { totalCount } deals { totalCount } tickets { totalCount } pipelines { totalCount } activities { totalCount } tags { totalCount } }", json!({})).await;
    for (_, list) in lists["data"].as_object().unwrap() {
        assert_eq!(list["totalCount"], 0, "{lists}");
    }
    let all_ids: Vec<&String> = a
        .companies
        .iter()
        .chain(&a.contacts)
        .chain(&a.deals)
        .chain(&a.tickets)
        .chain(std::iter::once(&a.pipeline))
        .collect();
    let nodes = b(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        json!({ "ids": all_ids }),
    )
    .await;
    assert!(
        nodes["data"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n.is_null()),
        "{nodes}"
    );
    let filtered = b(
        "query($id: ID!) { companies(filter: { id: { eq: $id } }) { totalCount } }",
        json!({ "id": a.companies[0] }),
    )
    .await;
    assert_eq!(filtered["data"]["companies"]["totalCount"], 0);

    // Writes aimed at A's rows fail exactly as they do for ids that do not exist.
    let missing = "Q29tcGFueTowMTkwMDAwMDAwMDA3MDAwODAwMDAwMDAwMDAwMDAwMA";
    let update =
        "mutation($id: ID!) { updateCompany(id: $id, input: { name: \"x\" }) { company { id } } }";
    let theirs = b(update, json!({ "id": a.companies[0] })).await;
    let nobody = b(update, json!({ "id": missing })).await;
    assert_eq!(error_code(&theirs), "NOT_FOUND");
    assert_eq!(
        theirs["errors"][0]["message"],
        nobody["errors"][0]["message"]
    );
    let link = b("mutation($c: ID!) { createContact(input: { firstName: \"x\", companyId: $c }) { contact { id } } }", json!({ "c": a.companies[0] })).await;
    assert_eq!(error_code(&link), "BAD_USER_INPUT");
    assert_eq!(link["errors"][0]["extensions"]["field"], "input.companyId");
    let delete = b(
        "mutation($id: ID!) { deleteDeal(id: $id) { deal { id } } }",
        json!({ "id": a.deals[0] }),
    )
    .await;
    assert_eq!(error_code(&delete), "NOT_FOUND");
    let tag = b(
        "mutation($id: ID!) { addTags(recordId: $id, names: [\"x\"]) { name } }",
        json!({ "id": a.contacts[0] }),
    )
    .await;
    assert_eq!(error_code(&tag), "BAD_USER_INPUT");

    // Aggregates, the dashboard, history and the member list: nothing of A.
    let aggregates = b(
        "query($p: ID!) { dealAmountTotals(filter: { pipelineId: { eq: $p } }) { count } members { nodes { email } } }",
        json!({ "p": a.pipeline }),
    )
    .await;
    assert_eq!(aggregates["data"]["dealAmountTotals"], json!([]));
    assert_eq!(
        aggregates["data"]["members"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "only B's own admin"
    );
    let dashboard = b(
        "query($p: ID!) { pipelineDashboard(pipelineId: $p) { winRate } }",
        json!({ "p": a.pipeline }),
    )
    .await;
    assert_eq!(error_code(&dashboard), "NOT_FOUND");
    let history = b(
        "query($id: ID!) { history(recordId: $id) { edges { node { kind } } } }",
        json!({ "id": a.deals[0] }),
    )
    .await;
    assert_eq!(history["data"]["history"]["edges"], json!([]));

    // A's data is intact and A still sees all of it, nested.
    let mine = app.data("{ companies { nodes { contacts { nodes { deals { nodes { tickets { totalCount } } } } } } } }", json!({})).await;
    assert_eq!(
        mine["companies"]["nodes"][0]["contacts"]["nodes"][0]["deals"]["nodes"][0]["tickets"]["totalCount"],
        1
    );
}

on_both_databases!(another_workspace_sees_nothing_and_reaches_nothing);
