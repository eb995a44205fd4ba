//! Custom field values through the other doors: imports fill them from
//! `customFields.<key>` columns, exports write them, merges carry them to
//! the survivor, search finds them, web forms fill them.

use serde_json::{Value, json};

use crate::custom_fields::field;
use crate::export::{export, parse_csv};
use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, on_both_databases};
use crate::import::{count, import, refusals, stdout, write};

on_both_databases!(
    an_import_fills_custom_fields_from_their_columns,
    a_merge_fills_the_survivors_missing_values,
    an_export_writes_a_column_per_field_that_imports_back,
    search_finds_custom_values,
    a_web_form_fills_custom_fields,
);

const CONTACTS: &str = "{ contacts(orderBy: [{ field: FIRST_NAME }]) { nodes { firstName customFields { key value } } } }";

async fn an_import_fills_custom_fields_from_their_columns(app: TestApp) {
    field(
        &app,
        json!({ "recordType": "CONTACT", "key": "seats", "label": "Seats", "type": "NUMBER" }),
    )
    .await;
    field(&app, json!({ "recordType": "CONTACT", "key": "interests", "label": "Interests", "type": "MULTI_SELECT", "options": ["Email", "Events"] })).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "contacts.csv",
        b"firstName,email,customFields.seats,customFields.interests\n\
          Ada,ada@example.com,12,events; email\n\
          Bob,bob@example.com,,Email\n\
          Cy,cy@example.com,many,\n",
    );
    let done = import(&app, "contacts", &file, &[]);
    assert_eq!(count(&done, "created"), 2, "{}", stdout(&done));
    let refused = refusals(&done);
    assert_eq!(
        refused,
        vec![(4, "customFields.seats".into(), "BAD_USER_INPUT".into())]
    );
    let nodes = app.data(CONTACTS, json!({})).await["contacts"]["nodes"].clone();
    assert_eq!(
        nodes,
        json!([
            { "firstName": "Ada", "customFields": [
                { "key": "seats", "value": 12 }, { "key": "interests", "value": ["Email", "Events"] }
            ] },
            { "firstName": "Bob", "customFields": [{ "key": "interests", "value": ["Email"] }] },
        ])
    );

    // Re-run with updates: a blank cell keeps the value, a given one replaces it.
    let again = write(
        dir.path(),
        "again.csv",
        b"firstName,email,customFields.seats,customFields.interests\n\
          Ada,ada@example.com,,Email\n",
    );
    let done = import(&app, "contacts", &again, &["--on-conflict", "update"]);
    assert_eq!(count(&done, "updated"), 1, "{}", stdout(&done));
    let nodes = app.data(CONTACTS, json!({})).await["contacts"]["nodes"].clone();
    assert_eq!(
        nodes[0]["customFields"],
        json!([{ "key": "seats", "value": 12 }, { "key": "interests", "value": ["Email"] }])
    );

    // A column of no field of the type names it.
    let unknown = write(
        dir.path(),
        "unknown.csv",
        b"firstName,customFields.nope\nDee,1\n",
    );
    let done = import(&app, "contacts", &unknown, &[]);
    assert_eq!(
        refusals(&done),
        vec![(2, "customFields.nope".into(), "BAD_USER_INPUT".into())]
    );
}

async fn a_merge_fills_the_survivors_missing_values(app: TestApp) {
    field(
        &app,
        json!({ "recordType": "CONTACT", "key": "tier", "label": "Tier", "type": "TEXT" }),
    )
    .await;
    field(
        &app,
        json!({ "recordType": "CONTACT", "key": "seats", "label": "Seats", "type": "NUMBER" }),
    )
    .await;
    let contact = |name: &str, custom: Value| {
        fixtures::contact(&app, json!({ "firstName": name, "customFields": custom }))
    };
    let keep = contact("Ada", json!([{ "key": "tier", "value": "Gold" }])).await;
    let gone = contact(
        "Ada B",
        json!([{ "key": "tier", "value": "Silver" }, { "key": "seats", "value": 4 }]),
    )
    .await;
    let other = contact("Ada C", json!([{ "key": "seats", "value": 9 }])).await;
    let merge = "mutation($survivor: ID!, $merged: [ID!]!, $keep: [MergeKeepInput!]) { mergeContacts(survivorId: $survivor, mergedIds: $merged, keep: $keep) { contact { customFields { key value } } } }";
    let merged = mutate(
        &app,
        merge,
        json!({ "survivor": keep, "merged": [gone, other], "keep": [{ "field": "customFields.seats", "from": other }] }),
    )
    .await;
    assert_eq!(
        merged["contact"]["customFields"],
        json!([{ "key": "tier", "value": "Gold" }, { "key": "seats", "value": 9 }])
    );
}

async fn an_export_writes_a_column_per_field_that_imports_back(app: TestApp) {
    field(
        &app,
        json!({ "recordType": "CONTACT", "key": "seats", "label": "Seats", "type": "NUMBER" }),
    )
    .await;
    field(&app, json!({ "recordType": "CONTACT", "key": "interests", "label": "Interests", "type": "MULTI_SELECT", "options": ["Email", "Events"] })).await;
    let custom = json!([{ "key": "seats", "value": 12 }, { "key": "interests", "value": ["Email", "Events"] }]);
    fixtures::contact(
        &app,
        json!({ "firstName": "Ada", "email": "ada@example.com", "customFields": custom }),
    )
    .await;
    fixtures::contact(
        &app,
        json!({ "firstName": "Bob", "email": "bob@example.com" }),
    )
    .await;

    let csv = export(&app, &app.token, "contacts.csv", &[])
        .await
        .text()
        .await
        .unwrap();
    let (header, rows) = parse_csv(&csv);
    let at = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (seats, interests) = (at("customFields.seats"), at("customFields.interests"));
    assert_eq!(
        (rows[0][seats].as_str(), rows[0][interests].as_str()),
        ("12", "Email; Events")
    );
    assert_eq!(
        (rows[1][seats].as_str(), rows[1][interests].as_str()),
        ("", "")
    );
    let jsonl = export(&app, &app.token, "contacts.jsonl", &[])
        .await
        .text()
        .await
        .unwrap();
    let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["customFields.seats"], 12);
    assert_eq!(first["customFields.interests"], json!(["Email", "Events"]));

    // The exported columns load back: the values come out as they went in.
    let mut columns = [at("firstName"), at("email"), seats, interests];
    columns.sort_unstable();
    let mut back = csv::Writer::from_writer(Vec::new());
    back.write_record(columns.iter().map(|&i| header[i].as_str()))
        .unwrap();
    for row in &rows {
        back.write_record(columns.iter().map(|&i| row[i].as_str()))
            .unwrap();
    }
    let bytes = back.into_inner().unwrap();
    // Cleared first, so the import is what puts them back.
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "contacts.csv", &bytes);
    let clear = "mutation($id: ID!) { updateContact(id: $id, input: { customFields: [{ key: \"seats\", value: null }, { key: \"interests\", value: null }] }) { contact { id } } }";
    let ada = app
        .data(
            "{ contacts(filter: { email: { eq: \"ada@example.com\" } }) { nodes { id } } }",
            json!({}),
        )
        .await;
    mutate(
        &app,
        clear,
        json!({ "id": ada["contacts"]["nodes"][0]["id"] }),
    )
    .await;
    let done = import(&app, "contacts", &file, &["--on-conflict", "update"]);
    // Bob's row brings nothing new.
    assert_eq!(count(&done, "updated"), 1, "{}", stdout(&done));
    assert_eq!(count(&done, "unchanged"), 1, "{}", stdout(&done));
    let nodes = app.data(CONTACTS, json!({})).await["contacts"]["nodes"].clone();
    assert_eq!(nodes[0]["customFields"], custom);
}

async fn search_finds_custom_values(app: TestApp) {
    let nickname = field(
        &app,
        json!({ "recordType": "CONTACT", "key": "nickname", "label": "Nickname", "type": "TEXT" }),
    )
    .await;
    field(&app, json!({ "recordType": "DEAL", "key": "region", "label": "Region", "type": "SELECT", "options": ["Zanzibar", "Oslo"] })).await;
    let custom = json!([{ "key": "nickname", "value": "Zephyrine" }]);
    let ada = fixtures::contact(&app, json!({ "firstName": "Ada", "customFields": custom })).await;
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    let region = json!([{ "key": "region", "value": "Zanzibar" }]);
    fixtures::deal(&app, json!({ "name": "Renewal", "amount": "10", "currency": "EUR", "pipelineId": pipeline, "customFields": region })).await;

    let search = "query($q: String!) { search(query: $q) { edges { node { __typename } matches { field highlighted } } } }";
    let found = app.data(search, json!({ "q": "zephyr" })).await;
    assert_eq!(
        found["search"]["edges"],
        json!([{ "node": { "__typename": "Contact" }, "matches": [
            { "field": "customFields.nickname", "highlighted": "<mark>Zephyr</mark>ine" }
        ] }])
    );
    let deal = app.data(search, json!({ "q": "zanzib" })).await;
    assert_eq!(deal["search"]["edges"][0]["node"]["__typename"], "Deal");
    let listed = app
        .data(
            "{ contacts(filter: { search: \"zephyr\" }) { nodes { firstName } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["contacts"]["nodes"], json!([{ "firstName": "Ada" }]));

    // A changed value is found by its new text only.
    let update = "mutation($id: ID!) { updateContact(id: $id, input: { customFields: [{ key: \"nickname\", value: \"Quillon\" }] }) { contact { id } } }";
    mutate(&app, update, json!({ "id": ada })).await;
    let old = app.data(search, json!({ "q": "zephyr" })).await;
    assert_eq!(old["search"]["edges"], json!([]));
    let new = app.data(search, json!({ "q": "quillon" })).await;
    assert_eq!(new["search"]["edges"][0]["node"]["__typename"], "Contact");

    // A deleted definition's values are not found, by search or a list's
    // filter; restored, they are again.
    let found_by = |q: &'static str| {
        let app = &app;
        async move {
            let searched = app.data(search, json!({ "q": q })).await["search"]["edges"].clone();
            let list = format!(
                "{{ contacts(filter: {{ search: \"{q}\" }}) {{ nodes {{ firstName }} }} }}"
            );
            let listed = app.data(&list, json!({})).await["contacts"]["nodes"].clone();
            (
                searched.as_array().unwrap().len(),
                listed.as_array().unwrap().len(),
            )
        }
    };
    let delete = "mutation($id: ID!) { deleteCustomField(id: $id) { customField { id } } }";
    mutate(&app, delete, json!({ "id": nickname })).await;
    assert_eq!(found_by("quillon").await, (0, 0));
    // A record written while the definition is deleted keeps its value out too.
    let retitle = "mutation($id: ID!) { updateContact(id: $id, input: { jobTitle: \"Cartographer\" }) { contact { id } } }";
    mutate(&app, retitle, json!({ "id": ada })).await;
    assert_eq!(found_by("cartographer").await, (1, 1));
    assert_eq!(found_by("quillon").await, (0, 0));
    let restore = "mutation($id: ID!) { restoreCustomField(id: $id) { customField { id } } }";
    mutate(&app, restore, json!({ "id": nickname })).await;
    assert_eq!(found_by("quillon").await, (1, 1));
}

async fn a_web_form_fills_custom_fields(app: TestApp) {
    use crate::forms::{SHOP, create_form, key, lead_form, post_json};
    let budget = field(
        &app,
        json!({ "recordType": "CONTACT", "key": "budget", "label": "Budget", "type": "NUMBER" }),
    )
    .await;
    field(&app, json!({ "recordType": "COMPANY", "key": "size", "label": "Size", "type": "SELECT", "options": ["Small", "Large"] })).await;
    let fields = json!({ "fields": [
        { "name": "email", "label": "Email", "target": "CONTACT_EMAIL", "required": true },
        { "name": "website", "label": "Website", "target": "COMPANY_DOMAIN" },
        { "name": "budget", "label": "Budget", "target": "CONTACT_CUSTOM_FIELD", "customField": "budget" },
        { "name": "size", "label": "Size", "target": "COMPANY_CUSTOM_FIELD", "customField": "size" },
    ] });
    let form = create_form(&app, lead_form(fields)).await;
    // The snippet's inputs suit the fields' types.
    let html = form["embedHtml"].as_str().unwrap();
    assert!(
        html.contains(r#"<input type="number" step="1" name="budget">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<select name="size"><option value=""></option><option>Small</option><option>Large</option></select>"#),
        "{html}"
    );

    // A bad value is refused on its form field, and nothing is written.
    let answers = json!({ "email": "ann@acme.test", "website": "acme.test", "budget": "lots", "size": "large" });
    let refused = post_json(&app, &key(&form), answers, Some(SHOP)).await;
    assert_eq!(refused.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "budget", "{body}");

    let answers = json!({ "email": "ann@acme.test", "website": "acme.test", "budget": "5000", "size": "large" });
    let accepted = post_json(&app, &key(&form), answers, Some(SHOP)).await;
    assert!(accepted.status().is_success(), "{}", accepted.status());
    let query = "{ contacts { nodes { customFields { key value } company { customFields { key value } } } } }";
    let data = app.data(query, json!({})).await;
    assert_eq!(
        data["contacts"]["nodes"],
        json!([{ "customFields": [{ "key": "budget", "value": 5000 }],
                 "company": { "customFields": [{ "key": "size", "value": "Large" }] } }])
    );

    // A field deleted since the form was saved: its answers are left out.
    let delete = "mutation($id: ID!) { deleteCustomField(id: $id) { customField { id } } }";
    mutate(&app, delete, json!({ "id": budget })).await;
    let answers = json!({ "email": "bo@acme.test", "budget": "lots" });
    let accepted = post_json(&app, &key(&form), answers, Some(SHOP)).await;
    assert!(accepted.status().is_success(), "{}", accepted.status());

    // A form naming a key no field has is refused where it names it.
    let unknown = json!({ "fields": [
        { "name": "email", "label": "Email", "target": "CONTACT_EMAIL", "required": true },
        { "name": "x", "label": "X", "target": "CONTACT_CUSTOM_FIELD", "customField": "nope" },
    ] });
    let create = "mutation($input: FormInput!) { createForm(input: $input) { form { id } } }";
    let response = app
        .gql(create, json!({ "input": lead_form(unknown) }))
        .await;
    assert_eq!(
        crate::products::refusal(&response),
        ("BAD_USER_INPUT".into(), "input.fields.1.customField".into())
    );
}
