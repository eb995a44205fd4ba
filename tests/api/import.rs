//! `rapport import` through the real binary: files with a BOM, quotes,
//! links across files, refused rows with their line, column and code,
//! re-runs that change nothing, dry runs, and a year of dated deals and
//! tickets whose analytics equal the figures computed by hand.

use std::path::Path;
use std::process::Output;

use entity::event;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{TestApp, on_both_databases};
use crate::round_trip::analytics;

on_both_databases!(companies_and_contacts_come_in_linked_and_refusals_say_where,);
on_both_databases!(with crate::helpers::manual_clock;
    a_year_of_deals_and_tickets_gives_the_hand_computed_analytics,
);

/// Runs `rapport import` against the test server's database.
pub fn import(app: &TestApp, ty: &str, file: &Path, extra: &[&str]) -> Output {
    import_into(app, app.workspace_id, ty, file, extra)
}

/// Runs `rapport import` into `workspace`.
pub fn import_into(
    app: &TestApp,
    workspace: uuid::Uuid,
    ty: &str,
    file: &Path,
    extra: &[&str],
) -> Output {
    use secrecy::ExposeSecret;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"));
    if let Some(secret) = &app.state.config.jwt_secret {
        // PostgreSQL deployments must name their token secret.
        command.env("RAPPORT_JWT_SECRET", secret.expose_secret());
    }
    command
        .args([
            "import",
            "--workspace",
            &workspace.to_string(),
            "--type",
            ty,
        ])
        .arg(file)
        .args(extra)
        .env("DATABASE_URL", &app.state.config.database_url)
        .env("RAPPORT_LOG_FORMAT", "json")
        .output()
        .expect("rapport runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The summary table's count on the line named `name`.
pub fn count(output: &Output, name: &str) -> u64 {
    stdout(output)
        .lines()
        .find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some(name)).then(|| words.next()?.parse().ok())?
        })
        .unwrap_or_else(|| {
            let errors = String::from_utf8_lossy(&output.stderr);
            panic!("no {name} in {}; stderr: {errors}", stdout(output))
        })
}

/// The refused rows' lines: `(line, column, code)`.
pub fn refusals(output: &Output) -> Vec<(u64, String, String)> {
    let text = stdout(output);
    let Some((_, listed)) = text.split_once("refused rows:") else {
        return Vec::new();
    };
    listed
        .lines()
        .skip(2)
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let line = words.next()?.parse().ok()?;
            Some((line, words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .collect()
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("file written");
    path
}

async fn events_of(app: &TestApp, kind: &str) -> u64 {
    event::Entity::find()
        .filter(sea_orm::sea_query::Expr::col(event::Column::WorkspaceId).eq(app.workspace_id))
        .filter(sea_orm::sea_query::Expr::col(event::Column::Kind).eq(kind))
        .count(&app.state.db)
        .await
        .unwrap()
}

const CONTACTS: &str = "{ contacts(first: 20, orderBy: [{ field: FIRST_NAME }]) { nodes { firstName email jobTitle createdAt company { name } externalIds { source id } } } }";

pub(crate) async fn companies_and_contacts_come_in_linked_and_refusals_say_where(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let companies = write(
        dir.path(),
        "companies.csv",
        b"\xef\xbb\xbfexternalId,name,domain,industry,employeeCount,createdAt\n\
          c1,Acme,acme.example,Software,50,2025-03-01T09:00:00Z\n\
          c2,Globex,globex.example,,many,2025-03-02\n\
          c3,\"Initech, Inc.\",initech.example,,,2025-03-03\n",
    );
    let done = import(&app, "companies", &companies, &[]);
    assert!(!done.status.success(), "a refused row fails the command");
    assert_eq!(
        (count(&done, "created"), count(&done, "refused")),
        (2, 1),
        "{}",
        stdout(&done)
    );
    assert_eq!(
        refusals(&done),
        vec![(3, "employeeCount".into(), "BAD_USER_INPUT".into())]
    );

    let contacts = write(
        dir.path(),
        "contacts.jsonl",
        br#"{"externalId":"p1","firstName":"Ada","email":"ada@acme.example","companyExternalId":"c1","createdAt":"2025-04-01T00:00:00Z"}
{"externalId":"p2","firstName":"Bob","email":"bob@initech.example","companyDomain":"initech.example"}
{"externalId":"p3","firstName":"Cy","email":"cy@x.example","companyExternalId":"nope"}
{"firstName":"Dee","email":"not an email"}
{"firstName":"Eve","favouriteColour":"red"}
{"firstName": "Fay", oops}
"#,
    );
    let events_before = events_of(&app, "contact.created").await;
    let done = import(&app, "contacts", &contacts, &[]);
    assert_eq!(count(&done, "created"), 2, "{}", stdout(&done));
    assert_eq!(
        refusals(&done),
        vec![
            (3, "companyExternalId".into(), "NOT_FOUND".into()),
            (4, "email".into(), "BAD_USER_INPUT".into()),
            (5, "favouriteColour".into(), "BAD_USER_INPUT".into()),
            (6, "-".into(), "BAD_USER_INPUT".into()),
        ]
    );
    let listed = app.data(CONTACTS, json!({})).await;
    let ada = &listed["contacts"]["nodes"][0];
    assert_eq!(
        ada["createdAt"], "2025-04-01T00:00:00+00:00",
        "its history kept"
    );
    assert_eq!(ada["company"]["name"], "Acme");
    assert_eq!(
        ada["externalIds"],
        json!([{ "source": "import", "id": "p1" }])
    );
    assert_eq!(
        listed["contacts"]["nodes"][1]["company"]["name"],
        "Initech, Inc."
    );
    // Consumers get one summary per batch and topic, not an event per record.
    assert_eq!(events_of(&app, "contact.created").await, events_before);
    assert!(events_of(&app, "import.committed").await >= 1);

    // A re-run changes nothing; with ERROR the existing records are conflicts.
    let again = import(&app, "contacts", &contacts, &[]);
    assert_eq!((count(&again, "created"), count(&again, "skipped")), (0, 2));
    let strict = import(&app, "contacts", &contacts, &["--on-conflict", "error"]);
    assert_eq!(refusals(&strict)[0], (1, "-".into(), "CONFLICT".into()));

    // Updates: by external id, then by email; the same values change nothing.
    let changed = write(
        dir.path(),
        "changed.csv",
        b"externalId,firstName,email,jobTitle,companyExternalId\n\
          p1,Ada,ada@acme.example,CTO,c1\n\
          ,Bob,BOB@initech.example,,c3\n",
    );
    let done = import(&app, "contacts", &changed, &["--on-conflict", "update"]);
    assert!(done.status.success(), "{}", stdout(&done));
    assert_eq!(
        (count(&done, "updated"), count(&done, "unchanged")),
        (1, 1),
        "{}",
        stdout(&done)
    );
    let listed = app.data(CONTACTS, json!({})).await;
    assert_eq!(listed["contacts"]["nodes"][0]["jobTitle"], "CTO");

    // A dry run checks and writes nothing.
    let fresh = write(
        dir.path(),
        "fresh.csv",
        b"firstName,email\nGus,gus@example.com\n",
    );
    let dry = import(&app, "contacts", &fresh, &["--dry-run"]);
    assert!(dry.status.success());
    assert_eq!(count(&dry, "created"), 1);
    let total = app.data("{ contacts { totalCount } }", json!({})).await;
    assert_eq!(total["contacts"]["totalCount"], 2);

    // Unknown columns are reported, not guessed; ragged rows are refused.
    let unknown = write(
        dir.path(),
        "unknown.csv",
        b"firstName,emial\nHal,hal@example.com\n",
    );
    let refused = import(&app, "contacts", &unknown, &[]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("emial"));
    let ignored = import(&app, "contacts", &unknown, &["--ignore-column", "emial"]);
    assert!(ignored.status.success(), "{}", stdout(&ignored));
    let ragged = write(
        dir.path(),
        "ragged.csv",
        b"firstName,email\nIvy\nJo,jo@example.com\nKim,\xe9@x\n",
    );
    let done = import(&app, "contacts", &ragged, &[]);
    assert_eq!(count(&done, "created"), 1);
    let lines: Vec<u64> = refusals(&done).into_iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![2, 4], "{}", stdout(&done));
}

fn sorted(value: &Value) -> Vec<String> {
    let mut items: Vec<String> = value
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect();
    items.sort();
    items
}

async fn a_year_of_deals_and_tickets_gives_the_hand_computed_analytics(app: TestApp) {
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    fixtures::contact(
        &app,
        json!({ "firstName": "Ada", "email": "ada@example.com" }),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    // Q = Qualification, P = Proposal. Stays: D1 Q 10 P 20, D2 Q 4 P 10,
    // D3 Q 10, D4 Q 2 P 18, D6 Q 10 P 1; D5 stays open.
    let deals = write(
        dir.path(),
        "deals.jsonl",
        br#"{"externalId":"d1","name":"D1","amount":"1000","currency":"EUR","pipeline":"Sales","createdAt":"2025-01-10T00:00:00Z","stages":[{"stage":"Qualification","at":"2025-01-10T00:00:00Z"},{"stage":"Proposal","at":"2025-01-20T00:00:00Z"}],"outcome":"WON","closedAt":"2025-02-09T00:00:00Z","reason":"Price","contactEmail":"ada@example.com"}
{"externalId":"d2","name":"D2","amount":500,"currency":"EUR","createdAt":"2025-03-01T00:00:00Z","stages":[{"stage":"Qualification","at":"2025-03-01T00:00:00Z"},{"stage":"Proposal","at":"2025-03-05T00:00:00Z"}],"outcome":"LOST","closedAt":"2025-03-15T00:00:00Z","reason":"Budget"}
{"externalId":"d3","name":"D3","amount":"2000.00","currency":"EUR","createdAt":"2025-04-01T00:00:00Z","outcome":"WON","closedAt":"2025-04-11T00:00:00Z","reason":"Price"}
{"externalId":"d4","name":"D4","amount":"300","currency":"EUR","createdAt":"2025-06-01T00:00:00Z","stage":"Proposal","stageEnteredAt":"2025-06-03T00:00:00Z","outcome":"won","closedAt":"2025-06-21T00:00:00Z","reason":"Referral"}
{"externalId":"d5","name":"D5","amount":"700","currency":"EUR","createdAt":"2025-07-01T00:00:00Z"}
{"externalId":"d6","name":"D6","amount":"100","currency":"EUR","createdAt":"2025-09-01T00:00:00Z","stages":[{"stage":"Qualification","at":"2025-09-01T00:00:00Z"},{"stage":"Proposal","at":"2025-09-11T00:00:00Z"}],"outcome":"LOST","closedAt":"2025-09-12T00:00:00Z","reason":"Budget"}
{"externalId":"d7","name":"D7","amount":"1.001","currency":"EUR","createdAt":"2025-10-01T00:00:00Z"}
{"externalId":"d8","name":"D8","amount":"10","currency":"EUR","createdAt":"2025-10-01T00:00:00Z","stages":[{"stage":"Proposal","at":"2025-10-02T00:00:00Z"}]}
{"externalId":"d9","name":"D9","amount":"10","currency":"EUR","createdAt":"2025-10-01T00:00:00Z","stages":[{"stage":"Qualification","at":"2025-10-01T00:00:00Z"},{"stage":"Nowhere","at":"2025-10-02T00:00:00Z"}]}
{"externalId":"d10","name":"D10","amount":"10","currency":"EUR","createdAt":"2025-10-01T00:00:00Z","outcome":"WON","closedAt":"2025-09-01T00:00:00Z","reason":"Price"}
"#,
    );
    let done = import(&app, "deals", &deals, &[]);
    assert_eq!(count(&done, "created"), 6, "{}", stdout(&done));
    assert_eq!(
        refusals(&done),
        vec![
            (7, "amount".into(), "BAD_USER_INPUT".into()),
            (8, "stages.0.at".into(), "BAD_USER_INPUT".into()),
            (9, "stages.1.stage".into(), "NOT_FOUND".into()),
            (10, "closedAt".into(), "BAD_USER_INPUT".into()),
        ]
    );
    // Rows out of time order: numbers follow openedAt.
    let tickets = write(
        dir.path(),
        "tickets.csv",
        b"externalId,subject,category,contactEmail,openedAt,firstResponseAt,resolvedAt,closedAt,status\n\
          t3,Third,bug,ada@example.com,2025-05-01T00:00:00Z,,2025-05-02T00:00:00Z,,\n\
          t1,First,billing,,2025-01-05T10:00:00Z,2025-01-05T12:00:00Z,2025-01-05T16:00:00Z,2025-01-06T00:00:00Z,CLOSED\n\
          t2,Second,billing,,2025-02-01T00:00:00Z,,,,PENDING\n\
          t4,Fourth,,,2025-06-01T00:00:00Z,,2025-06-01T00:00:00Z,,\n\
          t5,Fifth,,,2025-06-02T00:00:00Z,,,,RESOLVED\n",
    );
    let done = import(&app, "tickets", &tickets, &[]);
    assert_eq!(count(&done, "created"), 4, "{}", stdout(&done));
    assert_eq!(
        refusals(&done),
        vec![(6, "resolvedAt".into(), "BAD_USER_INPUT".into())]
    );
    let listed = app
        .data("{ tickets(first: 10, orderBy: [{ field: NUMBER }]) { nodes { number subject status openedAt firstResponseAt resolvedAt closedAt contact { email } } } }", json!({}))
        .await;
    let nodes = listed["tickets"]["nodes"].as_array().unwrap();
    let subjects: Vec<&str> = nodes
        .iter()
        .map(|t| t["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["First", "Second", "Third", "Fourth"]);
    assert_eq!(
        nodes[0],
        json!({ "number": 1, "subject": "First", "status": "CLOSED", "openedAt": "2025-01-05T10:00:00+00:00",
                "firstResponseAt": "2025-01-05T12:00:00+00:00", "resolvedAt": "2025-01-05T16:00:00+00:00",
                "closedAt": "2025-01-06T00:00:00+00:00", "contact": null })
    );
    assert_eq!(nodes[1]["status"], "PENDING");
    assert_eq!(nodes[2]["contact"]["email"], "ada@example.com");

    app.at("2026-01-01T00:00:00Z");
    let year = analytics(
        &app,
        &app.token,
        &pipeline,
        "2025-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(
        year["dealOutcomes"],
        json!({ "won": 3, "lost": 2, "winRate": 0.6 })
    );
    assert_eq!(
        year["wonRevenue"],
        json!([{ "currency": "EUR", "amount": "3300.00", "count": 3 }])
    );
    assert_eq!(
        year["averageSalesCycleDays"],
        json!(20.0),
        "(30 + 10 + 20) / 3"
    );
    assert_eq!(
        year["timeInStage"],
        json!([
            { "stage": { "name": "Qualification" }, "stays": 5, "averageDays": 7.2 },
            { "stage": { "name": "Proposal" }, "stays": 4, "averageDays": 12.25 },
        ]),
        "Q (10 + 4 + 10 + 2 + 10) / 5, P (20 + 10 + 18 + 1) / 4"
    );
    assert_eq!(
        sorted(&year["closeReasons"]),
        sorted(&json!([
            { "outcome": "WON", "reason": "Price", "count": 2 },
            { "outcome": "WON", "reason": "Referral", "count": 1 },
            { "outcome": "LOST", "reason": "Budget", "count": 2 },
        ]))
    );
    assert_eq!(
        year["averageResolutionHours"],
        json!(10.0),
        "(6 + 24 + 0) / 3"
    );
    assert_eq!(
        sorted(&year["ticketVolume"]),
        sorted(
            &json!([{ "category": "billing", "count": 2 }, { "category": "bug", "count": 1 }, { "category": null, "count": 1 }])
        )
    );
    let first_quarter = analytics(
        &app,
        &app.token,
        &pipeline,
        "2025-01-01T00:00:00Z",
        "2025-04-01T00:00:00Z",
    )
    .await;
    assert_eq!(
        first_quarter["dealOutcomes"],
        json!({ "won": 1, "lost": 1, "winRate": 0.5 })
    );
    assert_eq!(first_quarter["averageSalesCycleDays"], json!(30.0));

    // The same file again changes nothing.
    let again = import(&app, "deals", &deals, &[]);
    assert_eq!(count(&again, "skipped"), 6);
    assert_eq!(
        analytics(
            &app,
            &app.token,
            &pipeline,
            "2025-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z"
        )
        .await,
        year
    );
}
