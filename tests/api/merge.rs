//! Merging duplicate contacts and companies: every relation moves, every
//! figure is right after (hand-computed), the old ids resolve to the
//! survivor, the `merged` event goes out live, and bad input writes nothing.

use entity::enums::Role;
use entity::event;
use rapport_core::events::BusMessage;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(
    merging_contacts_moves_everything_and_keeps_figures_right,
    merging_companies_moves_everything_and_rescores,
    bad_merges_are_refused_and_write_nothing,
);

const MERGE_CONTACTS: &str = "mutation($survivor: ID!, $merged: [ID!]!, $keep: [MergeKeepInput!]) { mergeContacts(survivorId: $survivor, mergedIds: $merged, keep: $keep) { contact { id email phone jobTitle leadScore } merged { id deletedAt mergedInto } } }";
const MERGE_COMPANIES: &str = "mutation($survivor: ID!, $merged: [ID!]!, $keep: [MergeKeepInput!]) { mergeCompanies(survivorId: $survivor, mergedIds: $merged, keep: $keep) { company { id name domain industry } merged { id mergedInto } } }";
const CONTACT_FIGURES: &str = "query($id: ID!) { node(id: $id) { id ... on Contact { leadScore ticketStats { count openCount } orderStats { count lifetimeValue { currency amount count } } satisfaction { latestNps } deals(first: 10) { nodes { name } } tags { name } externalIds { source id } leadScoreHistory(first: 20) { score } history(first: 5) { edges { node { kind } } } company { leadScore ticketStats { count } orderStats { count } } } } }";
const ORDER: &str =
    "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }";
const SURVEY: &str = "mutation($input: CreateSurveyResponseInput!) { createSurveyResponse(input: $input) { surveyResponse { id } } }";
const ENGAGE: &str = "mutation($id: ID!) { trackEngagement(input: { contactId: $id, kind: EMAIL_CLICK }) { contact { leadScore } } }";
const TAG: &str =
    "mutation($id: ID!, $tags: [String!]!) { addTags(recordId: $id, names: $tags) { name } }";
const CONVERSION: &str = "query { analytics(period: { from: \"2000-01-01T00:00:00Z\", to: \"2100-01-01T00:00:00Z\" }) { leadConversion { leads converted } } }";

async fn rule(app: &TestApp, input: Value) {
    mutate(app, "mutation($input: LeadScoringRuleInput!) { createLeadScoringRule(input: $input) { rescoredContacts } }", json!({ "input": input })).await;
}

async fn node(app: &TestApp, query: &str, id: &str) -> Value {
    app.data(query, json!({ "id": id })).await["node"].clone()
}

fn names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

async fn merging_contacts_moves_everything_and_keeps_figures_right(app: TestApp) {
    rule(
        &app,
        json!({ "name": "Clicks", "target": "EMAIL_CLICK", "points": 5 }),
    )
    .await;
    rule(
        &app,
        json!({ "name": "CEOs", "target": "JOB_TITLE", "contains": "ceo", "points": 30 }),
    )
    .await;
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    let acme = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let survivor = fixtures::contact(&app, json!({ "firstName": "Ann", "lastName": "Lee", "email": "ann@acme.com", "companyId": acme })).await;
    let merged = fixtures::contact(&app, json!({ "firstName": "Ann", "lastName": "Lee", "email": "ann+crm@acme.com", "phone": "+14155552671", "jobTitle": "CEO", "companyId": acme, "externalIds": [{ "source": "hubspot", "id": "h-1" }] })).await;
    for _ in 0..2 {
        mutate(&app, ENGAGE, json!({ "id": merged })).await;
    }
    fixtures::ticket(&app, json!({ "subject": "Mine", "contactId": survivor })).await;
    fixtures::ticket(&app, json!({ "subject": "Theirs", "contactId": merged })).await;
    mutate(&app, ORDER, json!({ "input": { "contactId": survivor, "product": "Plan", "amount": "50.00", "currency": "EUR" } })).await;
    mutate(&app, ORDER, json!({ "input": { "contactId": merged, "product": "Plan", "amount": "100.00", "currency": "EUR" } })).await;
    mutate(&app, SURVEY, json!({ "input": { "contactId": merged, "kind": "NPS", "score": 9, "respondedAt": "2026-01-01T10:00:00Z" } })).await;
    let roles = |pairs: Vec<(&str, &str)>| -> Value {
        pairs
            .iter()
            .map(|(c, r)| json!({ "contactId": c, "role": r }))
            .collect()
    };
    fixtures::deal(&app, json!({ "name": "Both", "amount": "10", "currency": "EUR", "pipelineId": pipeline, "contacts": roles(vec![(&survivor, "DECISION_MAKER"), (&merged, "CHAMPION")]) })).await;
    fixtures::deal(&app, json!({ "name": "Theirs", "amount": "20", "currency": "EUR", "pipelineId": pipeline, "contacts": roles(vec![(&merged, "USER")]) })).await;
    mutate(&app, TAG, json!({ "id": survivor, "tags": ["vip"] })).await;
    mutate(&app, TAG, json!({ "id": merged, "tags": ["vip", "lead"] })).await;
    let before = app.data(CONVERSION, json!({})).await;
    assert_eq!(
        before["analytics"]["leadConversion"],
        json!({ "leads": 2, "converted": 2 })
    );
    assert_eq!(
        node(&app, CONTACT_FIGURES, &merged).await["leadScore"],
        40,
        "30 (CEO) + 2 × 5"
    );
    assert_eq!(node(&app, CONTACT_FIGURES, &survivor).await["leadScore"], 0);

    let mut bus = app.state.core.bus.subscribe();
    let keep = json!([{ "field": "email", "from": merged }]);
    let done = mutate(
        &app,
        MERGE_CONTACTS,
        json!({ "survivor": survivor, "merged": [merged], "keep": keep }),
    )
    .await;
    let contact = &done["contact"];
    assert_eq!(contact["id"], survivor.as_str());
    assert_eq!(
        contact["email"], "ann+crm@acme.com",
        "kept from the merged contact"
    );
    assert_eq!(contact["phone"], "+14155552671", "a blank filled");
    assert_eq!(contact["jobTitle"], "CEO", "a blank filled");
    assert_eq!(contact["leadScore"], 40, "its CEO title and the two clicks");
    assert_eq!(done["merged"][0]["mergedInto"], survivor.as_str());
    assert!(done["merged"][0]["deletedAt"].is_string());

    // The live event, for both sides, right after the commit.
    let mut merged_events = Vec::new();
    while let Ok(BusMessage::Event(e)) = bus.try_recv() {
        merged_events.push(e.kind.clone());
    }
    assert_eq!(merged_events, vec!["contact.merged", "contact.merged"]);

    // The old id resolves to the survivor, with everything moved.
    let after = node(&app, CONTACT_FIGURES, &merged).await;
    assert_eq!(after["id"], survivor.as_str());
    assert_eq!(after["ticketStats"], json!({ "count": 2, "openCount": 2 }));
    assert_eq!(after["orderStats"]["count"], 2);
    assert_eq!(
        after["orderStats"]["lifetimeValue"],
        json!([{ "currency": "EUR", "amount": "150.00", "count": 2 }])
    );
    assert_eq!(after["satisfaction"]["latestNps"], 9);
    assert_eq!(names(&after["deals"]["nodes"]), vec!["Both", "Theirs"]);
    assert_eq!(names(&after["tags"]), vec!["lead", "vip"]);
    assert_eq!(
        after["externalIds"],
        json!([{ "source": "hubspot", "id": "h-1" }])
    );
    let scores: Vec<i64> = after["leadScoreHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["score"].as_i64().unwrap())
        .collect();
    assert_eq!(
        scores.iter().max(),
        Some(&40),
        "the merged contact's score history came along: {scores:?}"
    );
    assert_eq!(after["history"]["edges"][0]["node"]["kind"], "MERGED");
    assert_eq!(
        after["company"]["leadScore"], 40,
        "the company's best contact"
    );
    assert_eq!(after["company"]["ticketStats"]["count"], 2);
    assert_eq!(after["company"]["orderStats"]["count"], 2);
    // One contact role per deal: the survivor's own on the shared deal.
    let both = app.data("query { deals(filter: { name: { eq: \"Both\" } }) { nodes { contacts(first: 10) { edges { role node { id } } } } } }", json!({})).await;
    assert_eq!(
        both["deals"]["nodes"][0]["contacts"]["edges"],
        json!([{ "role": "DECISION_MAKER", "node": { "id": survivor } }])
    );
    let after = app.data(CONVERSION, json!({})).await;
    assert_eq!(
        after["analytics"]["leadConversion"],
        json!({ "leads": 1, "converted": 1 })
    );
    // The merged email is free for the survivor only: nobody else took it.
    let lists = app
        .data("query { contacts(first: 10) { totalCount } }", json!({}))
        .await;
    assert_eq!(lists["contacts"]["totalCount"], 1);
}

pub(crate) async fn merging_companies_moves_everything_and_rescores(app: TestApp) {
    rule(
        &app,
        json!({ "name": "Software", "target": "INDUSTRY", "contains": "software", "points": 20 }),
    )
    .await;
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    let survivor = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let merged = fixtures::company(
        &app,
        json!({ "name": "ACME Inc", "domain": "acme.io", "industry": "Software" }),
    )
    .await;
    let mine = fixtures::contact(&app, json!({ "firstName": "Ann", "companyId": survivor })).await;
    let theirs = fixtures::contact(&app, json!({ "firstName": "Bo", "companyId": merged })).await;
    fixtures::deal(&app, json!({ "name": "Theirs", "amount": "20", "currency": "EUR", "pipelineId": pipeline, "companyId": merged })).await;
    fixtures::ticket(&app, json!({ "subject": "Theirs", "contactId": theirs })).await;
    mutate(&app, ORDER, json!({ "input": { "companyId": merged, "product": "Setup", "amount": "200", "currency": "EUR" } })).await;
    let pairs = app
        .data(
            "query { duplicateCompanies { edges { node { reasons } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        pairs["duplicateCompanies"]["edges"][0]["node"]["reasons"],
        json!(["SIMILAR_COMPANY_NAME"])
    );

    let done = mutate(
        &app,
        MERGE_COMPANIES,
        json!({ "survivor": survivor, "merged": [merged] }),
    )
    .await;
    assert_eq!(
        done["company"],
        json!({ "id": survivor, "name": "Acme", "domain": "acme.io", "industry": "Software" })
    );
    assert_eq!(done["merged"][0]["mergedInto"], survivor.as_str());
    let query = "query($id: ID!) { node(id: $id) { id ... on Company { leadScore ticketStats { count } orderStats { count } contacts(first: 10) { nodes { firstName leadScore } } deals(first: 10) { nodes { name } } } } }";
    let company = node(&app, query, &merged).await;
    assert_eq!(
        company["id"],
        survivor.as_str(),
        "the old id resolves to the survivor"
    );
    assert_eq!(
        company["contacts"]["nodes"],
        json!([{ "firstName": "Ann", "leadScore": 20 }, { "firstName": "Bo", "leadScore": 20 }])
    );
    assert_eq!(company["leadScore"], 20);
    assert_eq!(company["ticketStats"]["count"], 1);
    assert_eq!(company["orderStats"]["count"], 1);
    assert_eq!(names(&company["deals"]["nodes"]), vec!["Theirs"]);
    let _ = mine;
    // The domain went with the merge: it is the survivor's now.
    let reuse = app.gql("mutation { createCompany(input: { name: \"X\", domain: \"acme.io\" }) { company { id } } }", json!({})).await;
    assert_eq!(error_code(&reuse), "CONFLICT");
}

async fn bad_merges_are_refused_and_write_nothing(app: TestApp) {
    let events = || async {
        let mine = event::Column::WorkspaceId.eq(app.workspace_id);
        event::Entity::find()
            .filter(mine)
            .count(&app.state.db)
            .await
            .unwrap()
    };
    let survivor = fixtures::contact(&app, json!({ "firstName": "Ann" })).await;
    let other = fixtures::contact(&app, json!({ "firstName": "Ann" })).await;
    let deleted = fixtures::contact(&app, json!({ "firstName": "Gone" })).await;
    crate::fixtures::delete_contact(&app, &deleted).await;
    let company = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let foreign = app
        .gql_as(
            &app.other_token,
            "mutation { createContact(input: { firstName: \"F\" }) { contact { id } } }",
            json!({}),
        )
        .await;
    let foreign = foreign["data"]["createContact"]["contact"]["id"].clone();
    let written = events().await;
    let cases = [
        (
            json!({ "survivor": survivor, "merged": [other, survivor] }),
            "BAD_USER_INPUT",
            Some("mergedIds.1"),
        ),
        (
            json!({ "survivor": survivor, "merged": [] }),
            "BAD_USER_INPUT",
            Some("mergedIds"),
        ),
        (
            json!({ "survivor": survivor, "merged": [other, other] }),
            "BAD_USER_INPUT",
            Some("mergedIds.1"),
        ),
        (
            json!({ "survivor": survivor, "merged": [foreign] }),
            "BAD_USER_INPUT",
            Some("mergedIds.0"),
        ),
        (
            json!({ "survivor": survivor, "merged": [company] }),
            "BAD_USER_INPUT",
            Some("mergedIds.0"),
        ),
        (
            json!({ "survivor": deleted, "merged": [other] }),
            "BAD_USER_INPUT",
            Some("survivorId"),
        ),
        (
            json!({ "survivor": survivor, "merged": [deleted] }),
            "BAD_USER_INPUT",
            Some("mergedIds.0"),
        ),
        (
            json!({ "survivor": survivor, "merged": [other], "keep": [{ "field": "shoeSize", "from": other }] }),
            "BAD_USER_INPUT",
            Some("keep.0.field"),
        ),
        (
            json!({ "survivor": survivor, "merged": [other], "keep": [{ "field": "email", "from": deleted }] }),
            "BAD_USER_INPUT",
            Some("keep.0.from"),
        ),
        (
            json!({ "survivor": survivor, "merged": [other], "keep": [{ "field": "email", "from": other }, { "field": "email", "from": survivor }] }),
            "BAD_USER_INPUT",
            Some("keep.1.field"),
        ),
    ];
    for (variables, code, field) in cases {
        let response = app.gql(MERGE_CONTACTS, variables.clone()).await;
        assert_eq!(error_code(&response), code, "{variables}: {response}");
        assert_eq!(
            response["errors"][0]["extensions"]["field"].as_str(),
            field,
            "{variables}"
        );
    }
    for role in [Role::Sales, Role::Support, Role::Viewer] {
        let token = member_token(&app.state, app.workspace_id, role).await;
        let response = app
            .gql_as(
                &token,
                MERGE_CONTACTS,
                json!({ "survivor": survivor, "merged": [other] }),
            )
            .await;
        assert_eq!(error_code(&response), "FORBIDDEN", "{role:?}");
    }
    assert_eq!(events().await, written, "nothing was written");
    let both = app
        .data("query { contacts(first: 10) { totalCount } }", json!({}))
        .await;
    assert_eq!(both["contacts"]["totalCount"], 2);
    // A MANAGER merges.
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let merged = app
        .gql_as(
            &manager,
            MERGE_CONTACTS,
            json!({ "survivor": survivor, "merged": [other] }),
        )
        .await;
    assert!(merged.get("errors").is_none(), "{merged}");
}
