//! Custom fields: definitions (ADMIN), values checked by type on create and
//! update, read back, filtered with typed operators, and type changes that
//! convert the stored values or refuse naming the records.

use entity::enums::Role;
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, member_token, on_both_databases};
use crate::products::refusal;

on_both_databases!(
    fields_are_defined_and_values_checked_by_type,
    filters_test_values_with_typed_operators,
);

const CREATE_FIELD: &str = "mutation($input: CreateCustomFieldInput!) { createCustomField(input: $input) { customField { id key label type options required unique position version } } }";
pub const UPDATE_FIELD: &str = "mutation($id: ID!, $input: UpdateCustomFieldInput!) { updateCustomField(id: $id, input: $input) { customField { id type options required unique version } } }";
const CREATE_CONTACT: &str = "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id customFields { key label type value } } } }";
const UPDATE_CONTACT: &str = "mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { contact { id customFields { key value } } } }";
const CONTACTS: &str = "query($filter: ContactFilter) { contacts(first: 50, filter: $filter, orderBy: [{ field: FIRST_NAME }]) { nodes { firstName } } }";

/// Defines a field and returns its global id.
pub async fn field(app: &TestApp, input: Value) -> String {
    let made = mutate(app, CREATE_FIELD, json!({ "input": input })).await;
    made["customField"]["id"].as_str().expect("id").to_owned()
}

/// The values of a record's `customFields`, as `{ key: value }`.
pub fn values(record: &Value) -> Value {
    let mut object = serde_json::Map::new();
    for v in record["customFields"].as_array().expect("customFields") {
        object.insert(v["key"].as_str().unwrap().to_owned(), v["value"].clone());
    }
    Value::Object(object)
}

pub async fn contact(app: &TestApp, name: &str, custom: Value) -> Value {
    let input = json!({ "firstName": name, "customFields": custom });
    mutate(app, CREATE_CONTACT, json!({ "input": input })).await["contact"].clone()
}

/// The first names of the contacts `filter` matches.
pub async fn names(app: &TestApp, filter: Value) -> Vec<String> {
    let data = app.data(CONTACTS, json!({ "filter": filter })).await;
    data["contacts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["firstName"].as_str().unwrap().to_owned())
        .collect()
}

async fn define_contact_fields(app: &TestApp) {
    let fields = [
        json!({ "key": "tier", "label": "Tier", "type": "SELECT", "options": ["Gold", "Silver", "Bronze"] }),
        json!({ "key": "seats", "label": "Seats", "type": "NUMBER" }),
        json!({ "key": "discount", "label": "Discount", "type": "DECIMAL" }),
        json!({ "key": "renewal", "label": "Renewal", "type": "DATE" }),
        json!({ "key": "last_call", "label": "Last call", "type": "DATETIME" }),
        json!({ "key": "vip", "label": "VIP", "type": "BOOLEAN" }),
        json!({ "key": "interests", "label": "Interests", "type": "MULTI_SELECT", "options": ["Email", "Phone", "Events"] }),
        json!({ "key": "site", "label": "Site", "type": "URL" }),
        json!({ "key": "billing", "label": "Billing email", "type": "EMAIL" }),
        json!({ "key": "note", "label": "Note", "type": "TEXT" }),
    ];
    for f in fields {
        let mut input = f;
        input["recordType"] = json!("CONTACT");
        field(app, input).await;
    }
}

async fn fields_are_defined_and_values_checked_by_type(app: TestApp) {
    define_contact_fields(&app).await;
    let listed = app
        .data(
            "{ customFields(recordType: CONTACT) { key position } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["customFields"].as_array().unwrap().len(), 10);
    assert_eq!(
        listed["customFields"][0],
        json!({ "key": "tier", "position": 1 })
    );

    // Bad definitions, each named by its field; MANAGER may not define.
    let define = |input: Value| app.gql(CREATE_FIELD, json!({ "input": input }));
    let bad_key =
        define(json!({ "recordType": "DEAL", "key": "Tier", "label": "T", "type": "TEXT" })).await;
    assert_eq!(
        refusal(&bad_key),
        ("BAD_USER_INPUT".into(), "input.key".into())
    );
    let no_options =
        define(json!({ "recordType": "DEAL", "key": "t", "label": "T", "type": "SELECT" })).await;
    assert_eq!(
        refusal(&no_options),
        ("BAD_USER_INPUT".into(), "input.options".into())
    );
    let taken =
        define(json!({ "recordType": "CONTACT", "key": "tier", "label": "T", "type": "TEXT" }))
            .await;
    assert_eq!(refusal(&taken), ("CONFLICT".into(), "input.key".into()));
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let input =
        json!({ "input": { "recordType": "DEAL", "key": "x", "label": "X", "type": "TEXT" } });
    let refused = app.gql_as(&manager, CREATE_FIELD, input).await;
    assert_eq!(refusal(&refused).0, "FORBIDDEN");

    // Values are stored in one form per type and read back in field order.
    let made = contact(
        &app,
        "Ada",
        json!([
            { "key": "note", "value": " likes tea " },
            { "key": "tier", "value": "gold" },
            { "key": "seats", "value": "12" },
            { "key": "discount", "value": 7.25 },
            { "key": "renewal", "value": "2027-01-31" },
            { "key": "last_call", "value": "2026-12-01T09:30:00+01:00" },
            { "key": "vip", "value": true },
            { "key": "interests", "value": ["Events", "email"] },
            { "key": "site", "value": "https://ada.example" },
            { "key": "billing", "value": "Billing@Ada.Example" },
        ]),
    )
    .await;
    assert_eq!(
        values(&made),
        json!({
            "tier": "Gold", "seats": 12, "discount": 7.25, "renewal": "2027-01-31",
            "last_call": "2026-12-01T08:30:00.000000Z", "vip": true,
            "interests": ["Email", "Events"], "site": "https://ada.example/",
            "billing": "billing@ada.example", "note": "likes tea",
        })
    );
    assert_eq!(made["customFields"][0]["label"], "Tier");
    assert_eq!(made["customFields"][0]["type"], "SELECT");

    // A bad value is refused on its own path, and nothing is written.
    let create = |custom: Value| {
        app.gql(
            CREATE_CONTACT,
            json!({ "input": { "firstName": "Bad", "customFields": custom } }),
        )
    };
    let cases = [
        (
            json!([{ "key": "seats", "value": 1.5 }]),
            "input.customFields.seats",
        ),
        (
            json!([{ "key": "tier", "value": "Platinum" }]),
            "input.customFields.tier",
        ),
        (
            json!([{ "key": "renewal", "value": "31/01/2027" }]),
            "input.customFields.renewal",
        ),
        (
            json!([{ "key": "site", "value": "ftp://x.example" }]),
            "input.customFields.site",
        ),
        (
            json!([{ "key": "vip", "value": "perhaps" }]),
            "input.customFields.vip",
        ),
        (
            json!([{ "key": "nope", "value": 1 }]),
            "input.customFields.nope",
        ),
        (
            json!([{ "key": "seats", "value": 1 }, { "key": "seats", "value": 2 }]),
            "input.customFields.seats",
        ),
    ];
    for (custom, path) in cases {
        let response = create(custom).await;
        assert_eq!(
            refusal(&response),
            ("BAD_USER_INPUT".into(), path.into()),
            "{response}"
        );
    }
    assert!(
        names(&app, json!({ "firstName": { "eq": "Bad" } }))
            .await
            .is_empty()
    );

    // An update sets what it names, clears with null, and leaves the rest.
    let id = made["id"].as_str().unwrap();
    let changed = mutate(
        &app,
        UPDATE_CONTACT,
        json!({ "id": id, "input": { "customFields": [
            { "key": "seats", "value": 14 }, { "key": "note", "value": null }
        ] } }),
    )
    .await["contact"]
        .clone();
    let after = values(&changed);
    assert_eq!(after["seats"], 14);
    assert_eq!(after.get("note"), None);
    assert_eq!(after["tier"], "Gold");
    // History names each custom field that changed.
    let history = "query($id: ID!) { node(id: $id) { ... on Contact { history(first: 1) { edges { node { changes { field before after } } } } } } }";
    let latest = app.data(history, json!({ "id": id })).await;
    assert_eq!(
        latest["node"]["history"]["edges"][0]["node"]["changes"],
        json!([
            { "field": "customFields.note", "before": "likes tea", "after": null },
            { "field": "customFields.seats", "before": 12, "after": 14 },
        ])
    );

    // Deleting the definition hides the values; restoring shows them again.
    let seats = app
        .data(
            "{ customFields(recordType: CONTACT) { id key } }",
            json!({}),
        )
        .await;
    let seats_id = seats["customFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "seats")
        .unwrap()["id"]
        .clone();
    let delete = "mutation($id: ID!) { deleteCustomField(id: $id) { customField { deletedAt } } }";
    mutate(&app, delete, json!({ "id": seats_id })).await;
    let read =
        "query($id: ID!) { node(id: $id) { ... on Contact { customFields { key value } } } }";
    let hidden = app.data(read, json!({ "id": id })).await;
    assert_eq!(values(&hidden["node"]).get("seats"), None);
    // Filters read the hidden values as no value.
    let set = |is_set: bool| json!({ "customFields": [{ "key": "seats", "isSet": is_set }] });
    assert!(names(&app, set(true)).await.is_empty());
    assert_eq!(names(&app, set(false)).await, ["Ada"]);
    let fewer = json!({ "customFields": [{ "key": "seats", "number": { "gt": "1" } }] });
    assert!(names(&app, fewer).await.is_empty());
    let restore =
        "mutation($id: ID!) { restoreCustomField(id: $id) { customField { deletedAt } } }";
    mutate(&app, restore, json!({ "id": seats_id })).await;
    let shown = app.data(read, json!({ "id": id })).await;
    assert_eq!(values(&shown["node"])["seats"], 14);
    assert_eq!(names(&app, set(true)).await, ["Ada"]);
}

pub(crate) async fn filters_test_values_with_typed_operators(app: TestApp) {
    define_contact_fields(&app).await;
    let people = [
        (
            "Ada",
            json!([{ "key": "seats", "value": 12 }, { "key": "discount", "value": "2.5" }, { "key": "renewal", "value": "2027-01-31" }, { "key": "vip", "value": true }, { "key": "interests", "value": ["Email", "Events"] }, { "key": "tier", "value": "Gold" }, { "key": "last_call", "value": "2026-12-01T10:00:00Z" }, { "key": "note", "value": "Prefers mornings" }]),
        ),
        (
            "Bob",
            json!([{ "key": "seats", "value": 3 }, { "key": "discount", "value": 10 }, { "key": "renewal", "value": "2026-06-30" }, { "key": "vip", "value": false }, { "key": "interests", "value": ["Phone"] }, { "key": "tier", "value": "Silver" }, { "key": "last_call", "value": "2026-11-01T10:00:00Z" }]),
        ),
        (
            "Cy",
            json!([{ "key": "interests", "value": ["Email"] }, { "key": "note", "value": "evenings" }]),
        ),
        ("Dee", json!([])),
    ];
    for (name, custom) in people {
        contact(&app, name, custom).await;
    }
    let cf = |condition: Value| json!({ "customFields": [condition] });
    let cases = [
        (
            cf(json!({ "key": "seats", "number": { "gt": "5" } })),
            vec!["Ada"],
        ),
        (
            cf(json!({ "key": "seats", "number": { "in": ["3", "4"] } })),
            vec!["Bob"],
        ),
        (
            cf(json!({ "key": "discount", "number": { "gte": "2.5", "lt": "10" } })),
            vec!["Ada"],
        ),
        (
            cf(json!({ "key": "renewal", "date": { "lt": "2027-01-01" } })),
            vec!["Bob"],
        ),
        (
            cf(json!({ "key": "last_call", "dateTime": { "gte": "2026-11-15T00:00:00+01:00" } })),
            vec!["Ada"],
        ),
        (cf(json!({ "key": "vip", "boolean": false })), vec!["Bob"]),
        (
            cf(json!({ "key": "interests", "options": { "any": ["Email"] } })),
            vec!["Ada", "Cy"],
        ),
        (
            cf(json!({ "key": "interests", "options": { "all": ["Email", "Events"] } })),
            vec!["Ada"],
        ),
        (
            cf(json!({ "key": "interests", "options": { "none": ["Email"] } })),
            vec!["Bob", "Dee"],
        ),
        (
            cf(json!({ "key": "tier", "options": { "any": ["Silver"] } })),
            vec!["Bob"],
        ),
        (
            cf(json!({ "key": "tier", "text": { "eq": "Gold" } })),
            vec!["Ada"],
        ),
        (
            cf(json!({ "key": "note", "text": { "contains": "MORN" } })),
            vec!["Ada"],
        ),
        (
            cf(json!({ "key": "seats", "isSet": false })),
            vec!["Cy", "Dee"],
        ),
        // An operator of another type never matches (and never fails).
        (
            cf(json!({ "key": "tier", "number": { "gt": "0" } })),
            vec![],
        ),
        (
            json!({ "or": [cf(json!({ "key": "vip", "boolean": true })), cf(json!({ "key": "note", "isSet": true }))] }),
            vec!["Ada", "Cy"],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(names(&app, filter.clone()).await, expected, "{filter}");
    }
    let bad = app
        .gql(
            CONTACTS,
            json!({ "filter": cf(json!({ "key": "Bad Key", "isSet": true })) }),
        )
        .await;
    assert_eq!(
        refusal(&bad),
        ("BAD_USER_INPUT".into(), "filter.customFields.0.key".into())
    );

    // The same filters reach deals through a relation.
    field(&app, json!({ "recordType": "DEAL", "key": "region", "label": "Region", "type": "SELECT", "options": ["EMEA", "APAC"] })).await;
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    let acme = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let deal = |name: &str, region: &str, company: Option<&str>| json!({ "name": name, "amount": "100", "currency": "EUR", "pipelineId": pipeline, "companyId": company, "customFields": [{ "key": "region", "value": region }] });
    fixtures::deal(&app, deal("East", "APAC", Some(&acme))).await;
    fixtures::deal(&app, deal("West", "EMEA", None)).await;
    let companies = app
        .data(
            "query($filter: CompanyFilter) { companies(first: 5, filter: $filter) { nodes { name } } }",
            json!({ "filter": { "deals": { "some": { "customFields": [{ "key": "region", "text": { "eq": "APAC" } }] } } } }),
        )
        .await;
    assert_eq!(companies["companies"]["nodes"], json!([{ "name": "Acme" }]));
}
