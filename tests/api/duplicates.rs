//! Duplicate detection on a seeded set with known duplicates and known
//! non-duplicates, and uniqueness among live records only (a deleted
//! contact's email and a deleted company's domain can be used again).

use entity::enums::Role;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(
    duplicate_contacts_are_exactly_the_known_pairs,
    duplicate_companies_are_exactly_the_known_pairs,
    emails_and_domains_are_unique_among_live_records_only,
    pairs_follow_every_write,
    concurrent_writers_miss_no_pair,
);

const CONTACT_PAIRS: &str = "query($first: Int, $after: String) { duplicateContacts(first: $first, after: $after) { edges { cursor node { score reasons record { id } duplicate { id } } } pageInfo { hasNextPage endCursor } } }";
const COMPANY_PAIRS: &str = "query { duplicateCompanies(first: 100) { edges { node { score reasons record { id } duplicate { id } } } } }";

/// `(record, duplicate, score, reasons)` of each edge.
fn pairs(connection: &Value) -> Vec<(String, String, i64, Vec<String>)> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let n = &e["node"];
            let reasons = n["reasons"].as_array().expect("reasons");
            (
                n["record"]["id"].as_str().unwrap().to_owned(),
                n["duplicate"]["id"].as_str().unwrap().to_owned(),
                n["score"].as_i64().unwrap(),
                reasons
                    .iter()
                    .map(|r| r.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

async fn delete(app: &TestApp, kind: &str, id: &str) {
    let query = format!(
        "mutation($id: ID!) {{ delete{kind}(id: $id) {{ {} {{ id }} }} }}",
        kind.to_lowercase()
    );
    mutate(app, &query, json!({ "id": id })).await;
}

async fn duplicate_contacts_are_exactly_the_known_pairs(app: TestApp) {
    let acme = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let globex = fixtures::company(&app, json!({ "name": "Globex" })).await;
    let person = |first: &str, last: &str, extra: Value| {
        let mut input = json!({ "firstName": first, "lastName": last });
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        input
    };
    // Known duplicates.
    let ann = fixtures::contact(
        &app,
        person(
            "Ann",
            "Lee",
            json!({ "email": "ann@acme.com", "companyId": acme }),
        ),
    )
    .await;
    let ann_tagged = fixtures::contact(
        &app,
        person(
            "ann",
            "LEE",
            json!({ "email": "Ann+crm@acme.com", "companyId": acme }),
        ),
    )
    .await;
    let pat = fixtures::contact(
        &app,
        person("Pat", "Kim", json!({ "phone": "+14155552671" })),
    )
    .await;
    let patricia = fixtures::contact(
        &app,
        person(
            "Patricia",
            "Kim",
            json!({ "phone": "(415) 555-2671", "country": "US" }),
        ),
    )
    .await;
    let jon = fixtures::contact(&app, person("Jon", "Smith", json!({ "companyId": acme }))).await;
    let jonathan = fixtures::contact(
        &app,
        person("Jonathan", "Smith", json!({ "companyId": acme })),
    )
    .await;
    // Known non-duplicates: the same name at another company, another family
    // name, another given name, a deleted contact's phone, and another
    // workspace's email.
    fixtures::contact(&app, person("Jon", "Smith", json!({ "companyId": globex }))).await;
    fixtures::contact(
        &app,
        person(
            "Ann",
            "Leeds",
            json!({ "companyId": acme, "email": "ann.leeds@acme.com" }),
        ),
    )
    .await;
    fixtures::contact(&app, person("Bo", "Smith", json!({ "companyId": acme }))).await;
    let gone = fixtures::contact(
        &app,
        person("Pat", "Kim", json!({ "phone": "+1 415 555 2671" })),
    )
    .await;
    delete(&app, "Contact", &gone).await;
    let foreign = app
        .gql_as(&app.other_token, "mutation { createContact(input: { firstName: \"Ann\", email: \"ann+other@acme.com\" }) { contact { id } } }", json!({}))
        .await;
    assert!(foreign.get("errors").is_none(), "{foreign}");

    let all = app.data(CONTACT_PAIRS, json!({ "first": 100 })).await;
    let expected = vec![
        (
            ann.clone(),
            ann_tagged.clone(),
            100,
            vec!["SAME_EMAIL".to_owned(), "SAME_NAME_AT_COMPANY".to_owned()],
        ),
        (
            pat.clone(),
            patricia.clone(),
            80,
            vec!["SAME_PHONE".to_owned()],
        ),
        (
            jon.clone(),
            jonathan.clone(),
            50,
            vec!["SIMILAR_NAME_AT_COMPANY".to_owned()],
        ),
    ];
    assert_eq!(pairs(&all["duplicateContacts"]), expected);

    // Pages follow the same order, with cursors.
    let first = app.data(CONTACT_PAIRS, json!({ "first": 2 })).await["duplicateContacts"].clone();
    assert_eq!(pairs(&first), expected[..2].to_vec());
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let after = first["pageInfo"]["endCursor"].clone();
    let rest = app
        .data(CONTACT_PAIRS, json!({ "first": 2, "after": after }))
        .await["duplicateContacts"]
        .clone();
    assert_eq!(pairs(&rest), expected[2..].to_vec());
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    // Only MANAGER and ADMIN list them; a bad cursor names its argument.
    let sales = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let refused = app.gql_as(&sales, CONTACT_PAIRS, json!({})).await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    let bad = app.gql(CONTACT_PAIRS, json!({ "after": "nonsense" })).await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT");
    assert_eq!(bad["errors"][0]["extensions"]["field"], "after");
}

async fn duplicate_companies_are_exactly_the_known_pairs(app: TestApp) {
    let acme = fixtures::company(&app, json!({ "name": "Acme, Inc.", "domain": "acme.com" })).await;
    let acme_caps = fixtures::company(&app, json!({ "name": "ACME" })).await;
    let globex = fixtures::company(&app, json!({ "name": "Globex Corporation" })).await;
    let globex_short = fixtures::company(&app, json!({ "name": "globex" })).await;
    // Known non-duplicates: a legal form is a whole word ("Disco" is no
    // "Dis Co"), a similar but other name, a deleted company.
    fixtures::company(&app, json!({ "name": "Disco" })).await;
    fixtures::company(&app, json!({ "name": "Dis Co" })).await;
    fixtures::company(&app, json!({ "name": "Initech" })).await;
    fixtures::company(&app, json!({ "name": "Initrode" })).await;
    let gone = fixtures::company(&app, json!({ "name": "Acme GmbH" })).await;
    delete(&app, "Company", &gone).await;

    let found = app.data(COMPANY_PAIRS, json!({})).await;
    let reasons = vec!["SIMILAR_COMPANY_NAME".to_owned()];
    assert_eq!(
        pairs(&found["duplicateCompanies"]),
        vec![
            (acme, acme_caps, 70, reasons.clone()),
            (globex, globex_short, 70, reasons),
        ]
    );
}

async fn emails_and_domains_are_unique_among_live_records_only(app: TestApp) {
    let create_contact =
        "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }";
    let first =
        fixtures::contact(&app, json!({ "firstName": "Ann", "email": "ann@acme.com" })).await;
    let taken = app
        .gql(
            create_contact,
            json!({ "input": { "firstName": "Other", "email": "ANN@acme.com" } }),
        )
        .await;
    assert_eq!(error_code(&taken), "CONFLICT");
    assert_eq!(taken["errors"][0]["extensions"]["field"], "input.email");
    delete(&app, "Contact", &first).await;
    let second =
        fixtures::contact(&app, json!({ "firstName": "Ann", "email": "ann@acme.com" })).await;
    let restore = "mutation($id: ID!) { restoreContact(id: $id) { contact { id } } }";
    let refused = app.gql(restore, json!({ "id": first })).await;
    assert_eq!(error_code(&refused), "CONFLICT");
    assert_eq!(refused["errors"][0]["extensions"]["field"], "email");
    // Once the email is free again, the restore goes through.
    delete(&app, "Contact", &second).await;
    app.data(restore, json!({ "id": first })).await;

    let create_company =
        "mutation($input: CreateCompanyInput!) { createCompany(input: $input) { company { id } } }";
    let acme = fixtures::company(&app, json!({ "name": "Acme", "domain": "acme.com" })).await;
    let twin = app
        .gql(
            create_company,
            json!({ "input": { "name": "Acme 2", "domain": "https://ACME.com/about" } }),
        )
        .await;
    assert_eq!(error_code(&twin), "CONFLICT");
    assert_eq!(twin["errors"][0]["extensions"]["field"], "input.domain");
    let other = fixtures::company(&app, json!({ "name": "Other", "domain": "other.com" })).await;
    let update = "mutation($id: ID!) { updateCompany(id: $id, input: { domain: \"acme.com\" }) { company { id } } }";
    let moved = app.gql(update, json!({ "id": other })).await;
    assert_eq!(error_code(&moved), "CONFLICT");
    assert_eq!(moved["errors"][0]["extensions"]["field"], "input.domain");
    delete(&app, "Company", &acme).await;
    let reused =
        fixtures::company(&app, json!({ "name": "Acme Again", "domain": "acme.com" })).await;
    let restored = app
        .gql(
            "mutation($id: ID!) { restoreCompany(id: $id) { company { id } } }",
            json!({ "id": acme }),
        )
        .await;
    assert_eq!(error_code(&restored), "CONFLICT");
    assert_eq!(restored["errors"][0]["extensions"]["field"], "domain");
    // Another workspace may use the same domain.
    let foreign = app
        .gql_as(&app.other_token, "mutation { createCompany(input: { name: \"Acme\", domain: \"acme.com\" }) { company { id } } }", json!({}))
        .await;
    assert!(foreign.get("errors").is_none(), "{foreign}");
    let _ = reused;
}

/// Every contact pair, in order.
async fn listed(app: &TestApp) -> Vec<(String, String, i64, Vec<String>)> {
    let found = app.data(CONTACT_PAIRS, json!({ "first": 100 })).await;
    pairs(&found["duplicateContacts"])
}

/// The pairs are kept on write: each update, delete, restore and merge
/// changes them at once, and a page only reads them.
pub(crate) async fn pairs_follow_every_write(app: TestApp) {
    let acme = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let globex = fixtures::company(&app, json!({ "name": "Globex" })).await;
    let ann = fixtures::contact(&app, json!({ "firstName": "Ann", "lastName": "Lee", "email": "ann@acme.com", "companyId": acme })).await;
    let tagged = fixtures::contact(
        &app,
        json!({ "firstName": "Ann", "lastName": "Lee", "email": "ann+crm@acme.com" }),
    )
    .await;
    let same_email = vec!["SAME_EMAIL".to_owned()];
    assert_eq!(
        listed(&app).await,
        vec![(ann.clone(), tagged.clone(), 90, same_email.clone())]
    );

    let update = "mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { contact { id } } }";
    mutate(
        &app,
        update,
        json!({ "id": tagged, "input": { "companyId": acme } }),
    )
    .await;
    let both = vec!["SAME_EMAIL".to_owned(), "SAME_NAME_AT_COMPANY".to_owned()];
    assert_eq!(
        listed(&app).await,
        vec![(ann.clone(), tagged.clone(), 100, both)]
    );
    mutate(
        &app,
        update,
        json!({ "id": tagged, "input": { "email": "ann.lee@elsewhere.com" } }),
    )
    .await;
    let by_name = vec!["SAME_NAME_AT_COMPANY".to_owned()];
    assert_eq!(
        listed(&app).await,
        vec![(ann.clone(), tagged.clone(), 70, by_name.clone())]
    );

    delete(&app, "Contact", &ann).await;
    assert_eq!(listed(&app).await, vec![]);
    let restore = "mutation($id: ID!) { restoreContact(id: $id) { contact { id } } }";
    mutate(&app, restore, json!({ "id": ann })).await;
    assert_eq!(
        listed(&app).await,
        vec![(ann.clone(), tagged.clone(), 70, by_name.clone())]
    );

    // A company merge moves its contacts: the moved Ann Lee now matches
    // both others by name at the company.
    let moved = fixtures::contact(
        &app,
        json!({ "firstName": "Ann", "lastName": "Lee", "companyId": globex }),
    )
    .await;
    assert_eq!(listed(&app).await.len(), 1);
    let merge = "mutation($survivor: ID!, $merged: [ID!]!) { mergeCompanies(survivorId: $survivor, mergedIds: $merged) { company { id } } }";
    mutate(&app, merge, json!({ "survivor": acme, "merged": [globex] })).await;
    assert_eq!(
        listed(&app).await,
        vec![
            (ann.clone(), tagged.clone(), 70, by_name.clone()),
            (ann.clone(), moved.clone(), 70, by_name.clone()),
            (tagged.clone(), moved.clone(), 70, by_name),
        ]
    );
}

/// Contacts that match each other, created at once: each sees the others
/// (a writer takes its match keys' lock before looking), so every pair is
/// there.
async fn concurrent_writers_miss_no_pair(app: TestApp) {
    let create =
        "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }";
    let creates = (0..8).map(|i| {
        app.gql(
            create,
            json!({ "input": { "firstName": format!("Twin {i}"), "email": format!("twin+{i}@acme.com") } }),
        )
    });
    for created in join_all(creates).await {
        assert!(created.get("errors").is_none(), "{created:#}");
    }
    let found = listed(&app).await;
    assert_eq!(found.len(), 8 * 7 / 2, "{found:#?}");
    assert!(
        found
            .iter()
            .all(|(_, _, score, reasons)| *score == 90 && reasons == &["SAME_EMAIL"])
    );
}
