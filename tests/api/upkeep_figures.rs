//! The upkeep figures of contacts and companies through the API:
//! `lastTouchedAt` follows every kind of touch (an activity other than a
//! task, an engagement, an order, a ticket, a survey answer), its delete and
//! restore, and a contact moving company; `completeness` follows the key
//! fields; both filter and sort; the stored column always equals what the
//! records give.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, on_both_databases};
use crate::stored_figures::{bound, numbered};

on_both_databases!(with crate::helpers::manual_clock;
    last_touched_at_follows_every_touch_delete_restore_and_move,
    completeness_counts_the_key_fields_and_filters_and_sorts,
);

const ACTIVITY: &str =
    "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }";
const DELETE_ACTIVITY: &str = "mutation($id: ID!) { deleteActivity(id: $id) { activity { id } } }";
const RESTORE_ACTIVITY: &str =
    "mutation($id: ID!) { restoreActivity(id: $id) { activity { id } } }";
const ENGAGE: &str = "mutation($id: ID!, $at: DateTime) { trackEngagement(input: { contactId: $id, kind: PAGE_VIEW, occurredAt: $at }) { contact { id } } }";
const ORDER: &str =
    "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }";
const SURVEY: &str = "mutation($input: CreateSurveyResponseInput!) { createSurveyResponse(input: $input) { surveyResponse { id } } }";
const MOVE: &str = "mutation($id: ID!, $company: ID) { updateContact(id: $id, input: { companyId: $company }) { contact { id } } }";
const TOUCHED: &str = "query($c: ID!, $k: ID!) { c: node(id: $c) { ... on Contact { lastTouchedAt } } k: node(id: $k) { ... on Company { lastTouchedAt } } }";

/// The contact's and the company's `lastTouchedAt`.
async fn touched(app: &TestApp, contact: &str, company: &str) -> (Value, Value) {
    let data = app
        .data(TOUCHED, json!({ "c": contact, "k": company }))
        .await;
    (
        data["c"]["lastTouchedAt"].clone(),
        data["k"]["lastTouchedAt"].clone(),
    )
}

/// A time as the API writes it.
fn at(time: &str) -> Value {
    json!(time.replace('Z', "+00:00"))
}

async fn last_touched_at_follows_every_touch_delete_restore_and_move(app: TestApp) {
    let acme = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let ann = fixtures::contact(
        &app,
        json!({ "firstName": "Ann", "lastName": "Lee", "companyId": acme }),
    )
    .await;
    assert_eq!(touched(&app, &ann, &acme).await, (Value::Null, Value::Null));

    // A task is work planned, not a touch.
    let task = json!({ "kind": "TASK", "subject": "Call back", "contactId": ann, "occurredAt": "2026-01-05T10:00:00Z" });
    mutate(&app, ACTIVITY, json!({ "input": task })).await;
    assert_eq!(touched(&app, &ann, &acme).await, (Value::Null, Value::Null));

    // A call on the contact touches it; its company only through its own records
    // or its contacts' engagements and answers.
    let call = json!({ "kind": "CALL", "subject": "Intro", "contactId": ann, "occurredAt": "2026-01-06T10:00:00Z" });
    let call = mutate(&app, ACTIVITY, json!({ "input": call })).await["activity"]["id"].clone();
    assert_eq!(
        touched(&app, &ann, &acme).await,
        (at("2026-01-06T10:00:00Z"), Value::Null)
    );

    // An engagement touches the contact and its company.
    let engaged = json!({ "id": ann, "at": "2026-01-08T09:00:00Z" });
    mutate(&app, ENGAGE, engaged).await;
    let jan8 = at("2026-01-08T09:00:00Z");
    assert_eq!(
        touched(&app, &ann, &acme).await,
        (jan8.clone(), jan8.clone())
    );

    // An older order changes nothing; a newer survey answer moves both.
    let order = json!({ "contactId": ann, "companyId": acme, "product": "Plan", "amount": "10", "currency": "EUR", "orderedAt": "2025-12-20T00:00:00Z" });
    mutate(&app, ORDER, json!({ "input": order })).await;
    assert_eq!(
        touched(&app, &ann, &acme).await,
        (jan8.clone(), jan8.clone())
    );
    let answer = json!({ "contactId": ann, "kind": "NPS", "score": 9, "respondedAt": "2026-01-10T00:00:00Z" });
    mutate(&app, SURVEY, json!({ "input": answer })).await;
    let jan10 = at("2026-01-10T00:00:00Z");
    assert_eq!(
        touched(&app, &ann, &acme).await,
        (jan10.clone(), jan10.clone())
    );

    // A ticket opened now (the server's clock) on the company.
    app.at("2026-01-12T08:00:00Z");
    fixtures::ticket(&app, json!({ "subject": "Broken", "companyId": acme })).await;
    let jan12 = at("2026-01-12T08:00:00Z");
    assert_eq!(
        touched(&app, &ann, &acme).await,
        (jan10.clone(), jan12.clone())
    );

    // A later call, deleted then restored.
    let late = json!({ "kind": "MEETING", "subject": "Review", "contactId": ann, "occurredAt": "2026-01-20T10:00:00Z" });
    let late = mutate(&app, ACTIVITY, json!({ "input": late })).await["activity"]["id"].clone();
    let jan20 = at("2026-01-20T10:00:00Z");
    assert_eq!(
        touched(&app, &ann, &acme).await,
        (jan20.clone(), jan12.clone())
    );
    mutate(&app, DELETE_ACTIVITY, json!({ "id": late })).await;
    assert_eq!(
        touched(&app, &ann, &acme).await,
        (jan10.clone(), jan12.clone())
    );
    mutate(&app, RESTORE_ACTIVITY, json!({ "id": late })).await;
    assert_eq!(
        touched(&app, &ann, &acme).await,
        (jan20.clone(), jan12.clone())
    );
    mutate(&app, DELETE_ACTIVITY, json!({ "id": call })).await;

    // The contact leaves: its engagement and answer leave the company with it.
    let globex = fixtures::company(&app, json!({ "name": "Globex" })).await;
    mutate(&app, MOVE, json!({ "id": ann, "company": globex })).await;
    assert_eq!(touched(&app, &ann, &acme).await.1, jan12);
    assert_eq!(touched(&app, &ann, &globex).await.1, jan10);

    // Filter and sort on it: never-touched companies come last either way.
    let list = "query($f: CompanyFilter, $d: OrderDirection!) { companies(filter: $f, orderBy: [{ field: LAST_TOUCHED_AT, direction: $d }]) { nodes { name } } }";
    fixtures::company(&app, json!({ "name": "Initech" })).await;
    for (direction, names) in [
        ("ASC", ["Globex", "Acme", "Initech"]),
        ("DESC", ["Acme", "Globex", "Initech"]),
    ] {
        let data = app.data(list, json!({ "d": direction })).await;
        assert_eq!(names_of(&data["companies"]), names, "{direction}");
    }
    let since = json!({ "figures": { "lastTouchedAt": { "gte": "2026-01-11T00:00:00Z" } } });
    let data = app.data(list, json!({ "f": since, "d": "ASC" })).await;
    assert_eq!(names_of(&data["companies"]), ["Acme"]);

    assert_stored_equals_computed(&app).await;
}

async fn completeness_counts_the_key_fields_and_filters_and_sorts(app: TestApp) {
    let full = json!({ "name": "Full", "domain": "full.example", "industry": "Retail", "employeeCount": 10, "annualRevenue": "1000", "annualRevenueCurrency": "EUR", "city": "Lyon", "country": "FR" });
    let full = fixtures::company(&app, full).await;
    fixtures::company(&app, json!({ "name": "Bare" })).await;
    let half = json!({ "firstName": "Bo", "lastName": "Ek", "email": "bo@full.example", "companyId": full });
    let bo = fixtures::contact(&app, half).await;
    let read = "query($id: ID!) { node(id: $id) { ... on Contact { completeness } ... on Company { completeness } } }";
    assert_eq!(
        app.data(read, json!({ "id": full })).await["node"]["completeness"],
        100
    );
    // 4 of 8: first and last name, email, company.
    assert_eq!(
        app.data(read, json!({ "id": bo })).await["node"]["completeness"],
        50
    );

    let update = "mutation($id: ID!) { updateContact(id: $id, input: { phone: \"+14155552671\", jobTitle: \"CTO\", city: \"Lyon\" }) { contact { completeness } } }";
    let updated = mutate(&app, update, json!({ "id": bo })).await;
    // 7 of 8, rounded down.
    assert_eq!(updated["contact"]["completeness"], 87);

    let list = "query($f: CompanyFilter) { companies(filter: $f, orderBy: [{ field: COMPLETENESS, direction: DESC }]) { nodes { name completeness } } }";
    let all = app.data(list, json!({})).await;
    assert_eq!(names_of(&all["companies"]), ["Full", "Bare"]);
    // 1 of 7: the name alone.
    assert_eq!(all["companies"]["nodes"][1]["completeness"], 14);
    let incomplete = json!({ "figures": { "completeness": { "lt": 50 } } });
    let data = app.data(list, json!({ "f": incomplete })).await;
    assert_eq!(names_of(&data["companies"]), ["Bare"]);
}

fn names_of(list: &Value) -> Vec<&str> {
    list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect()
}

/// Every contact's and company's stored `last_touched_at` equals the
/// latest touch its records give, computed here independently.
async fn assert_stored_equals_computed(app: &TestApp) {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    for (table, key) in [("contact", "contact_id"), ("company", "company_id")] {
        // Every table read names the workspace (bound as a literal below).
        let mine = |alias: &str| {
            format!(
                r#""{alias}"."workspace_id" = "o"."workspace_id" AND "{alias}"."{key}" = "o"."id""#
            )
        };
        let people = if table == "contact" {
            r#""p"."workspace_id" = "o"."workspace_id" AND "p"."id" = "o"."id""#
        } else {
            r#""p"."workspace_id" = "o"."workspace_id" AND "p"."company_id" = "o"."id" AND "p"."deleted_at" IS NULL"#
        };
        let sql = format!(
            r#"SELECT COUNT(*) AS "wrong" FROM "{table}" AS "o" WHERE "o"."workspace_id" = ? AND COALESCE(CAST("o"."last_touched_at" AS TEXT), '-') <> COALESCE(CAST((SELECT MAX("t") FROM (
                SELECT "a"."occurred_at" AS "t" FROM "activity" AS "a" WHERE {} AND "a"."deleted_at" IS NULL AND "a"."kind" <> 'TASK'
                UNION ALL SELECT "x"."ordered_at" FROM "customer_order" AS "x" WHERE {} AND "x"."deleted_at" IS NULL
                UNION ALL SELECT "k"."opened_at" FROM "ticket" AS "k" WHERE {} AND "k"."deleted_at" IS NULL
                UNION ALL SELECT "e"."occurred_at" FROM "engagement" AS "e" JOIN "contact" AS "p" ON "p"."workspace_id" = "e"."workspace_id" AND "p"."id" = "e"."contact_id" WHERE "e"."workspace_id" = "o"."workspace_id" AND {people}
                UNION ALL SELECT "s"."responded_at" FROM "survey_response" AS "s" JOIN "contact" AS "p" ON "p"."workspace_id" = "s"."workspace_id" AND "p"."id" = "s"."contact_id" WHERE "s"."workspace_id" = "o"."workspace_id" AND {people} AND "s"."deleted_at" IS NULL
            ) AS "touches") AS TEXT), '-')"#,
            mine("a"),
            mine("x"),
            mine("k"),
        );
        let row = db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                numbered(backend, &bound(backend, &sql, app.workspace_id)),
                [app.workspace_id.into()],
            ))
            .await
            .expect("compare")
            .expect("a row");
        let wrong: i64 = row.try_get("", "wrong").expect("count");
        assert_eq!(wrong, 0, "{table}: stored last_touched_at differs");
    }
}
