//! Mutations: validation, no partial writes, versions, soft delete, money, events.

use entity::event;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::fixtures::{company, contact, deal, mutate, pipeline};
use crate::helpers::{TestApp, error_code, on_both_databases};

/// Workspace A's events (those the test's writes make).
pub(crate) async fn event_count(app: &TestApp) -> u64 {
    event::Entity::find()
        .filter(event::Column::WorkspaceId.eq(app.workspace_id))
        .count(&app.state.db)
        .await
        .unwrap()
}

async fn valid_input_is_stored_normalised(app: TestApp) {
    let created = mutate(
        &app,
        "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { email phone version } } }",
        json!({ "input": { "firstName": "Ada", "email": "  Ada.Lovelace@Example.COM ", "phone": "+1 (415) 555-2671" } }),
    )
    .await;
    assert_eq!(created["contact"]["email"], "ada.lovelace@example.com");
    assert_eq!(created["contact"]["phone"], "+14155552671");
    assert_eq!(created["contact"]["version"], 1);
    let local = mutate(
        &app,
        "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { phone } } }",
        json!({ "input": { "firstName": "Bo", "phone": "030 1234567", "country": "DE" } }),
    )
    .await;
    assert_eq!(local["contact"]["phone"], "+49301234567");
}

async fn invalid_input_names_the_field_and_writes_nothing(app: TestApp) {
    let (pipeline_id, _) = pipeline(&app, "Sales").await;
    let (_, other_stages) = pipeline(&app, "Other").await;
    let events_before = event_count(&app).await;
    let cases = [
        (
            "mutation { createContact(input: { firstName: \"A\", email: \"not-an-email\" }) { contact { id } } }",
            "input.email",
        ),
        (
            "mutation { createContact(input: { firstName: \"A\", phone: \"12\" }) { contact { id } } }",
            "input.phone",
        ),
        (
            "mutation { createContact(input: { firstName: \"   \" }) { contact { id } } }",
            "input.firstName",
        ),
        (
            "mutation { createCompany(input: { name: \"\" }) { company { id } } }",
            "input.name",
        ),
    ];
    for (query, field) in cases {
        let response = app.gql(query, json!({})).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{query}");
        assert_eq!(
            response["errors"][0]["extensions"]["field"], field,
            "{query}"
        );
    }
    let create_deal =
        "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }";
    let deal_cases = [
        (
            json!({ "name": "D", "amount": "-1", "currency": "EUR", "pipelineId": pipeline_id }),
            "input.amount",
        ),
        (
            json!({ "name": "D", "amount": "1", "currency": "XYZ", "pipelineId": pipeline_id }),
            "input.currency",
        ),
        (
            json!({ "name": "D", "amount": "1.001", "currency": "EUR", "pipelineId": pipeline_id }),
            "input.amount",
        ),
        (
            json!({ "name": "D", "amount": "1", "currency": "EUR", "pipelineId": pipeline_id, "stageId": other_stages[0] }),
            "input.stageId",
        ),
    ];
    for (input, field) in deal_cases {
        let response = app.gql(create_deal, json!({ "input": input })).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{input}");
        assert_eq!(
            response["errors"][0]["extensions"]["field"], field,
            "{input}"
        );
    }
    let counts = app
        .data(
            "{ contacts { totalCount } companies { totalCount } deals { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        counts,
        json!({ "contacts": { "totalCount": 0 }, "companies": { "totalCount": 0 }, "deals": { "totalCount": 0 } })
    );
    assert_eq!(
        event_count(&app).await,
        events_before,
        "a refused write records no event"
    );
}

async fn a_stale_expected_version_is_a_conflict(app: TestApp) {
    let id = company(&app, json!({ "name": "Acme" })).await;
    let update = "mutation($id: ID!, $v: Int, $name: String) { updateCompany(id: $id, input: { name: $name }, expectedVersion: $v) { company { name version } } }";
    let first = app
        .data(update, json!({ "id": id, "v": 1, "name": "Acme 2" }))
        .await;
    assert_eq!(first["updateCompany"]["company"]["version"], 2);
    let stale = app
        .gql(update, json!({ "id": id, "v": 1, "name": "Acme 3" }))
        .await;
    assert_eq!(error_code(&stale), "CONFLICT");
    let now = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Company { name version } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(now["node"], json!({ "name": "Acme 2", "version": 2 }));
}

async fn deleted_records_leave_lists_and_can_be_restored(app: TestApp) {
    let id = company(&app, json!({ "name": "Acme" })).await;
    let deleted = mutate(
        &app,
        "mutation($id: ID!) { deleteCompany(id: $id) { company { deletedAt version } } }",
        json!({ "id": id }),
    )
    .await;
    assert!(deleted["company"]["deletedAt"].is_string());
    let lists = app
        .data(
            "query($id: ID!) { companies { totalCount } node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        lists,
        json!({ "companies": { "totalCount": 0 }, "node": null })
    );
    let again = app
        .gql(
            "mutation($id: ID!) { deleteCompany(id: $id) { company { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&again), "NOT_FOUND");
    mutate(
        &app,
        "mutation($id: ID!) { restoreCompany(id: $id) { company { id } } }",
        json!({ "id": id }),
    )
    .await;
    let back = app.data("{ companies { totalCount } }", json!({})).await;
    assert_eq!(back["companies"]["totalCount"], 1);
}

async fn money_sums_are_exact(app: TestApp) {
    let (pipeline_id, _) = pipeline(&app, "Sales").await;
    for amount in ["0.10", "0.20"] {
        deal(
            &app,
            json!({ "name": "D", "amount": amount, "currency": "USD", "pipelineId": pipeline_id }),
        )
        .await;
    }
    deal(
        &app,
        json!({ "name": "Y", "amount": "1500", "currency": "JPY", "pipelineId": pipeline_id }),
    )
    .await;
    let data = app.data("{ dealAmountTotals { currency amount count } deals(orderBy: [{ field: AMOUNT }]) { nodes { amount currency } } }", json!({})).await;
    assert_eq!(
        data["dealAmountTotals"],
        json!([
            { "currency": "JPY", "amount": "1500", "count": 1 },
            { "currency": "USD", "amount": "0.30", "count": 2 },
        ])
    );
    assert_eq!(
        data["deals"]["nodes"][0],
        json!({ "amount": "0.10", "currency": "USD" })
    );
}

async fn moving_a_deal_records_its_stage_history(app: TestApp) {
    let (pipeline_id, stages) = pipeline(&app, "Sales").await;
    let (_, other) = pipeline(&app, "Other").await;
    let company_id = company(&app, json!({ "name": "Acme" })).await;
    let person = contact(&app, json!({ "firstName": "Ada", "companyId": company_id })).await;
    let id = deal(&app, json!({ "name": "Big", "amount": "1000", "currency": "EUR", "pipelineId": pipeline_id, "contacts": [{ "contactId": person, "role": "CHAMPION" }] })).await;
    let events_before = event_count(&app).await;
    let moved = mutate(&app, "mutation($id: ID!, $s: ID!) { moveDeal(id: $id, stageId: $s, expectedVersion: 1) { deal { version stage { name } } } }", json!({ "id": id, "s": stages[1] })).await;
    assert_eq!(
        moved["deal"],
        json!({ "version": 2, "stage": { "name": "Proposal" } })
    );
    assert_eq!(event_count(&app).await, events_before + 1);
    let wrong = app
        .gql(
            "mutation($id: ID!, $s: ID!) { moveDeal(id: $id, stageId: $s) { deal { id } } }",
            json!({ "id": id, "s": other[0] }),
        )
        .await;
    assert_eq!(error_code(&wrong), "BAD_USER_INPUT");
    assert_eq!(wrong["errors"][0]["extensions"]["field"], "stageId");
    let won = mutate(&app, "mutation($id: ID!) { closeDeal(id: $id, outcome: WON, reason: \"Best price\") { deal { status closeReason } } }", json!({ "id": id })).await;
    assert_eq!(
        won["deal"],
        json!({ "status": "WON", "closeReason": "Best price" })
    );
    let history = app
        .data("query($id: ID!) { node(id: $id) { ... on Deal { stageHistory { totalCount nodes { toStage { name } } } contacts { edges { role node { firstName } } } } } }", json!({ "id": id }))
        .await;
    let names: Vec<&str> = history["node"]["stageHistory"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["toStage"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Qualification", "Proposal", "Won"]);
    assert_eq!(
        history["node"]["contacts"]["edges"][0],
        json!({ "role": "CHAMPION", "node": { "firstName": "Ada" } })
    );
}

async fn viewers_cannot_write(app: TestApp) {
    let viewer =
        crate::helpers::member_token(&app.state, app.workspace_id, entity::enums::Role::Viewer)
            .await;
    let response = app
        .gql_as(
            &viewer,
            "mutation { createCompany(input: { name: \"X\" }) { company { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&response), "FORBIDDEN");
    let read = app
        .gql_as(&viewer, "{ companies { totalCount } }", json!({}))
        .await;
    assert_eq!(read["data"]["companies"]["totalCount"], 0);
}

on_both_databases!(
    valid_input_is_stored_normalised,
    invalid_input_names_the_field_and_writes_nothing,
    a_stale_expected_version_is_a_conflict,
    deleted_records_leave_lists_and_can_be_restored,
    money_sums_are_exact,
    moving_a_deal_records_its_stage_history,
    viewers_cannot_write,
);
