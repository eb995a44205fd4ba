//! An export imported into an empty workspace gives the same records and
//! the same analytics: every type is exported as JSON Lines, imported into
//! a new workspace (with the same pipeline, which is configuration), and
//! exported again; the two exports agree but for ids and bookkeeping.

use std::path::Path;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::export::export;
use crate::fixtures;
use crate::helpers::{TestApp, on_both_databases, workspace};
use crate::import::{count, import, import_into, stdout, write};

on_both_databases!(with crate::helpers::manual_clock;
    an_export_imported_into_an_empty_workspace_gives_the_same_records_and_analytics,
);

const FIGURES: &str = "dealOutcomes { won lost winRate }
    wonRevenue { currency amount count }
    averageSalesCycleDays
    timeInStage { stage { name } stays averageDays }
    closeReasons { outcome reason count }
    averageResolutionHours
    ticketVolume { category count }";

/// The analytics of `pipeline` over a period, as `token`'s workspace sees them.
pub async fn analytics(app: &TestApp, token: &str, pipeline: &str, from: &str, to: &str) -> Value {
    let query = format!(
        "query($period: PeriodInput!, $pipelineId: ID) {{ analytics(period: $period, pipelineId: $pipelineId) {{ {FIGURES} }} }}"
    );
    let variables = json!({ "period": { "from": from, "to": to }, "pipelineId": pipeline });
    let response = app.gql_as(token, &query, variables).await;
    assert!(response.get("errors").is_none(), "{response:#}");
    response["data"]["analytics"].clone()
}

/// The types in the order their files link to each other, and how many
/// records of each the original has.
const TYPES: [(&str, usize); 6] = [
    ("companies", 2),
    ("contacts", 3),
    ("deals", 4),
    ("tickets", 3),
    ("activities", 2),
    ("orders", 1),
];

/// Columns that name a record of one workspace, or say when it was last
/// written: not the same in a copy.
const NOT_COPIED: [&str; 12] = [
    "id",
    "companyId",
    "contactId",
    "dealId",
    "ticketId",
    "ownerId",
    "assigneeId",
    "authorId",
    "pipelineId",
    "stageId",
    "version",
    "updatedAt",
];

/// `ty`'s export by `token` as JSON Lines text.
async fn exported(app: &TestApp, token: &str, ty: &str) -> String {
    let response = export(app, token, &format!("{ty}.jsonl"), &[]).await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// An export's rows without what a copy cannot keep, sorted.
fn comparable(jsonl: &str) -> Vec<String> {
    let mut rows: Vec<String> = jsonl
        .lines()
        .map(|line| {
            let mut row: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
            for column in NOT_COPIED {
                row.remove(column);
            }
            Value::Object(row).to_string()
        })
        .collect();
    rows.sort();
    rows
}

fn imported(done: &std::process::Output, rows: u64) {
    assert_eq!(count(done, "created"), rows, "{}", stdout(done));
    assert_eq!(count(done, "refused"), 0, "{}", stdout(done));
}

async fn original_data(app: &TestApp, dir: &Path) {
    let files: [(&str, &str, &[u8]); 6] = [
        ("companies", "companies.csv", b"externalId,name,domain,industry,createdAt\nc1,Acme,acme.example,Software,2025-01-02T00:00:00Z\nc2,Globex,globex.example,,2025-01-03T00:00:00Z\n"),
        ("contacts", "contacts.csv", b"externalId,firstName,lastName,email,jobTitle,companyExternalId,createdAt\np1,Ada,Lovelace,ada@acme.example,CEO,c1,2025-01-05T00:00:00Z\np2,Bob,,bob@globex.example,,c2,2025-01-06T00:00:00Z\np3,Cy,,,,,2025-01-07T00:00:00Z\n"),
        ("deals", "deals.jsonl", br#"{"externalId":"d1","name":"D1","amount":"1000","currency":"EUR","createdAt":"2025-01-10T00:00:00Z","stages":[{"stage":"Qualification","at":"2025-01-10T00:00:00Z"},{"stage":"Proposal","at":"2025-01-20T00:00:00Z"}],"outcome":"WON","closedAt":"2025-02-09T00:00:00Z","reason":"Price","companyExternalId":"c1","contactExternalId":"p1"}
{"externalId":"d2","name":"D2","amount":"500","currency":"EUR","createdAt":"2025-03-01T00:00:00Z","stages":[{"stage":"Qualification","at":"2025-03-01T00:00:00Z"},{"stage":"Proposal","at":"2025-03-05T00:00:00Z"}],"outcome":"LOST","closedAt":"2025-03-15T00:00:00Z","reason":"Budget","companyExternalId":"c2"}
{"externalId":"d3","name":"D3","amount":"2000.50","currency":"EUR","createdAt":"2025-04-01T00:00:00Z","outcome":"WON","closedAt":"2025-04-11T00:00:00Z","reason":"Price"}
{"externalId":"d4","name":"D4","amount":"700","currency":"EUR","createdAt":"2025-07-01T00:00:00Z","stage":"Proposal","stageEnteredAt":"2025-07-04T00:00:00Z"}
"#),
        ("tickets", "tickets.csv", b"externalId,subject,category,contactExternalId,companyExternalId,dealExternalId,openedAt,firstResponseAt,resolvedAt,closedAt,status\nt1,First,billing,p1,c1,d1,2025-01-05T10:00:00Z,2025-01-05T12:00:00Z,2025-01-05T16:00:00Z,2025-01-06T00:00:00Z,CLOSED\nt2,Second,bug,p2,,,2025-02-01T00:00:00Z,,,,PENDING\nt3,Third,,,,,2025-05-01T00:00:00Z,,2025-05-02T00:00:00Z,,\n"),
        ("activities", "activities.csv", b"externalId,kind,subject,body,occurredAt,contactExternalId,dealExternalId,ticketExternalId,createdAt\na1,CALL,Intro call,Went well,2025-01-08T09:00:00Z,p1,d1,,2025-01-08T09:00:00Z\na2,NOTE,Follow-up,,2025-02-02T09:00:00Z,p2,,t2,2025-02-02T09:00:00Z\n"),
        ("orders", "orders.csv", b"externalId,contactExternalId,product,quantity,amount,currency,orderedAt,status,createdAt\no1,p1,Widget,2,99.90,EUR,2025-03-01T00:00:00Z,PLACED,2025-03-01T00:00:00Z\n"),
    ];
    for (ty, name, bytes) in files {
        let file = write(dir, name, bytes);
        let done = import(app, ty, &file, &[]);
        assert!(done.status.success(), "{ty}: {}", stdout(&done));
    }
}

async fn an_export_imported_into_an_empty_workspace_gives_the_same_records_and_analytics(
    app: TestApp,
) {
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    let dir = tempfile::tempdir().unwrap();
    original_data(&app, dir.path()).await;

    let (copy, copy_token): (Uuid, String) = workspace(&app.state, "Copy").await;
    let make_pipeline = "mutation { createPipeline(input: { name: \"Sales\", stages: [{ name: \"Qualification\", winProbability: 10, kind: OPEN }, { name: \"Proposal\", winProbability: 50, kind: OPEN }, { name: \"Won\", winProbability: 100, kind: WON }, { name: \"Lost\", winProbability: 0, kind: LOST }] }) { pipeline { id } } }";
    let made = app.gql_as(&copy_token, make_pipeline, json!({})).await;
    let copy_pipeline = made["data"]["createPipeline"]["pipeline"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{made:#}"))
        .to_owned();

    let mut originals = Vec::new();
    for (ty, records) in TYPES {
        let text = exported(&app, &app.token, ty).await;
        assert_eq!(text.lines().count(), records, "{ty}: {text}");
        let file = write(dir.path(), &format!("export-{ty}.jsonl"), text.as_bytes());
        let done = import_into(&app, copy, ty, &file, &[]);
        imported(&done, records as u64);
        originals.push((ty, text));
    }
    for (ty, original) in &originals {
        let copied = exported(&app, &copy_token, ty).await;
        assert_eq!(comparable(&copied), comparable(original), "{ty}");
    }
    // Links came along: the copy's Ada works at Acme, its D1 is Acme's.
    let linked = "{ contacts(filter: { email: { eq: \"ada@acme.example\" } }) { nodes { company { name } } } deals(filter: { name: { eq: \"D1\" } }) { nodes { company { name } stage { name } } } }";
    let copied = app.gql_as(&copy_token, linked, json!({})).await;
    assert_eq!(
        copied["data"],
        json!({ "contacts": { "nodes": [{ "company": { "name": "Acme" } }] }, "deals": { "nodes": [{ "company": { "name": "Acme" }, "stage": { "name": "Won" } }] } }),
        "{copied:#}"
    );
    // The deals' stage paths came along (and were compared above).
    assert!(
        originals[2].1.contains(r#""stages":[{"#),
        "{}",
        originals[2].1
    );

    app.at("2026-01-01T00:00:00Z");
    let (from, to) = ("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
    let before = analytics(&app, &app.token, &pipeline, from, to).await;
    let after = analytics(&app, &copy_token, &copy_pipeline, from, to).await;
    assert_eq!(before, after);
    assert_eq!(
        (
            &before["dealOutcomes"]["won"],
            &before["dealOutcomes"]["lost"]
        ),
        (&json!(2), &json!(1))
    );
}
