//! `archiveContacts`: the dry run counts and writes nothing, the real run
//! soft-deletes every match with a history entry each, an empty filter
//! needs `allContacts`, and only ADMIN and MANAGER may.

use entity::enums::Role;
use serde_json::json;

use crate::fixtures;
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(
    a_dry_run_counts_and_the_real_run_archives_every_match,
    an_empty_filter_archives_only_when_asked_to,
    sales_and_support_may_not_archive_contacts,
);

const ARCHIVE: &str = "mutation($filter: ContactFilter!, $dry: Boolean, $all: Boolean) { archiveContacts(filter: $filter, dryRun: $dry, allContacts: $all) { matched archived dryRun } }";
const COUNT: &str = "{ contacts { totalCount } }";
const HISTORY: &str = "query($id: ID!) { history(recordId: $id) { edges { node { kind } } } }";

async fn contacts(app: &TestApp, country: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            fixtures::contact(
                app,
                json!({ "firstName": format!("C{i}"), "lastName": country, "country": country }),
            )
            .await,
        );
    }
    ids
}

async fn a_dry_run_counts_and_the_real_run_archives_every_match(app: TestApp) {
    let gone = contacts(&app, "FR", 3).await;
    contacts(&app, "DE", 2).await;
    let filter = json!({ "country": { "eq": "FR" } });

    let dry = app
        .data(ARCHIVE, json!({ "filter": filter, "dry": true }))
        .await;
    assert_eq!(
        dry["archiveContacts"],
        json!({ "matched": 3, "archived": 0, "dryRun": true })
    );
    assert_eq!(
        app.data(COUNT, json!({})).await["contacts"]["totalCount"],
        5
    );

    let real = app.data(ARCHIVE, json!({ "filter": filter })).await;
    assert_eq!(
        real["archiveContacts"],
        json!({ "matched": 3, "archived": 3, "dryRun": false })
    );
    assert_eq!(
        app.data(COUNT, json!({})).await["contacts"]["totalCount"],
        2
    );
    for id in &gone {
        let history = app.data(HISTORY, json!({ "id": id })).await;
        assert_eq!(history["history"]["edges"][0]["node"]["kind"], "DELETED");
    }
    // Archived contacts no longer match: a second run finds nothing.
    let again = app
        .data(ARCHIVE, json!({ "filter": filter, "dry": true }))
        .await;
    assert_eq!(again["archiveContacts"]["matched"], 0);
}

async fn an_empty_filter_archives_only_when_asked_to(app: TestApp) {
    contacts(&app, "FR", 2).await;
    for filter in [json!({}), json!({ "and": [] })] {
        let refused = app.gql(ARCHIVE, json!({ "filter": filter })).await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT");
        assert_eq!(refused["errors"][0]["extensions"]["field"], "filter");
    }
    assert_eq!(
        app.data(COUNT, json!({})).await["contacts"]["totalCount"],
        2
    );
    let all = app
        .data(ARCHIVE, json!({ "filter": {}, "all": true }))
        .await;
    assert_eq!(all["archiveContacts"]["archived"], 2);
    assert_eq!(
        app.data(COUNT, json!({})).await["contacts"]["totalCount"],
        0
    );
}

async fn sales_and_support_may_not_archive_contacts(app: TestApp) {
    contacts(&app, "FR", 1).await;
    for role in [Role::Sales, Role::Support] {
        let token = member_token(&app.state, app.workspace_id, role).await;
        for dry in [true, false] {
            let refused = app
                .gql_as(
                    &token,
                    ARCHIVE,
                    json!({ "filter": { "country": { "eq": "FR" } }, "dry": dry }),
                )
                .await;
            assert_eq!(error_code(&refused), "FORBIDDEN", "{role:?} {refused}");
        }
    }
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let done = app
        .gql_as(
            &manager,
            ARCHIVE,
            json!({ "filter": { "country": { "eq": "FR" } } }),
        )
        .await;
    assert_eq!(done["data"]["archiveContacts"]["archived"], 1);
}
