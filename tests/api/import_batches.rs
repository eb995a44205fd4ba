//! An import batch writes the rows that simply create a company or contact
//! together (multi-row statements) and every other row one by one: both
//! ways leave the same record, score, figures, external ids and history,
//! and a row that matches another row of the batch is matched, not doubled.

use serde_json::{Value, json};

use crate::fixtures::mutate;
use crate::helpers::{TestApp, on_both_databases};
use crate::import::{count, import, refusals, stdout, write};

on_both_databases!(
    rows_written_together_and_one_by_one_come_out_the_same,
    a_large_import_keeps_the_planner_statistics_up,
);

const PEOPLE: &str = "{ contacts(orderBy: [{ field: FIRST_NAME }]) { nodes { firstName email leadScore createdAt company { name leadScore } externalIds { source id } leadScoreHistory { previous score reason changedAt } history { nodes { kind at changes { field } } } } } }";

/// The fields a history entry's changes name, sorted.
fn changed_fields(entry: &Value) -> Vec<String> {
    let mut fields: Vec<String> = entry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    fields
}

/// Whether the batch's quick path held (it logs when it falls back).
fn written_together(done: &std::process::Output) -> bool {
    let log = String::from_utf8_lossy(&done.stderr);
    !log.contains("quick path failed")
}

async fn rows_written_together_and_one_by_one_come_out_the_same(app: TestApp) {
    mutate(&app, "mutation { createLeadScoringRule(input: { name: \"CEOs\", target: JOB_TITLE, contains: \"ceo\", points: 30 }) { rescoredContacts } }", json!({})).await;
    mutate(
        &app,
        "mutation { createContact(input: { firstName: \"Old\", email: \"old@example.com\" }) { contact { id } } }",
        json!({}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let companies = write(
        dir.path(),
        "companies.csv",
        b"externalId,name,domain,createdAt\n\
          c1,Acme,acme.example,2025-01-01\n\
          c2,Globex,globex.example,2025-01-02\n\
          c2,Globex again,,2025-01-03\n",
    );
    let done = import(&app, "companies", &companies, &[]);
    assert!(written_together(&done));
    // The repeated external id: the second row matches the first.
    assert_eq!(
        (count(&done, "created"), count(&done, "skipped")),
        (2, 1),
        "{}",
        stdout(&done)
    );

    // Ada creates simply; Bob's email is repeated by Bobby's row, so both
    // go one by one and Bobby matches Bob; Old exists; Cy's company does not.
    let contacts = write(
        dir.path(),
        "contacts.csv",
        b"externalId,firstName,lastName,email,jobTitle,companyExternalId,createdAt\n\
          p1,Ada,,ada@acme.example,CEO,c1,2025-02-01T10:00:00Z\n\
          p2,Bob,,bob@globex.example,CEO,c2,2025-02-01T10:00:00Z\n\
          p3,Bobby,,BOB@globex.example,CEO,c2,2025-02-02T10:00:00Z\n\
          ,Old,,old@example.com,,,\n\
          p4,Cy,,cy@example.com,,nope,\n\
          p5,Dee,Lee,dee.lee@acme.example,,c1,\n\
          p6,Deedee,Lee,deedee.lee@acme.example,,c1,\n",
    );
    let done = import(&app, "contacts", &contacts, &[]);
    assert!(written_together(&done));
    assert_eq!(
        (count(&done, "created"), count(&done, "skipped")),
        (4, 2),
        "{}",
        stdout(&done)
    );
    assert_eq!(
        refusals(&done),
        vec![(6, "companyExternalId".into(), "NOT_FOUND".into())]
    );

    let people = app.data(PEOPLE, json!({})).await["contacts"]["nodes"].clone();
    let names: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["firstName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada", "Bob", "Dee", "Deedee", "Old"]);
    let (ada, bob) = (&people[0], &people[1]);
    for (person, company, id) in [(ada, "Acme", "p1"), (bob, "Globex", "p2")] {
        assert_eq!(person["createdAt"], "2025-02-01T10:00:00+00:00");
        assert_eq!(person["leadScore"], 30, "{person}");
        assert_eq!(
            person["company"],
            json!({ "name": company, "leadScore": 30 })
        );
        assert_eq!(
            person["externalIds"],
            json!([{ "source": "import", "id": id }])
        );
        assert_eq!(
            person["leadScoreHistory"],
            json!([{ "previous": 0, "score": 30, "reason": "contact created", "changedAt": "2025-02-01T10:00:00+00:00" }])
        );
        let history = person["history"]["nodes"].as_array().unwrap();
        assert_eq!(history.len(), 1, "{person}");
        assert_eq!(history[0]["kind"], "CREATED");
        assert_eq!(history[0]["at"], "2025-02-01T10:00:00+00:00");
    }
    // One entry names the same fields whichever way the row was written.
    assert_eq!(
        changed_fields(&ada["history"]["nodes"][0]),
        changed_fields(&bob["history"]["nodes"][0])
    );

    // Two rows written in one statement are found as duplicates of each other.
    let pairs = "{ duplicateContacts(first: 10) { nodes { reasons record { firstName } duplicate { firstName } } } }";
    let found = app.data(pairs, json!({})).await["duplicateContacts"]["nodes"].clone();
    assert_eq!(
        found,
        json!([{ "reasons": ["SIMILAR_NAME_AT_COMPANY"], "record": { "firstName": "Dee" }, "duplicate": { "firstName": "Deedee" } }])
    );

    // A re-run finds every record the batch wrote, by external id or email.
    let again = import(&app, "contacts", &contacts, &[]);
    assert_eq!(
        (count(&again, "created"), count(&again, "skipped")),
        (0, 6),
        "{}",
        stdout(&again)
    );
}

/// PostgreSQL: an import that creates 1,000 records or more analyses the
/// tables it grows (plans made for the empty tables would scan them).
async fn a_large_import_keeps_the_planner_statistics_up(app: TestApp) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("externalId,name,domain\n");
    for i in 0..1_200 {
        csv.push_str(&format!("c{i},Company {i},company{i}.example\n"));
    }
    let file = write(dir.path(), "companies.csv", csv.as_bytes());
    let done = import(&app, "companies", &file, &[]);
    assert_eq!(count(&done, "created"), 1_200, "{}", stdout(&done));
    let db = &app.state.db;
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let analysed = "SELECT count(*) AS n FROM pg_stat_user_tables WHERE relname IN ('company', 'company_duplicate', 'search_document') AND last_analyze IS NOT NULL";
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, analysed))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 3);
}
