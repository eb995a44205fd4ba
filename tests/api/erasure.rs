//! Erasing a contact: afterwards no column of any table holds its email,
//! phone or name; analytics read the same; only ADMIN erases; erasing twice
//! and updating an erased contact are refused; `node` answers the anonymised
//! contact, and the `contact.erased` event goes out live without personal data.

use entity::enums::Role;
use rapport_core::events::BusMessage;
use rapport_core::store::across::across_workspaces;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::json;

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};
use crate::import_jobs::imported_people;

on_both_databases!(
    an_erased_contact_is_nowhere_in_the_database_and_figures_stay,
    only_an_admin_erases_and_an_erased_contact_stays_erased,
);

const EMAIL: &str = "quintessa.zanzibar-erase@example.test";
const PHONE: &str = "+14155550187";
const FIRST: &str = "Quintessa";
const LAST: &str = "Zanzibarova";
const BIRTHDATE: &str = "1979-04-23";

const ERASE: &str = "mutation($id: ID!, $reason: String) { eraseContact(id: $id, reason: $reason) { contact { id firstName lastName email phone jobTitle city country birthdate erasedAt leadScore } erasedAt erasedBy reason } }";
const CONTACT: &str = "query($id: ID!) { node(id: $id) { id ... on Contact { firstName lastName email phone birthdate erasedAt country lifecycleStage history(first: 20) { edges { node { kind } } } } } }";
const FIND: &str = "query($email: String!) { contacts(first: 1, filter: { email: { eq: $email } }) { nodes { id } } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { contact { id jobTitle } } }";

fn analytics_query() -> String {
    format!(
        "query {{ analytics(period: {{ from: \"2000-01-01T00:00:00Z\", to: \"2100-01-01T00:00:00Z\" }}) {{ {} }} }}",
        crate::analytics::FIGURES
    )
}

/// The contact imported from a CSV upload (so the import tables hold its row).
async fn imported_contact(app: &TestApp) -> String {
    let file = format!(
        "firstName,lastName,email,phone,jobTitle,city,country,birthdate\n\
         {FIRST},{LAST},{EMAIL},{PHONE},Chief Lighthouse Keeper,Vlissingen,NL,{BIRTHDATE}\n"
    );
    let job = imported_people(app, &file).await;
    assert_eq!(job["accepted"], 1, "{job}");
    let found = app.data(FIND, json!({ "email": EMAIL })).await;
    found["contacts"]["nodes"][0]["id"]
        .as_str()
        .expect("the imported contact")
        .to_owned()
}

/// Gives the contact history, an activity, engagement, consent, a deal, a
/// ticket, an order and a survey answer, each quoting its values.
async fn a_full_life(app: &TestApp, contact: &str) {
    // Sent with an Idempotency-Key, so its stored response holds the values.
    let update = json!({ "query": "mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { contact { firstName lastName email phone } } }", "variables": { "id": contact, "input": { "jobTitle": format!("Head of {LAST} Affairs") } } });
    let response = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.token)
        .header("idempotency-key", "erase-me-later")
        .json(&update)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    mutate(app, "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }", json!({ "input": { "kind": "CALL", "subject": format!("Call with {FIRST} {LAST}"), "body": format!("Reached {FIRST} on {PHONE}, follow up at {EMAIL}"), "contactId": contact } })).await;
    mutate(app, "mutation($input: TrackEngagementInput!) { trackEngagement(input: $input) { contact { id } } }", json!({ "input": { "contactId": contact, "kind": "EMAIL_CLICK", "detail": format!("mailto:{EMAIL}") } })).await;
    mutate(app, "mutation($id: ID!) { recordEmailConsent(id: $id, source: \"newsletter form\", legalBasis: CONSENT) { contact { id } } }", json!({ "id": contact })).await;
    let (pipeline, _) = fixtures::pipeline(app, "Sales").await;
    fixtures::deal(app, json!({ "name": "Lighthouse lenses", "amount": "1200", "currency": "EUR", "pipelineId": pipeline, "contacts": [{ "contactId": contact, "role": "CHAMPION" }] })).await;
    fixtures::ticket(
        app,
        json!({ "subject": "Lens cracked", "contactId": contact }),
    )
    .await;
    mutate(app, "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }", json!({ "input": { "contactId": contact, "product": "Lens", "amount": "300.00", "currency": "EUR" } })).await;
    mutate(app, "mutation($input: CreateSurveyResponseInput!) { createSurveyResponse(input: $input) { surveyResponse { id } } }", json!({ "input": { "contactId": contact, "kind": "NPS", "score": 9, "respondedAt": "2026-01-01T10:00:00Z" } })).await;
}

/// Every `(table, column)` of the database holding one of `needles`, every
/// column read as text (bytes decoded on PostgreSQL).
async fn columns_holding(db: &DatabaseConnection, needles: &[&str]) -> Vec<String> {
    let backend = db.get_database_backend();
    let catalog = if backend == DbBackend::Postgres {
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty FROM information_schema.columns WHERE table_schema = current_schema()"
    } else {
        "SELECT m.name AS t, p.name AS c, lower(p.type) AS ty FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
    };
    let columns = db
        .query_all_raw(Statement::from_string(backend, catalog))
        .await
        .expect("catalog");
    assert!(columns.len() > 100, "the catalog lists the schema");
    let mut found = Vec::new();
    for row in columns {
        let table: String = row.try_get("", "t").unwrap();
        let column: String = row.try_get("", "c").unwrap();
        let kind: String = row.try_get("", "ty").unwrap();
        let as_text = match (backend, kind.as_str()) {
            (DbBackend::Postgres, "bytea") => format!("encode(\"{column}\", 'escape')"),
            (DbBackend::Postgres, _) => format!("\"{column}\"::text"),
            _ => format!("CAST(\"{column}\" AS TEXT)"),
        };
        for needle in needles {
            let sql = format!(
                "SELECT COUNT(*) AS n FROM \"{table}\" WHERE lower({as_text}) LIKE '%{}%'",
                needle.to_lowercase()
            );
            // Every workspace is scanned: on Citus, every shard, on purpose.
            let scan = Statement::from_string(backend, sql);
            let n: i64 = across_workspaces(db, async |txn| txn.query_one_raw(scan).await)
                .await
                .expect("scan")
                .expect("a count")
                .try_get("", "n")
                .unwrap();
            if n > 0 {
                found.push(format!("{table}.{column} holds {needle} ({n} rows)"));
            }
        }
    }
    found
}

pub(crate) async fn an_erased_contact_is_nowhere_in_the_database_and_figures_stay(app: TestApp) {
    let contact = imported_contact(&app).await;
    a_full_life(&app, &contact).await;
    let needles = [EMAIL, PHONE, FIRST, LAST, BIRTHDATE];
    let before = columns_holding(&app.state.db, &needles).await;
    for table in [
        "record_change",
        "event",
        "idempotency_key",
        "import_job_chunk",
        "activity",
        "engagement",
        "contact",
    ] {
        assert!(
            before.iter().any(|f| f.starts_with(&format!("{table}."))),
            "the scan finds the values in {table} before: {before:?}"
        );
    }
    let figures = app.data(&analytics_query(), json!({})).await;

    let mut bus = app.state.core.bus.subscribe();
    let erased = mutate(
        &app,
        ERASE,
        json!({ "id": contact, "reason": "Article 17 request" }),
    )
    .await;
    let row = &erased["contact"];
    assert_eq!(
        (row["firstName"].as_str(), row["lastName"].as_str()),
        (Some("Erased"), Some("contact"))
    );
    for field in ["email", "phone", "jobTitle", "city", "birthdate"] {
        assert!(row[field].is_null(), "{field} cleared: {row}");
    }
    assert_eq!(
        row["country"], "NL",
        "a coarse fact analytics group by stays"
    );
    assert!(row["erasedAt"].is_string());
    assert_eq!(erased["reason"], "Article 17 request");
    assert!(erased["erasedBy"].is_string());

    let mut published = Vec::new();
    while let Ok(BusMessage::Event(e)) = bus.try_recv() {
        published.push((e.kind.clone(), e.payload.to_string()));
    }
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0].0, "contact.erased");
    for needle in needles {
        assert!(
            !published[0].1.contains(needle),
            "the live event holds no {needle}"
        );
    }

    let left = columns_holding(&app.state.db, &needles).await;
    assert!(
        left.is_empty(),
        "the erased values are still stored: {left:#?}"
    );

    assert_eq!(
        app.data(&analytics_query(), json!({})).await,
        figures,
        "figures do not move"
    );
    let node = app.data(CONTACT, json!({ "id": contact })).await["node"].clone();
    assert_eq!(node["id"], contact.as_str());
    assert_eq!(node["firstName"], "Erased");
    assert!(node["erasedAt"].is_string());
    let kinds: Vec<&str> = node["history"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"ERASED"), "newest first: {kinds:?}");
    assert!(kinds.len() > 2, "earlier entries stay, scrubbed: {kinds:?}");

    // Its email is free for a new contact.
    fixtures::contact(&app, json!({ "firstName": "New", "email": EMAIL })).await;
}

async fn only_an_admin_erases_and_an_erased_contact_stays_erased(app: TestApp) {
    let contact = fixtures::contact(
        &app,
        json!({ "firstName": FIRST, "lastName": LAST, "email": EMAIL, "phone": PHONE }),
    )
    .await;
    for role in [Role::Manager, Role::Sales, Role::Support, Role::Viewer] {
        let token = member_token(&app.state, app.workspace_id, role).await;
        let answer = app.gql_as(&token, ERASE, json!({ "id": contact })).await;
        assert_eq!(error_code(&answer), "FORBIDDEN", "{role:?}: {answer}");
    }
    let node = app.data(CONTACT, json!({ "id": contact })).await["node"].clone();
    assert_eq!(node["email"], EMAIL, "nothing was written");
    assert!(node["erasedAt"].is_null());

    let too_long = "x".repeat(1001);
    let answer = app
        .gql(ERASE, json!({ "id": contact, "reason": too_long }))
        .await;
    assert_eq!(error_code(&answer), "BAD_USER_INPUT");
    assert_eq!(answer["errors"][0]["extensions"]["field"], "reason");

    // Another person at the same switchboard number is not touched.
    let colleague =
        fixtures::contact(&app, json!({ "firstName": "Colleague", "phone": PHONE })).await;
    mutate(&app, ERASE, json!({ "id": contact })).await;
    let colleague = app.data(CONTACT, json!({ "id": colleague })).await["node"].clone();
    assert_eq!(colleague["phone"], PHONE);
    assert!(colleague["erasedAt"].is_null());
    let again = app.gql(ERASE, json!({ "id": contact })).await;
    assert_eq!(error_code(&again), "BAD_USER_INPUT", "{again}");
    assert_eq!(again["errors"][0]["extensions"]["field"], "id");
    let update = app
        .gql(
            UPDATE,
            json!({ "id": contact, "input": { "email": EMAIL } }),
        )
        .await;
    assert_eq!(error_code(&update), "BAD_USER_INPUT", "{update}");

    // A deleted contact is erased too.
    let gone = fixtures::contact(
        &app,
        json!({ "firstName": "Gone", "email": "gone@example.test" }),
    )
    .await;
    crate::fixtures::delete_contact(&app, &gone).await;
    let erased = mutate(&app, ERASE, json!({ "id": gone })).await;
    assert!(erased["contact"]["email"].is_null());

    // An erased contact takes no part in a merge, either way round.
    let merge = "mutation($survivor: ID!, $merged: [ID!]!) { mergeContacts(survivorId: $survivor, mergedIds: $merged) { contact { id } } }";
    let twin = fixtures::contact(&app, json!({ "firstName": FIRST, "lastName": LAST })).await;
    for (survivor, merged, field) in [
        (&contact, &twin, "survivorId"),
        (&twin, &contact, "mergedIds.0"),
    ] {
        let refused = app
            .gql(merge, json!({ "survivor": survivor, "merged": [merged] }))
            .await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
        assert_eq!(refused["errors"][0]["extensions"]["field"], field);
    }

    let other = app
        .gql_as(&app.other_token, ERASE, json!({ "id": contact }))
        .await;
    assert_eq!(
        error_code(&other),
        "NOT_FOUND",
        "another workspace's contact: {other}"
    );
}
