//! External ids, bulk creates (all or nothing, one event per record, the
//! failing input named) and upserts, through the API.

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, on_both_databases};
use crate::writes::event_count;

on_both_databases!(
    external_ids_are_set_read_replaced_and_unique,
    bulk_creates_are_all_or_nothing_with_one_event_each,
    upserts_find_by_natural_key_or_external_id,
);

fn field(response: &Value) -> &str {
    response["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<none>")
}

const CONTACT_IDS: &str =
    "query($id: ID!) { node(id: $id) { ... on Contact { externalIds { source id } } } }";

async fn external_ids_are_set_read_replaced_and_unique(app: TestApp) {
    let ada = fixtures::contact(
        &app,
        json!({ "firstName": "Ada", "externalIds": [{ "source": "hubspot", "id": "h-1" }, { "source": "billing", "id": "b-1" }] }),
    )
    .await;
    let read = app.data(CONTACT_IDS, json!({ "id": ada })).await;
    assert_eq!(
        read["node"]["externalIds"],
        json!([{ "source": "billing", "id": "b-1" }, { "source": "hubspot", "id": "h-1" }])
    );
    // The same id in the same source names one contact only.
    let taken = app
        .gql(
            "mutation { createContact(input: { firstName: \"Bob\", externalIds: [{ source: \"hubspot\", id: \"h-1\" }] }) { contact { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&taken), "BAD_USER_INPUT", "{taken}");
    assert_eq!(field(&taken), "input.externalIds.0");
    // A company may have it: ids are unique per record type.
    fixtures::company(
        &app,
        json!({ "name": "H1", "externalIds": [{ "source": "hubspot", "id": "h-1" }] }),
    )
    .await;
    // An update sends the whole set; omitted, the ids stay.
    let update = "mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { contact { externalIds { source id } } } }";
    let replaced = mutate(
        &app,
        update,
        json!({ "id": ada, "input": { "externalIds": [{ "source": "hubspot", "id": "h-2" }] } }),
    )
    .await;
    assert_eq!(
        replaced["contact"]["externalIds"],
        json!([{ "source": "hubspot", "id": "h-2" }])
    );
    let kept = mutate(
        &app,
        update,
        json!({ "id": ada, "input": { "jobTitle": "Engineer" } }),
    )
    .await;
    assert_eq!(
        kept["contact"]["externalIds"],
        json!([{ "source": "hubspot", "id": "h-2" }])
    );
    let blank = app
        .gql(
            update,
            json!({ "id": ada, "input": { "externalIds": [{ "source": " ", "id": "x" }] } }),
        )
        .await;
    assert_eq!(field(&blank), "input.externalIds.0.source", "{blank}");
    // Another workspace neither sees nor collides with them.
    let other = app
        .gql_as(
            &app.other_token,
            "mutation { createContact(input: { firstName: \"Ada\", externalIds: [{ source: \"hubspot\", id: \"h-2\" }] }) { contact { id } } }",
            json!({}),
        )
        .await;
    assert!(other["errors"].is_null(), "{other}");
}

pub(crate) async fn bulk_creates_are_all_or_nothing_with_one_event_each(app: TestApp) {
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    let events_before = event_count(&app).await;
    let create = "mutation($inputs: [CreateContactInput!]!) { createContacts(inputs: $inputs) { contact { id email } } }";
    let made = mutate(
        &app,
        create,
        json!({ "inputs": [
        { "firstName": "A", "email": "a@example.com" },
        { "firstName": "B", "email": "b@example.com" },
        { "firstName": "C" },
    ] }),
    )
    .await;
    assert_eq!(made.as_array().unwrap().len(), 3);
    assert_eq!(
        event_count(&app).await,
        events_before + 3,
        "one event per record"
    );

    let refused = app
        .gql(
            create,
            json!({ "inputs": [
            { "firstName": "D", "email": "d@example.com" },
            { "firstName": "E", "email": "not an email" },
        ] }),
        )
        .await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    assert_eq!(field(&refused), "inputs.1.email");
    let duplicate = app
        .gql(create, json!({ "inputs": [{ "firstName": "F", "email": "f@example.com" }, { "firstName": "G", "email": "F@example.com" }] }))
        .await;
    assert_eq!(field(&duplicate), "inputs.1.email", "{duplicate}");
    let count = app.data("{ contacts { totalCount } }", json!({})).await;
    assert_eq!(
        count["contacts"]["totalCount"], 3,
        "nothing of a refused batch is written"
    );
    assert_eq!(event_count(&app).await, events_before + 3);

    let too_many: Vec<Value> = (0..501)
        .map(|i| json!({ "firstName": format!("P{i}") }))
        .collect();
    let refused = app.gql(create, json!({ "inputs": too_many })).await;
    assert_eq!(field(&refused), "inputs", "{refused}");

    let companies = mutate(&app, "mutation { createCompanies(inputs: [{ name: \"X\" }, { name: \"Y\", domain: \"y.example\" }]) { company { name domain } } }", json!({})).await;
    assert_eq!(companies[1]["company"]["domain"], "y.example");
    let deals = app
        .gql(
            "mutation($inputs: [CreateDealInput!]!) { createDeals(inputs: $inputs) { deal { name } } }",
            json!({ "inputs": [
                { "name": "D1", "amount": "10", "currency": "EUR", "pipelineId": pipeline },
                { "name": "D2", "amount": "10.001", "currency": "EUR", "pipelineId": pipeline },
            ] }),
        )
        .await;
    assert_eq!(field(&deals), "inputs.1.amount", "{deals}");
    let tickets = mutate(&app, "mutation { createTickets(inputs: [{ subject: \"T1\" }, { subject: \"T2\" }]) { ticket { number } } }", json!({})).await;
    assert_eq!(
        tickets,
        json!([{ "ticket": { "number": 1 } }, { "ticket": { "number": 2 } }])
    );
    let contact = made[0]["contact"]["id"].as_str().unwrap();
    let activities = mutate(&app, "mutation($c: ID!) { createActivities(inputs: [{ kind: NOTE, subject: \"n\", contactId: $c }, { kind: CALL, subject: \"c\", contactId: $c }]) { activity { kind } } }", json!({ "c": contact })).await;
    assert_eq!(activities.as_array().unwrap().len(), 2);
}

async fn upserts_find_by_natural_key_or_external_id(app: TestApp) {
    let upsert = "mutation($match: ContactMatch!, $input: CreateContactInput!) { upsertContact(match: $match, input: $input) { outcome contact { id email jobTitle version externalIds { source id } } } }";
    let first = mutate(
        &app,
        upsert,
        json!({ "match": { "email": "Ada@Example.com" }, "input": { "firstName": "Ada" } }),
    )
    .await;
    assert_eq!(first["outcome"], "CREATED");
    assert_eq!(
        first["contact"]["email"], "ada@example.com",
        "the match's email is kept"
    );
    let second = mutate(&app, upsert, json!({ "match": { "email": "ada@example.com" }, "input": { "firstName": "Ada", "jobTitle": "CTO", "externalIds": [{ "source": "crm", "id": "7" }] } })).await;
    assert_eq!(second["outcome"], "UPDATED");
    assert_eq!(second["contact"]["id"], first["contact"]["id"]);
    assert_eq!(second["contact"]["jobTitle"], "CTO");
    let third = mutate(&app, upsert, json!({ "match": { "externalId": { "source": "crm", "id": "7" } }, "input": { "firstName": "Ada", "email": "ada@example.com" } })).await;
    assert_eq!(third["outcome"], "UPDATED");
    assert_eq!(third["contact"]["id"], first["contact"]["id"]);
    assert_eq!(
        third["contact"]["jobTitle"],
        Value::Null,
        "an upsert writes the whole input"
    );
    assert_eq!(
        third["contact"]["externalIds"],
        json!([{ "source": "crm", "id": "7" }])
    );
    let new = mutate(&app, upsert, json!({ "match": { "externalId": { "source": "crm", "id": "8" } }, "input": { "firstName": "Bob" } })).await;
    assert_eq!(new["outcome"], "CREATED");
    assert_eq!(
        new["contact"]["externalIds"],
        json!([{ "source": "crm", "id": "8" }])
    );
    let both = app
        .gql(upsert, json!({ "match": { "email": "a@b.c", "externalId": { "source": "crm", "id": "8" } }, "input": { "firstName": "X" } }))
        .await;
    assert!(!both["errors"].is_null(), "one way to match: {both}");

    let company = "mutation($match: CompanyMatch!, $input: CreateCompanyInput!) { upsertCompany(match: $match, input: $input) { outcome company { id name domain } } }";
    let acme = mutate(&app, company, json!({ "match": { "domain": "https://www.acme.example/about" }, "input": { "name": "Acme" } })).await;
    assert_eq!(acme["outcome"], "CREATED");
    assert_eq!(acme["company"]["domain"], "acme.example");
    let renamed = mutate(
        &app,
        company,
        json!({ "match": { "domain": "acme.example" }, "input": { "name": "Acme Inc." } }),
    )
    .await;
    assert_eq!(renamed["outcome"], "UPDATED");
    assert_eq!(renamed["company"]["id"], acme["company"]["id"]);
    assert_eq!(renamed["company"]["name"], "Acme Inc.");
}
