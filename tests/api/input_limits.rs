//! Filter inputs over their limits answer `BAD_USER_INPUT` naming the input,
//! the same on SQLite and PostgreSQL (they used to reach the database and
//! answer `INTERNAL`, or on SQLite match every row), and case-insensitive
//! text filters fold case beyond ASCII on both databases.

use serde_json::{Value, json};

use crate::fixtures::company;
use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app};

const COMPANIES: &str = "query($f: CompanyFilter) { companies(filter: $f, orderBy: [{ field: NAME }]) { totalCount nodes { name } } }";

/// Asserts that `filter` is refused as bad input on `field`, and that the
/// server still answers afterwards.
async fn refused(app: &TestApp, filter: Value, field: &str) {
    let response = app.gql(COMPANIES, json!({ "f": filter })).await;
    assert_eq!(
        error_code(&response),
        "BAD_USER_INPUT",
        "{field}: {response}"
    );
    assert_eq!(
        response["errors"][0]["extensions"]["field"], field,
        "{response}"
    );
    still_answers(app).await;
}

async fn still_answers(app: &TestApp) {
    let data = app.data("{ companies { totalCount } }", json!({})).await;
    assert!(data["companies"]["totalCount"].is_number());
}

fn names(app_data: &Value) -> Vec<String> {
    app_data["companies"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["name"].as_str().expect("name").to_owned())
        .collect()
}

async fn names_matching(app: &TestApp, filter: Value) -> Vec<String> {
    names(&app.data(COMPANIES, json!({ "f": filter })).await)
}

async fn nul_bytes_and_long_text_are_refused(app: TestApp) {
    company(&app, json!({ "name": "Acme" })).await;
    for op in ["eq", "ne", "contains", "startsWith", "gt"] {
        let filter = json!({ "name": { op: "Ac\u{0}me" } });
        refused(&app, filter, &format!("filter.name.{op}")).await;
    }
    refused(
        &app,
        json!({ "or": [{}, { "country": { "in": ["de", "a\u{0}"] } }] }),
        "filter.or.1.country.in.1",
    )
    .await;
    refused(
        &app,
        json!({ "tags": { "any": ["vip\u{0}"] } }),
        "filter.tags.any.0",
    )
    .await;
    refused(
        &app,
        json!({ "name": { "contains": "a".repeat(50_001) } }),
        "filter.name.contains",
    )
    .await;
    // At the limit (in characters, not bytes) the filter runs.
    let longest = json!({ "name": { "contains": "é".repeat(1_000) } });
    assert_eq!(names_matching(&app, longest).await, Vec::<String>::new());
    refused(
        &app,
        json!({ "name": { "startsWith": "é".repeat(1_001) } }),
        "filter.name.startsWith",
    )
    .await;
}

async fn long_lists_are_refused(app: TestApp) {
    company(&app, json!({ "name": "Acme", "employeeCount": 7 })).await;
    for n in [40_000, 70_000] {
        let ints: Vec<i64> = (0..n).collect();
        refused(
            &app,
            json!({ "employeeCount": { "in": ints } }),
            "filter.employeeCount.in",
        )
        .await;
        let texts = vec!["x"; n as usize];
        refused(
            &app,
            json!({ "name": { "notIn": texts } }),
            "filter.name.notIn",
        )
        .await;
    }
    let ids = vec!["Q29tcGFueTpub25l"; 1_001];
    refused(&app, json!({ "id": { "in": ids } }), "filter.id.in").await;
    // A list at the limit runs.
    let ints: Vec<i64> = (0..1_000).collect();
    let listed = json!({ "employeeCount": { "in": ints } });
    assert_eq!(names_matching(&app, listed).await, ["Acme"]);
    // Six lists at the limit bind more values than one filter may.
    let many: Vec<Value> = (0..6)
        .map(|_| json!({ "employeeCount": { "notIn": (0..1_000).collect::<Vec<i64>>() } }))
        .collect();
    refused(&app, json!({ "and": many }), "filter").await;
}

async fn wide_filters_are_refused(app: TestApp) {
    company(&app, json!({ "name": "Acme" })).await;
    let branches = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({ "name": { "eq": format!("n{i}") } }))
            .collect()
    };
    refused(&app, json!({ "or": branches(1_000) }), "filter.or").await;
    refused(&app, json!({ "and": branches(101) }), "filter.and").await;
    refused(
        &app,
        json!({ "not": { "or": [{}, { "and": branches(101) }] } }),
        "filter.not.or.1.and",
    )
    .await;
    // Each array within bounds, the whole tree over the conditions limit.
    let nested: Vec<Value> = (0..6).map(|_| json!({ "or": branches(100) })).collect();
    refused(&app, json!({ "and": nested }), "filter").await;
    // At the limit the filter runs.
    let mut hundred = branches(99);
    hundred.push(json!({ "name": { "eq": "Acme" } }));
    assert_eq!(
        names_matching(&app, json!({ "or": hundred })).await,
        ["Acme"]
    );
}

/// `{ not: { not: … } }` `depth` levels deep.
fn not_chain(depth: usize) -> Value {
    let mut filter = json!({ "name": { "eq": "Acme" } });
    for _ in 0..depth {
        filter = json!({ "not": filter });
    }
    filter
}

async fn deep_filters_are_refused(app: TestApp) {
    company(&app, json!({ "name": "Acme" })).await;
    let too_deep = format!("filter{}", ".not".repeat(9));
    refused(&app, not_chain(40), &too_deep).await;
    refused(&app, not_chain(9), &too_deep).await;
    assert_eq!(names_matching(&app, not_chain(8)).await, ["Acme"]);
    // Nested lists and grouped charts take the same filters and limits.
    let nested =
        "query($f: ContactFilter) { companies { nodes { contacts(filter: $f) { totalCount } } } }";
    let response = app
        .gql(
            nested,
            json!({ "f": { "email": { "in": vec!["x"; 1_001] } } }),
        )
        .await;
    assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response}");
    assert_eq!(
        response["errors"][0]["extensions"]["field"],
        "filter.email.in"
    );
    let chart =
        "query($f: DealFilter) { dealGroups(filter: $f, groupBy: [{ field: STATUS }]) { count } }";
    let response = app.gql(chart, json!({ "f": not_chain(40) })).await;
    assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response}");
    assert_eq!(response["errors"][0]["extensions"]["field"], too_deep);
    // Deeper variables never reach a resolver (the server bounds their
    // nesting first, and the JSON parser stops at 128), and the server
    // keeps answering.
    let response = app.gql(COMPANIES, json!({ "f": not_chain(100) })).await;
    let code = error_code(&response);
    assert!(code != "INTERNAL" && code != "<none>", "{response}");
    still_answers(&app).await;
    // (Built as text: serialising or dropping a `Value` that deep would
    // overflow the test's own stack.)
    let body = format!(
        r#"{{"query": {}, "variables": {{"f": {}{{}}{}}}}}"#,
        json!(COMPANIES),
        r#"{"not": "#.repeat(3_000),
        "}".repeat(3_000)
    );
    let response = app.post_raw(body).await;
    let code = error_code(&response);
    assert!(code != "INTERNAL" && code != "<none>", "{response}");
    still_answers(&app).await;
}

async fn text_filters_ignore_case_beyond_ascii(app: TestApp) {
    for name in [
        "École Supérieure",
        "ÉCOLE NORMALE",
        "Ecole libre",
        "100% pure_ly \\ odd",
        "100 pure ly",
    ] {
        company(&app, json!({ "name": name })).await;
    }
    company(&app, json!({ "name": "Xylo", "industry": "Xylophones" })).await;
    let contains = |text: &str| json!({ "name": { "contains": text } });
    let both = ["ÉCOLE NORMALE", "École Supérieure"];
    assert_eq!(names_matching(&app, contains("ÉCOLE")).await, both);
    assert_eq!(names_matching(&app, contains("école")).await, both);
    assert_eq!(
        names_matching(&app, contains("SUPÉR")).await,
        ["École Supérieure"]
    );
    let starts = json!({ "name": { "startsWith": "éCo" } });
    assert_eq!(names_matching(&app, starts).await, both);
    // LIKE and regex syntax match literally.
    let odd = ["100% pure_ly \\ odd"];
    for text in ["%", "_", "\\", "0% P", ".", "(", "e_l"] {
        let expected: &[&str] = if text == "." || text == "(" {
            &[]
        } else {
            &odd
        };
        assert_eq!(
            names_matching(&app, contains(text)).await,
            expected,
            "{text}"
        );
    }
    // A NULL column matches neither `contains` nor its negation.
    let no_x = json!({ "not": { "industry": { "contains": "X" } } });
    assert_eq!(names_matching(&app, no_x).await, Vec::<String>::new());
    let x = json!({ "industry": { "contains": "x" } });
    assert_eq!(names_matching(&app, x).await, ["Xylo"]);
}

on_both_databases!(
    nul_bytes_and_long_text_are_refused,
    long_lists_are_refused,
    wide_filters_are_refused,
    deep_filters_are_refused,
    text_filters_ignore_case_beyond_ascii,
);

/// A nested level can have more parents than SQLite's 32,766 parameters:
/// the store reads them through one JSON array instead, on both databases.
#[tokio::test]
async fn a_level_with_more_parents_than_sqlite_has_parameters_loads_in_one_statement() {
    use entity::contact;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = spawn_app(backend).await else {
            continue;
        };
        let created = app
            .data(
                "mutation { createContact(input: { firstName: \"Ada\", lastName: \"Lovelace\" }) { contact { id } } }",
                serde_json::json!({}),
            )
            .await;
        let id = created["createContact"]["contact"]["id"]
            .as_str()
            .expect("id");
        let (_, known) = rapport::graphql::ids::decode_any(id).expect("uuid");
        let mut ids: Vec<uuid::Uuid> = (0..40_000).map(|_| uuid::Uuid::now_v7()).collect();
        ids.push(known);
        let db = &app.state.db;
        let condition = rapport::graphql::list::in_ids(
            db.get_database_backend(),
            sea_orm::sea_query::Expr::col(contact::Column::Id),
            ids,
        );
        let found = contact::Entity::find()
            .filter(contact::Column::WorkspaceId.eq(app.workspace_id))
            .filter(condition)
            .all(db)
            .await
            .expect("one statement, no parameter limit");
        assert_eq!(found.len(), 1, "{backend:?}");
        assert_eq!(found[0].id, known);
    }
}
