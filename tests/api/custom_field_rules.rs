//! Custom field rules that span records: required and unique fields, type
//! changes that convert every stored value or refuse, and sorting by a field.

use serde_json::{Value, json};

use crate::custom_fields::{UPDATE_FIELD, contact, field, names, values};
use crate::fixtures::mutate;
use crate::helpers::{TestApp, on_both_databases};
use crate::products::refusal;

on_both_databases!(
    required_and_unique_fields_hold,
    a_type_change_converts_values_or_names_the_records,
    lists_sort_and_page_by_a_custom_field,
);

async fn required_and_unique_fields_hold(app: TestApp) {
    let code = field(&app, json!({ "recordType": "COMPANY", "key": "code", "label": "Customer code", "type": "TEXT", "unique": true })).await;
    let create = "mutation($input: CreateCompanyInput!) { createCompany(input: $input) { company { id customFields { key value } } } }";
    let company = |name: &str, code: Value| {
        app.gql(
            create,
            json!({ "input": { "name": name, "customFields": [{ "key": "code", "value": code }] } }),
        )
    };
    let first = company("Acme", json!("C-1")).await;
    assert!(first["errors"].is_null(), "{first}");
    let again = company("Other", json!("C-1")).await;
    assert_eq!(
        refusal(&again),
        ("CONFLICT".into(), "input.customFields.code".into())
    );
    let bare = app
        .gql(create, json!({ "input": { "name": "Bare" } }))
        .await;
    assert!(bare["errors"].is_null(), "{bare}");

    // Required while a live company lacks a value: refused, naming why.
    let update = |input: Value| app.gql(UPDATE_FIELD, json!({ "id": code, "input": input }));
    let refused = update(json!({ "required": true })).await;
    assert_eq!(
        refusal(&refused),
        ("BAD_USER_INPUT".into(), "input.required".into())
    );
    let bare_id = bare["data"]["createCompany"]["company"]["id"].clone();
    let set = "mutation($id: ID!, $input: UpdateCompanyInput!) { updateCompany(id: $id, input: $input) { company { id } } }";
    let taken = app
        .gql(set, json!({ "id": bare_id, "input": { "customFields": [{ "key": "code", "value": "C-1" }] } }))
        .await;
    assert_eq!(
        refusal(&taken),
        ("CONFLICT".into(), "input.customFields.code".into())
    );
    mutate(
        &app,
        set,
        json!({ "id": bare_id, "input": { "customFields": [{ "key": "code", "value": "C-2" }] } }),
    )
    .await;
    let required = update(json!({ "required": true })).await;
    assert_eq!(
        required["data"]["updateCustomField"]["customField"]["required"], true,
        "{required}"
    );

    // Now a new company needs a code, and none may be cleared.
    let missing = app.gql(create, json!({ "input": { "name": "New" } })).await;
    assert_eq!(
        refusal(&missing),
        ("BAD_USER_INPUT".into(), "input.customFields.code".into())
    );
    let cleared = app
        .gql(set, json!({ "id": bare_id, "input": { "customFields": [{ "key": "code", "value": null }] } }))
        .await;
    assert_eq!(
        refusal(&cleared),
        ("BAD_USER_INPUT".into(), "input.customFields.code".into())
    );

    // A required ticket field holds on the single-statement create path too.
    field(&app, json!({ "recordType": "TICKET", "key": "product_area", "label": "Area", "type": "SELECT", "options": ["Billing", "Login"], "required": true })).await;
    let ticket = "mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id customFields { key value } } } }";
    let without = app
        .gql(ticket, json!({ "input": { "subject": "Help" } }))
        .await;
    assert_eq!(
        refusal(&without),
        (
            "BAD_USER_INPUT".into(),
            "input.customFields.product_area".into()
        )
    );
    let with = mutate(&app, ticket, json!({ "input": { "subject": "Help", "customFields": [{ "key": "product_area", "value": "login" }] } })).await;
    assert_eq!(values(&with["ticket"]), json!({ "product_area": "Login" }));
}

async fn a_type_change_converts_values_or_names_the_records(app: TestApp) {
    let id = field(
        &app,
        json!({ "recordType": "CONTACT", "key": "size", "label": "Size", "type": "TEXT" }),
    )
    .await;
    let ada = contact(&app, "Ada", json!([{ "key": "size", "value": "12" }])).await;
    contact(&app, "Bob", json!([{ "key": "size", "value": " 7 " }])).await;
    let converted = mutate(
        &app,
        UPDATE_FIELD,
        json!({ "id": id, "input": { "type": "NUMBER" } }),
    )
    .await;
    assert_eq!(converted["customField"]["type"], "NUMBER");
    let big = json!({ "customFields": [{ "key": "size", "number": { "gt": "10" } }] });
    assert_eq!(names(&app, big).await, vec!["Ada"]);
    // The conversion is in each record's history, as an edit would be.
    let history = "query($id: ID!) { node(id: $id) { ... on Contact { history(first: 1) { nodes { kind changes { field before after } } } } } }";
    let latest = app.data(history, json!({ "id": ada["id"] })).await;
    assert_eq!(
        latest["node"]["history"]["nodes"][0],
        json!({ "kind": "UPDATED", "changes": [{ "field": "customFields.size", "before": "12", "after": 12 }] })
    );

    // Back to text, then a value that is no number: the change is refused,
    // naming the record, and the field keeps its type.
    mutate(
        &app,
        UPDATE_FIELD,
        json!({ "id": id, "input": { "type": "TEXT" } }),
    )
    .await;
    let cy = contact(&app, "Cy", json!([{ "key": "size", "value": "large" }])).await;
    let refused = app
        .gql(
            UPDATE_FIELD,
            json!({ "id": id, "input": { "type": "NUMBER" } }),
        )
        .await;
    assert_eq!(
        refusal(&refused),
        ("BAD_USER_INPUT".into(), "input.type".into())
    );
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(cy["id"].as_str().unwrap()), "{message}");
    let kept = app
        .data("{ customFields(recordType: CONTACT) { type } }", json!({}))
        .await;
    assert_eq!(kept["customFields"][0]["type"], "TEXT");

    // To a select: values become options, or the change names the misfit.
    let select = json!({ "id": id, "input": { "type": "SELECT", "options": ["12", "7"] } });
    let misfit = app.gql(UPDATE_FIELD, select).await;
    assert_eq!(refusal(&misfit).1, "input.type");
    let select =
        json!({ "id": id, "input": { "type": "SELECT", "options": ["12", "7", "Large"] } });
    mutate(&app, UPDATE_FIELD, select).await;
    let large = json!({ "customFields": [{ "key": "size", "options": { "any": ["Large"] } }] });
    assert_eq!(names(&app, large).await, vec!["Cy"]);
    // Dropping an option in use is refused on `input.options`.
    let fewer = json!({ "id": id, "input": { "options": ["12", "7"] } });
    assert_eq!(
        refusal(&app.gql(UPDATE_FIELD, fewer).await).1,
        "input.options"
    );
}

async fn lists_sort_and_page_by_a_custom_field(app: TestApp) {
    field(
        &app,
        json!({ "recordType": "CONTACT", "key": "seats", "label": "Seats", "type": "DECIMAL" }),
    )
    .await;
    field(
        &app,
        json!({ "recordType": "CONTACT", "key": "code", "label": "Code", "type": "TEXT" }),
    )
    .await;
    let people = [
        (
            "Ada",
            json!([{ "key": "seats", "value": 12 }, { "key": "code", "value": "10" }]),
        ),
        (
            "Bob",
            json!([{ "key": "seats", "value": 2.5 }, { "key": "code", "value": "9" }]),
        ),
        (
            "Cy",
            json!([{ "key": "seats", "value": 7 }, { "key": "code", "value": "abc" }]),
        ),
        ("Dee", json!([])),
    ];
    for (name, custom) in people {
        contact(&app, name, custom).await;
    }
    let query = "query($order: [ContactOrder!], $after: String) { contacts(first: 2, after: $after, orderBy: $order) { nodes { firstName } pageInfo { hasNextPage endCursor } } }";
    // Every record, page by page along the cursor.
    let walk = async |order: Value| {
        let (mut names, mut after) = (Vec::new(), Value::Null);
        loop {
            let data = app
                .data(query, json!({ "order": order, "after": after }))
                .await;
            let page = &data["contacts"];
            for node in page["nodes"].as_array().unwrap() {
                names.push(node["firstName"].as_str().unwrap().to_owned());
            }
            if page["pageInfo"]["hasNextPage"] != true {
                return names;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
    };
    let by = |key: &str, direction: &str| json!([{ "customField": key, "direction": direction }]);
    // Numbers by value, records without a value last in both directions.
    assert_eq!(walk(by("seats", "ASC")).await, ["Bob", "Cy", "Ada", "Dee"]);
    assert_eq!(walk(by("seats", "DESC")).await, ["Ada", "Cy", "Bob", "Dee"]);
    // Text by its bytes: "10" before "9".
    assert_eq!(walk(by("code", "ASC")).await, ["Ada", "Bob", "Cy", "Dee"]);

    let refused = |order: Value| app.gql(query, json!({ "order": order }));
    let bad = refused(json!([{ "customField": "Seats" }])).await;
    assert_eq!(
        refusal(&bad),
        ("BAD_USER_INPUT".into(), "orderBy.0.customField".into())
    );
    let both = refused(json!([{ "field": "FIRST_NAME", "customField": "seats" }])).await;
    assert_eq!(
        refusal(&both),
        ("BAD_USER_INPUT".into(), "orderBy.0".into())
    );
}
