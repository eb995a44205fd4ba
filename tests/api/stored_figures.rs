//! Stored figures stay right: after every kind of write, delete and restore
//! that feeds them, each contact's and company's stored ticket, order and
//! survey figures, and each company's lead score and first purchase, equal
//! what the records give, computed afresh from them here.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, on_both_databases};

on_both_databases!(stored_figures_follow_every_write_delete_and_restore);

/// The stored figures of one contact or company, and what its records give.
#[derive(Debug, PartialEq)]
struct Figures {
    tickets: i64,
    open: i64,
    last_ticket: Option<DateTime<Utc>>,
    resolved: bool,
    lifetime_e4: i64,
    first_order: Option<DateTime<Utc>>,
    last_order: Option<DateTime<Utc>>,
    nps: Option<i32>,
    csat: Option<i32>,
    lead_score: Option<i32>,
    customer_since: Option<DateTime<Utc>>,
}

/// Runs `sql`, an UPDATE of workspace `?` that stands for a loader writing
/// rows behind the operations' back.
async fn wipe_rows(app: &TestApp, sql: &str) {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let statement =
        Statement::from_sql_and_values(backend, numbered(backend, sql), [app.workspace_id.into()]);
    let wiped = db.execute_raw(statement).await.expect("wipe");
    assert!(wiped.rows_affected() > 0, "{sql}");
}

/// On PostgreSQL, every `"x"."workspace_id" = "y"."workspace_id"` of `sql`
/// made the workspace's literal, as the server binds its own statements:
/// Citus routes a correlated subquery by a value, not by a correlation.
pub fn bound(backend: DbBackend, sql: &str, workspace: Uuid) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    rapport_core::store::one_workspace::bind(sql, workspace)
}

/// `?` placeholders numbered for PostgreSQL.
pub fn numbered(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut n = 0;
    sql.chars()
        .map(|c| {
            if c == '?' {
                n += 1;
                format!("${n}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Per row of `table`: (stored, computed from the records).
async fn compare(app: &TestApp, table: &str) -> Vec<(Uuid, Figures, Figures)> {
    let key = if table == "contact" {
        "contact_id"
    } else {
        "company_id"
    };
    // Every table read names the workspace (`bound` below: on Citus, its one shard).
    let mine = format!(
        r#""x"."workspace_id" = "o"."workspace_id" AND "x"."{key}" = "o"."id" AND "x"."deleted_at" IS NULL"#
    );
    let answers = if table == "contact" {
        r#"FROM "survey_response" AS "s" WHERE "s"."workspace_id" = "o"."workspace_id" AND "s"."contact_id" = "o"."id""#.to_owned()
    } else {
        r#"FROM "survey_response" AS "s" JOIN "contact" AS "sc" ON "sc"."workspace_id" = "s"."workspace_id" AND "sc"."id" = "s"."contact_id" AND "sc"."deleted_at" IS NULL WHERE "s"."workspace_id" = "o"."workspace_id" AND "sc"."company_id" = "o"."id""#.to_owned()
    };
    let latest = |kind: &str| {
        format!(
            r#"(SELECT "s"."score" {answers} AND "s"."deleted_at" IS NULL AND "s"."kind" = '{kind}' ORDER BY "s"."responded_at" DESC, "s"."id" DESC LIMIT 1)"#
        )
    };
    let (lead_score, since) = if table == "company" {
        (
            (
                r#""o"."lead_score""#,
                r#"COALESCE((SELECT MAX("lc"."lead_score") FROM "contact" AS "lc" WHERE "lc"."workspace_id" = "o"."workspace_id" AND "lc"."company_id" = "o"."id" AND "lc"."deleted_at" IS NULL), 0)"#,
            ),
            (
                r#""o"."customer_since""#,
                r#"(SELECT MIN("t") FROM (SELECT "d"."closed_at" AS "t" FROM "deal" AS "d" WHERE "d"."workspace_id" = "o"."workspace_id" AND "d"."company_id" = "o"."id" AND "d"."deleted_at" IS NULL AND "d"."status" = 'WON' UNION ALL SELECT "x"."ordered_at" FROM "customer_order" AS "x" WHERE "x"."workspace_id" = "o"."workspace_id" AND "x"."company_id" = "o"."id" AND "x"."deleted_at" IS NULL) AS "firsts")"#,
            ),
        )
    } else {
        let none = ("CAST(NULL AS INTEGER)", "CAST(NULL AS INTEGER)");
        let never = ("CAST(NULL AS TIMESTAMP)", "CAST(NULL AS TIMESTAMP)");
        (none, never)
    };
    let sql = format!(
        r#"SELECT "o"."id" AS "id",
          "o"."ticket_count" AS "s_tickets", (SELECT COUNT(*) FROM "ticket" AS "x" WHERE {mine}) AS "c_tickets",
          "o"."open_ticket_count" AS "s_open", (SELECT COUNT(*) FROM "ticket" AS "x" WHERE {mine} AND "x"."status" IN ('OPEN', 'PENDING')) AS "c_open",
          "o"."last_ticket_at" AS "s_last_ticket", (SELECT MAX("x"."opened_at") FROM "ticket" AS "x" WHERE {mine}) AS "c_last_ticket",
          CAST(CASE WHEN "o"."average_resolution_e4" IS NULL THEN 0 ELSE 1 END AS BIGINT) AS "s_resolved",
          (SELECT COUNT(*) FROM "ticket" AS "x" WHERE {mine} AND "x"."resolved_at" IS NOT NULL) AS "c_resolved",
          "o"."lifetime_value_e4" AS "s_lifetime", (SELECT CAST(COALESCE(SUM("x"."amount_e4"), 0) AS BIGINT) FROM "customer_order" AS "x" WHERE {mine}) AS "c_lifetime",
          "o"."first_order_at" AS "s_first_order", (SELECT MIN("x"."ordered_at") FROM "customer_order" AS "x" WHERE {mine}) AS "c_first_order",
          "o"."last_order_at" AS "s_last_order", (SELECT MAX("x"."ordered_at") FROM "customer_order" AS "x" WHERE {mine}) AS "c_last_order",
          "o"."latest_nps" AS "s_nps", {} AS "c_nps",
          "o"."latest_csat" AS "s_csat", {} AS "c_csat",
          {} AS "s_lead", {} AS "c_lead", {} AS "s_since", {} AS "c_since"
        FROM "{table}" AS "o" WHERE "o"."workspace_id" = ? ORDER BY "o"."id""#,
        latest("NPS"),
        latest("CSAT"),
        lead_score.0,
        lead_score.1,
        since.0,
        since.1,
    );
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            numbered(backend, &bound(backend, &sql, app.workspace_id)),
            [app.workspace_id.into()],
        ))
        .await
        .expect("figures");
    rows.iter()
        .map(|row| {
            let read = |prefix: &str| Figures {
                tickets: row.try_get("", &format!("{prefix}_tickets")).unwrap(),
                open: row.try_get("", &format!("{prefix}_open")).unwrap(),
                last_ticket: row.try_get("", &format!("{prefix}_last_ticket")).unwrap(),
                resolved: row
                    .try_get::<i64>("", &format!("{prefix}_resolved"))
                    .unwrap()
                    > 0,
                lifetime_e4: row.try_get("", &format!("{prefix}_lifetime")).unwrap(),
                first_order: row.try_get("", &format!("{prefix}_first_order")).unwrap(),
                last_order: row.try_get("", &format!("{prefix}_last_order")).unwrap(),
                nps: row.try_get("", &format!("{prefix}_nps")).unwrap(),
                csat: row.try_get("", &format!("{prefix}_csat")).unwrap(),
                lead_score: row.try_get("", &format!("{prefix}_lead")).unwrap(),
                customer_since: row.try_get("", &format!("{prefix}_since")).unwrap(),
            };
            (row.try_get("", "id").unwrap(), read("s"), read("c"))
        })
        .collect()
}

/// Every contact's and company's stored figures equal the computed ones.
async fn check(app: &TestApp, after: &str) {
    for table in ["contact", "company"] {
        for (id, stored, computed) in compare(app, table).await {
            assert_eq!(stored, computed, "{table} {id} after {after}");
        }
    }
}

async fn run(app: &TestApp, after: &str, query: &str, variables: Value) -> Value {
    let value = mutate(app, query, variables).await;
    check(app, after).await;
    value
}

const SET_STATUS: &str = "mutation($id: ID!, $s: TicketStatus!) { setTicketStatus(id: $id, status: $s) { ticket { id } } }";

pub(crate) async fn stored_figures_follow_every_write_delete_and_restore(app: TestApp) {
    let acme = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let globex = fixtures::company(&app, json!({ "name": "Globex" })).await;
    let ada = fixtures::contact(&app, json!({ "firstName": "Ada", "companyId": acme })).await;
    let bo = fixtures::contact(&app, json!({ "firstName": "Bo", "companyId": acme })).await;
    let cy = fixtures::contact(&app, json!({ "firstName": "Cy" })).await;
    check(&app, "contacts created").await;

    // Tickets: open, status changes, a move to another contact, delete, restore.
    let first = fixtures::ticket(&app, json!({ "subject": "One", "contactId": ada })).await;
    check(&app, "a ticket opened").await;
    // Writes racing on one contact's and company's figures are all counted.
    let racing = (0..8).map(|n| {
        let subject = if n % 2 == 0 { "Even" } else { "Odd" };
        let contact = if n % 2 == 0 { &ada } else { &bo };
        fixtures::ticket(&app, json!({ "subject": subject, "contactId": contact }))
    });
    let raced = futures_util::future::join_all(racing).await;
    check(&app, "tickets opened at once").await;
    let close = raced
        .iter()
        .map(|id| mutate(&app, SET_STATUS, json!({ "id": id, "s": "CLOSED" })));
    futures_util::future::join_all(close).await;
    check(&app, "tickets closed at once").await;
    let second = fixtures::ticket(&app, json!({ "subject": "Two", "contactId": bo })).await;
    for status in ["PENDING", "RESOLVED", "OPEN", "RESOLVED"] {
        run(
            &app,
            status,
            SET_STATUS,
            json!({ "id": second, "s": status }),
        )
        .await;
    }
    let move_ticket = "mutation($id: ID!, $c: ID) { updateTicket(id: $id, input: { contactId: $c }) { ticket { id } } }";
    run(
        &app,
        "ticket moved",
        move_ticket,
        json!({ "id": first, "c": cy }),
    )
    .await;
    let clear_company = "mutation($id: ID!) { updateTicket(id: $id, input: { companyId: null }) { ticket { id } } }";
    run(
        &app,
        "ticket's company cleared",
        clear_company,
        json!({ "id": first }),
    )
    .await;
    for verb in ["delete", "restore"] {
        let query = format!("mutation($id: ID!) {{ {verb}Ticket(id: $id) {{ ticket {{ id }} }} }}");
        run(
            &app,
            &format!("{verb} ticket"),
            &query,
            json!({ "id": second }),
        )
        .await;
    }

    // Orders: create, change amount and date, delete, restore.
    let order = run(&app, "order", "mutation($c: ID!) { createOrder(input: { contactId: $c, product: \"Plan\", amount: \"120.50\", currency: \"EUR\", orderedAt: \"2025-06-01T00:00:00Z\" }) { order { id } } }", json!({ "c": ada })).await["order"]["id"].clone();
    run(&app, "company order", "mutation($c: ID!) { createOrder(input: { companyId: $c, product: \"Setup\", amount: \"80\", currency: \"USD\" }) { order { id } } }", json!({ "c": globex })).await;
    run(&app, "order changed", "mutation($id: ID!) { updateOrder(id: $id, input: { amount: \"99\", orderedAt: \"2025-07-01T00:00:00Z\" }) { order { id } } }", json!({ "id": order })).await;
    for verb in ["delete", "restore"] {
        let query = format!("mutation($id: ID!) {{ {verb}Order(id: $id) {{ order {{ id }} }} }}");
        run(
            &app,
            &format!("{verb} order"),
            &query,
            json!({ "id": order }),
        )
        .await;
    }

    // Survey answers: create, correct, delete, restore.
    let survey = "mutation($c: ID!, $k: SurveyKind!, $s: Int!, $at: DateTime) { createSurveyResponse(input: { contactId: $c, kind: $k, score: $s, respondedAt: $at }) { surveyResponse { id } } }";
    let answer = run(
        &app,
        "nps",
        survey,
        json!({ "c": ada, "k": "NPS", "s": 9, "at": "2025-05-01T00:00:00Z" }),
    )
    .await["surveyResponse"]["id"]
        .clone();
    run(
        &app,
        "later nps",
        survey,
        json!({ "c": bo, "k": "NPS", "s": 4, "at": "2025-05-02T00:00:00Z" }),
    )
    .await;
    run(
        &app,
        "csat",
        survey,
        json!({ "c": bo, "k": "CSAT", "s": 2 }),
    )
    .await;
    run(&app, "score corrected", "mutation($id: ID!) { updateSurveyResponse(id: $id, input: { score: 6 }) { surveyResponse { id } } }", json!({ "id": answer })).await;
    for verb in ["delete", "restore"] {
        let query = format!(
            "mutation($id: ID!) {{ {verb}SurveyResponse(id: $id) {{ surveyResponse {{ id }} }} }}"
        );
        run(
            &app,
            &format!("{verb} answer"),
            &query,
            json!({ "id": answer }),
        )
        .await;
    }

    // Contacts: lead scores, a move to another company, delete, restore.
    run(&app, "scoring rule", "mutation { createLeadScoringRule(input: { name: \"CEOs\", target: JOB_TITLE, contains: \"ceo\", points: 30 }) { rescoredContacts } }", json!({})).await;
    run(&app, "job title", "mutation($id: ID!) { updateContact(id: $id, input: { jobTitle: \"CEO\" }) { contact { id } } }", json!({ "id": bo })).await;
    run(&app, "contact moved", "mutation($id: ID!, $co: ID!) { updateContact(id: $id, input: { companyId: $co }) { contact { id } } }", json!({ "id": bo, "co": globex })).await;
    for verb in ["delete", "restore"] {
        let query =
            format!("mutation($id: ID!) {{ {verb}Contact(id: $id) {{ contact {{ id }} }} }}");
        run(
            &app,
            &format!("{verb} contact"),
            &query,
            json!({ "id": bo }),
        )
        .await;
    }
    run(&app, "new contact", "mutation($co: ID!) { createContact(input: { firstName: \"Di\", jobTitle: \"CEO\", companyId: $co }) { contact { id } } }", json!({ "co": acme })).await;
    for verb in ["delete", "restore"] {
        let query =
            format!("mutation($id: ID!) {{ {verb}Company(id: $id) {{ company {{ id }} }} }}");
        run(
            &app,
            &format!("{verb} company"),
            &query,
            json!({ "id": acme }),
        )
        .await;
    }

    // Deals: a company's first win makes it a customer.
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    let deal = run(&app, "won deal", "mutation($p: ID!, $s: ID!, $co: ID!) { createDeal(input: { name: \"D\", amount: \"10\", currency: \"EUR\", pipelineId: $p, stageId: $s, companyId: $co }) { deal { id } } }", json!({ "p": pipeline, "s": stages[2], "co": acme })).await["deal"]["id"].clone();
    let move_deal =
        "mutation($id: ID!, $s: ID!) { moveDeal(id: $id, stageId: $s) { deal { id } } }";
    run(
        &app,
        "reopened",
        move_deal,
        json!({ "id": deal, "s": stages[0] }),
    )
    .await;
    run(
        &app,
        "closed",
        "mutation($id: ID!) { closeDeal(id: $id, outcome: WON, reason: \"Fit\") { deal { id } } }",
        json!({ "id": deal }),
    )
    .await;
    run(&app, "deal's company", "mutation($id: ID!, $co: ID!) { updateDeal(id: $id, input: { companyId: $co }) { deal { id } } }", json!({ "id": deal, "co": globex })).await;
    for verb in ["delete", "restore"] {
        let query = format!("mutation($id: ID!) {{ {verb}Deal(id: $id) {{ deal {{ id }} }} }}");
        run(&app, &format!("{verb} deal"), &query, json!({ "id": deal })).await;
    }

    // A loader that wrote rows without the operations refreshes them all.
    let db = &app.state.db;
    for table in ["contact", "company"] {
        let wipe = format!(
            r#"UPDATE "{table}" SET "ticket_count" = 0, "open_ticket_count" = 0, "last_ticket_at" = NULL, "average_resolution_e4" = NULL, "latest_nps" = NULL, "latest_csat" = NULL, "lifetime_value_e4" = 0, "first_order_at" = NULL, "last_order_at" = NULL WHERE "workspace_id" = ?"#
        );
        wipe_rows(&app, &wipe).await;
    }
    let wipe = r#"UPDATE "company" SET "lead_score" = 0, "customer_since" = NULL WHERE "workspace_id" = ?"#;
    wipe_rows(&app, wipe).await;
    rapport_core::rules::stored_figures::refresh_workspace(db, app.workspace_id)
        .await
        .expect("refresh");
    check(&app, "the workspace refreshed").await;

    // What the lists read agrees: Bo (Globex) answered CSAT 2, NPS 4.
    let data = app
        .data("{ companies(orderBy: [{ field: LATEST_CSAT }]) { nodes { name leadScore } } contacts(filter: { figures: { latestCsat: { eq: 2 }, ticketCount: { eq: 5 } } }) { nodes { firstName } } }", json!({}))
        .await;
    assert_eq!(
        data["companies"]["nodes"],
        json!([{ "name": "Globex", "leadScore": 30 }, { "name": "Acme", "leadScore": 30 }])
    );
    assert_eq!(data["contacts"]["nodes"], json!([{ "firstName": "Bo" }]));
}
