//! `GET /export/{type}.csv|.jsonl`: every row of a list, with the list's
//! filter and ordering, the role's rules, and GraphQL-shaped refusals;
//! and `rapport export`, which writes the same bytes.

use entity::enums::Role;
use rapport_core::ops::contact::{self, NewContact};
use rapport_core::ops::workspace;
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

/// More than two internal pages of 1,000 rows.
const MANY: usize = 2_500;

on_both_databases!(
    every_row_streams_as_csv_and_json_lines,
    the_filter_ordering_and_role_rules_of_the_list_hold,
    bad_input_and_strangers_are_refused
);

/// `GET /export/{file}` with `token` (none when empty) and query parameters.
pub async fn export(
    app: &TestApp,
    token: &str,
    file: &str,
    params: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app
        .client
        .get(format!("{}/export/{file}", app.base))
        .query(params);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("answered")
}

/// The CSV body as a header and records.
pub fn parse_csv(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// The ids of a list as GraphQL gives them, every page.
async fn listed_ids(app: &TestApp, token: &str, field: &str, args: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after = Value::Null;
    loop {
        let query = format!(
            "query($after: String) {{ {field}(first: 100, after: $after{args}) {{ nodes {{ id }} pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        let response = app.gql_as(token, &query, json!({ "after": after })).await;
        let list = &response["data"][field];
        assert!(list.is_object(), "{response:#}");
        for node in list["nodes"].as_array().expect("nodes") {
            ids.push(node["id"].as_str().expect("id").to_owned());
        }
        if list["pageInfo"]["hasNextPage"] != json!(true) {
            return ids;
        }
        after = list["pageInfo"]["endCursor"].clone();
    }
}

async fn every_row_streams_as_csv_and_json_lines(app: TestApp) {
    let admin = workspace::admin_actor(&app.state.core, app.workspace_id)
        .await
        .expect("admin");
    for i in 0..MANY {
        contact::create(
            &app.state.core,
            &admin,
            NewContact {
                job_title: (i % 2 == 0).then(|| "Buyer\nof things".to_owned()),
                ..fixtures::new_contact(
                    &format!("Person {i}"),
                    &format!("Family, \"{i:04}\""),
                    &format!("p{i}@example.com"),
                )
            },
        )
        .await
        .expect("contact");
    }
    let response = export(&app, &app.token, "contacts.csv", &[]).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = response.text().await.expect("body");
    assert!(body.contains("\r\n"), "RFC 4180 ends records with CRLF");
    let (header, rows) = parse_csv(&body);
    assert_eq!(
        &header[..6],
        ["id", "firstName", "lastName", "email", "phone", "jobTitle"]
    );
    assert!(header.contains(&"createdAt".to_owned()));
    assert_eq!(rows.len(), MANY, "every row, past the internal page");
    let listed = listed_ids(&app, &app.token, "contacts", "").await;
    let exported: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(exported, listed, "the list's ids, in the list's order");
    // Quotes, commas and line breaks survive the round trip.
    assert_eq!(rows[7][2], "Family, \"0007\"");
    assert_eq!(rows[8][5], "Buyer\nof things");
    assert_eq!(rows[7][5], "", "null is an empty field");
    let created_at = header.iter().position(|h| h == "createdAt").unwrap();
    chrono::DateTime::parse_from_rfc3339(&rows[0][created_at]).expect("RFC 3339");

    let response = export(&app, &app.token, "contacts.jsonl", &[]).await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("body");
    let lines: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object a line"))
        .collect();
    assert_eq!(lines.len(), MANY);
    assert_eq!(lines[7]["lastName"], "Family, \"0007\"");
    assert_eq!(lines[7]["jobTitle"], Value::Null);
    assert_eq!(lines[7]["lifecycleStage"], "LEAD");
    assert_eq!(lines[7]["id"], listed[7].as_str());
    // The same values GraphQL gives out.
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Contact { email leadScore createdAt emailOptIn } } }",
            json!({ "id": listed[7] }),
        )
        .await;
    for field in ["email", "leadScore", "createdAt", "emailOptIn"] {
        assert_eq!(lines[7][field], node["node"][field], "{field}");
    }
}

async fn the_filter_ordering_and_role_rules_of_the_list_hold(app: TestApp) {
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    for (name, amount) in [("Alpha", "100.50"), ("Beta", "2500.00"), ("Gamma", "7.25")] {
        fixtures::deal(
            &app,
            json!({ "name": name, "amount": amount, "currency": "EUR", "pipelineId": pipeline }),
        )
        .await;
    }
    for name in ["Baker", "Adams", "Brown", "Clark"] {
        fixtures::contact(&app, json!({ "firstName": "A", "lastName": name })).await;
    }
    // filter and orderBy as the connection takes them.
    let filter = r#"{"lastName":{"startsWith":"B"}}"#;
    let order = r#"[{"field":"LAST_NAME","direction":"DESC"}]"#;
    let response = export(
        &app,
        &app.token,
        "contacts.jsonl",
        &[("filter", filter), ("orderBy", order)],
    )
    .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    let names: Vec<String> = body
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["lastName"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(names, ["Brown", "Baker"]);
    let listed = listed_ids(
        &app,
        &app.token,
        "contacts",
        r#", filter: {lastName: {startsWith: "B"}}, orderBy: [{field: LAST_NAME, direction: DESC}]"#,
    )
    .await;
    let exported: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].clone())
        .collect();
    assert_eq!(
        exported,
        listed.iter().map(|i| json!(i)).collect::<Vec<_>>()
    );

    // Amounts: exact decimals with their currency, sorted by amount.
    let response = export(
        &app,
        &app.token,
        "deals.csv",
        &[("orderBy", r#"[{"field":"AMOUNT","direction":"DESC"}]"#)],
    )
    .await;
    let (header, rows) = parse_csv(&response.text().await.unwrap());
    let amount = header
        .iter()
        .position(|h| h == "amount")
        .expect("amount column");
    let currency = header
        .iter()
        .position(|h| h == "currency")
        .expect("currency column");
    let amounts: Vec<&str> = rows.iter().map(|r| r[amount].as_str()).collect();
    assert_eq!(amounts, ["2500.00", "100.50", "7.25"]);
    assert!(rows.iter().all(|r| r[currency] == "EUR"));

    // SUPPORT sees no amounts: no column, and no filtering or sorting by them.
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let response = export(&app, &support, "deals.csv", &[]).await;
    assert_eq!(response.status(), 200);
    let (header, rows) = parse_csv(&response.text().await.unwrap());
    assert!(
        !header.iter().any(|h| h.to_lowercase().contains("amount")),
        "{header:?}"
    );
    assert_eq!(rows.len(), 3);
    let response = export(&app, &support, "deals.jsonl", &[]).await;
    let first: Value =
        serde_json::from_str(response.text().await.unwrap().lines().next().unwrap()).unwrap();
    assert!(first.get("amount").is_none(), "{first}");
    for params in [
        [("filter", r#"{"amount":{"gte":"10"}}"#)],
        [("orderBy", r#"[{"field":"AMOUNT"}]"#)],
    ] {
        let response = export(&app, &support, "deals.csv", &params).await;
        assert_eq!(response.status(), 403, "{params:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "FORBIDDEN");
    }
}

async fn bad_input_and_strangers_are_refused(app: TestApp) {
    fixtures::contact(&app, json!({ "firstName": "Only", "lastName": "Mine" })).await;
    for (params, field) in [
        ([("filter", "{not json")], "filter"),
        (
            [("filter", r#"{"noSuchField":{"eq":"x"}}"#)],
            "filter.noSuchField",
        ),
        (
            [("filter", r#"{"or":[{"lastName":{"eq":"x","almost":"y"}}]}"#)],
            "filter.or[0].lastName.almost",
        ),
        ([("filter", r#"{"lastName":{"eq":7}}"#)], "filter"),
        ([("filter", r#"{"id":{"eq":"not-an-id"}}"#)], "filter.id"),
        ([("orderBy", r#"[{"field":"NO_SUCH_FIELD"}]"#)], "orderBy"),
    ] {
        let response = export(&app, &app.token, "contacts.csv", &params).await;
        assert_eq!(response.status(), 400, "{params:?}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let response = export(&app, "", "contacts.csv", &[]).await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let response = export(&app, "not-a-token", "contacts.csv", &[]).await;
    assert_eq!(response.status(), 401);
    for file in ["pipelines.csv", "contacts.xml", "contacts"] {
        let response = export(&app, &app.token, file, &[]).await;
        assert_eq!(response.status(), 404, "{file}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "NOT_FOUND");
    }
    // Another workspace exports only its own rows: none here.
    let response = export(&app, &app.other_token, "contacts.csv", &[]).await;
    let (header, rows) = parse_csv(&response.text().await.unwrap());
    assert_eq!(header[0], "id");
    assert!(rows.is_empty(), "{rows:?}");
}

/// `rapport export` of workspace A's contacts, on the test's database; the
/// caller adds the options.
fn export_contacts(app: &TestApp) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"));
    command
        .args(["export", "--workspace", &app.workspace_id.to_string()])
        .args(["--type", "contacts"])
        .env("DATABASE_URL", &app.state.config.database_url);
    command
}

#[tokio::test]
async fn the_command_writes_the_bytes_the_endpoint_serves() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite)
        .await
        .expect("sqlite app");
    for name in ["Ada", "Grace", "Edsger"] {
        fixtures::contact(&app, json!({ "firstName": name, "lastName": "X" })).await;
    }
    let order = r#"[{"field":"FIRST_NAME"}]"#;
    let served = export(&app, &app.token, "contacts.jsonl", &[("orderBy", order)])
        .await
        .bytes()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("contacts.jsonl");
    let status = export_contacts(&app)
        .args(["--format", "jsonl", "--order-by", order, "--out"])
        .arg(&out)
        .env("RAPPORT_LOG_FORMAT", "json")
        .status()
        .expect("rapport runs");
    assert!(status.success());
    let written = std::fs::read(&out).unwrap();
    assert_eq!(written, served.to_vec());
    assert_eq!(String::from_utf8(written).unwrap().lines().count(), 3);
    // A bad filter fails the command.
    let output = export_contacts(&app)
        .args(["--filter", "{nope"])
        .output()
        .expect("rapport runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("filter"));
}
