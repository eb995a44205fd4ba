//! Visibility per role: a workspace narrows what a role reads of deals,
//! companies and contacts to its team's (`TEAM`) or its own (`OWNED`)
//! records, unowned ones always included. Checked on lists, nested lists,
//! `node`, groups, search, exports, history, writes, relation filters, and
//! the whole-workspace figures a narrowed role is refused (its analytics
//! are in `analytics_scope`, its search pages and pipeline events in
//! `visibility_paths`).

use entity::enums::Role;
use serde_json::{Value, json};

use crate::export::export;
use crate::fixtures::{company, contact, deal, mutate, pipeline};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};
use crate::ws::WsClient;

on_both_databases!(
    a_narrowed_role_reads_its_teams_or_its_own_records,
    only_admin_sets_visibility_and_never_for_itself,
    teams_hold_members_and_changes_apply_at_once,
    a_change_closes_the_workspaces_websockets,
    a_narrowed_leaderboard_ranks_the_readers_team,
);

/// A SALES member: its token and member id.
pub async fn sales(app: &TestApp) -> (String, String) {
    let token = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let me = app.gql_as(&token, "{ me { id } }", json!({})).await;
    let id = me["data"]["me"]["id"].as_str().expect("me").to_owned();
    (token, id)
}

async fn put_in_team(app: &TestApp, member: &str, team: Option<&str>) {
    mutate(
        app,
        "mutation($m: ID!, $t: ID) { setMemberTeam(memberId: $m, teamId: $t) { member { id } } }",
        json!({ "m": member, "t": team }),
    )
    .await;
}

async fn narrow(app: &TestApp, role: &str, deals: &str, companies: &str, contacts: &str) -> Value {
    mutate(
        app,
        "mutation($r: Role!, $d: Visibility!, $co: Visibility!, $ct: Visibility!) { setRoleVisibility(role: $r, deals: $d, companies: $co, contacts: $ct) { role deals companies contacts } }",
        json!({ "r": role, "d": deals, "co": companies, "ct": contacts }),
    )
    .await
}

/// The names of the nodes of `data[field]`, sorted.
fn names(data: &Value, field: &str) -> Vec<String> {
    let mut names: Vec<String> = data[field]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{field}: {data}"))
        .iter()
        .map(|n| n["name"].as_str().expect("name").to_owned())
        .collect();
    names.sort();
    names
}

async fn a_narrowed_role_reads_its_teams_or_its_own_records(app: TestApp) {
    let team = mutate(
        &app,
        "mutation { createTeam(name: \"East\") { id } }",
        json!({}),
    )
    .await;
    let team = team["id"].as_str().unwrap().to_owned();
    let (ann, ann_id) = sales(&app).await;
    let (_bob, bob_id) = sales(&app).await;
    let (cid, cid_id) = sales(&app).await;
    put_in_team(&app, &ann_id, Some(&team)).await;
    put_in_team(&app, &bob_id, Some(&team)).await;
    let (pipeline, stages) = pipeline(&app, "Sales").await;
    let mut deals = Vec::new();
    for (name, owner) in [
        ("Ann deal", Some(&ann_id)),
        ("Bob deal", Some(&bob_id)),
        ("Cid deal", Some(&cid_id)),
        ("Open deal", None),
    ] {
        let id = deal(
            &app,
            json!({ "name": name, "amount": "100", "currency": "EUR", "pipelineId": pipeline, "stageId": stages[0], "ownerId": owner }),
        )
        .await;
        if owner.is_none() {
            // A new deal is its creator's: this one is given up.
            mutate(
                &app,
                "mutation($id: ID!) { updateDeal(id: $id, input: { ownerId: null }) { deal { owner { id } } } }",
                json!({ "id": id }),
            )
            .await;
        }
        deals.push(id);
    }
    let mut companies = Vec::new();
    for (name, owner) in [
        ("Ann co", Some(&ann_id)),
        ("Bob co", Some(&bob_id)),
        ("Open co", None),
    ] {
        companies.push(company(&app, json!({ "name": name, "ownerId": owner })).await);
    }
    for (first, owner) in [("Annie", Some(&ann_id)), ("Cidney", Some(&cid_id))] {
        contact(
            &app,
            json!({ "firstName": first, "ownerId": owner, "companyId": companies[2] }),
        )
        .await;
    }
    // Everyone reads everything by default.
    let all = app
        .gql_as(&ann, "{ deals(first: 10) { nodes { name } } }", json!({}))
        .await;
    assert_eq!(names(&all["data"], "deals").len(), 4, "{all}");

    let settings = narrow(&app, "SALES", "TEAM", "OWNED", "OWNED").await;
    assert_eq!(
        settings[2],
        json!({ "role": "SALES", "deals": "TEAM", "companies": "OWNED", "contacts": "OWNED" })
    );

    // Lists, on both read paths, and nested lists.
    let read = app
        .gql_as(
            &ann,
            "{ deals(first: 10) { totalCount nodes { name } } companies(first: 10) { nodes { name } } contacts(first: 10) { nodes { name: firstName } } }",
            json!({}),
        )
        .await;
    let data = &read["data"];
    assert_eq!(
        names(data, "deals"),
        ["Ann deal", "Bob deal", "Open deal"],
        "{read}"
    );
    assert_eq!(data["deals"]["totalCount"], 3);
    assert_eq!(names(data, "companies"), ["Ann co", "Open co"]);
    assert_eq!(names(data, "contacts"), ["Annie"]);
    let nested = app
        .gql_as(
            &ann,
            "query($id: ID!) { node(id: $id) { ... on Company { contacts(first: 10) { nodes { name: firstName } } } } }",
            json!({ "id": companies[2] }),
        )
        .await;
    assert_eq!(
        names(&nested["data"]["node"], "contacts"),
        ["Annie"],
        "{nested}"
    );
    // Cid, without a team, reads its own deals under TEAM.
    let cids = app
        .gql_as(&cid, "{ deals(first: 10) { nodes { name } } }", json!({}))
        .await;
    assert_eq!(names(&cids["data"], "deals"), ["Cid deal", "Open deal"]);

    // A record it does not read is absent: node, groups, search, export.
    let node = app
        .gql_as(
            &ann,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": deals[2] }),
        )
        .await;
    assert_eq!(node["data"]["node"], Value::Null, "{node}");
    let groups = app
        .gql_as(
            &ann,
            "{ dealGroups(groupBy: [{ field: STATUS }]) { count } }",
            json!({}),
        )
        .await;
    assert_eq!(groups["data"]["dealGroups"][0]["count"], 3, "{groups}");
    let search = app
        .gql_as(
            &ann,
            "{ search(query: \"deal\", types: [DEAL]) { edges { node { ... on Deal { name } } } } }",
            json!({}),
        )
        .await;
    let found: Vec<&str> = search["data"]["search"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert!(
        !found.contains(&"Cid deal") && found.contains(&"Ann deal"),
        "{search}"
    );
    let csv = export(&app, &ann, "deals.csv", &[])
        .await
        .text()
        .await
        .expect("body");
    assert!(
        csv.contains("Bob deal") && !csv.contains("Cid deal"),
        "{csv}"
    );

    // Writes to a record it does not read: not found.
    let update = app
        .gql_as(
            &ann,
            "mutation($id: ID!) { updateCompany(id: $id, input: { city: \"Oslo\" }) { company { id } } }",
            json!({ "id": companies[1] }),
        )
        .await;
    assert_eq!(error_code(&update), "NOT_FOUND", "{update}");

    // Refused: a relation filter into deals it reads only part of, and
    // duplicate pairs (SALES lists none, narrowed or not).
    for query in [
        "{ contacts(first: 5, filter: { deals: { some: { status: { eq: OPEN } } } }) { nodes { id } } }",
        "{ duplicateContacts(first: 5) { edges { cursor } } }",
    ] {
        let refused = app.gql_as(&ann, query, json!({})).await;
        assert_eq!(error_code(&refused), "FORBIDDEN", "{query}: {refused}");
    }
    // The dashboard counts the deals it reads.
    let dashboard = app
        .gql_as(
            &ann,
            "query($p: ID!) { pipelineDashboard(pipelineId: $p) { stages { count } } }",
            json!({ "p": pipeline }),
        )
        .await;
    let counted: i64 = dashboard["data"]["pipelineDashboard"]["stages"]
        .as_array()
        .unwrap_or_else(|| panic!("{dashboard}"))
        .iter()
        .map(|s| s["count"].as_i64().unwrap())
        .sum();
    assert_eq!(counted, 3, "{dashboard}");
    // The pipeline's events: only of the deals it reads.
    let cursor = app.data("{ eventCursor }", json!({})).await["eventCursor"].clone();
    let mut socket = WsClient::ready(&app.base, &ann).await;
    socket
        .subscribe(
            "p",
            "subscription($p: ID!, $after: String) { pipelineEvents(pipelineId: $p, after: $after) { deal { name } } }",
            json!({ "p": pipeline, "after": cursor }),
        )
        .await;
    for deal in [&deals[2], &deals[0]] {
        mutate(
            &app,
            "mutation($id: ID!, $s: ID!) { moveDeal(id: $id, stageId: $s) { deal { id } } }",
            json!({ "id": deal, "s": stages[1] }),
        )
        .await;
    }
    let heard = socket.next_data("p").await;
    assert_eq!(
        heard["pipelineEvents"]["deal"]["name"], "Ann deal",
        "{heard}"
    );
    // Its own figures it may have; another's not.
    let period = json!({ "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z" });
    let query = "query($p: PeriodInput!, $o: ID) { analytics(period: $p, ownerId: $o) { dealOutcomes { won } } }";
    let own = app
        .gql_as(&ann, query, json!({ "p": period, "o": ann_id }))
        .await;
    assert!(own.get("errors").is_none(), "{own}");
    let other = app
        .gql_as(&ann, query, json!({ "p": period, "o": cid_id }))
        .await;
    assert_eq!(error_code(&other), "FORBIDDEN", "{other}");

    // Other roles, and the admin, still read everything.
    let admin = app
        .data("{ deals(first: 10) { nodes { name } } }", json!({}))
        .await;
    assert_eq!(names(&admin, "deals").len(), 4);

    // History of a hidden record reads as none (a narrowed MANAGER).
    narrow(&app, "MANAGER", "OWNED", "ALL", "ALL").await;
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let history = app
        .gql_as(
            &manager,
            "query($id: ID!) { history(recordId: $id, first: 5) { totalCount } }",
            json!({ "id": deals[0] }),
        )
        .await;
    assert_eq!(history["data"]["history"]["totalCount"], 0, "{history}");
}

async fn only_admin_sets_visibility_and_never_for_itself(app: TestApp) {
    let (sales, _) = sales(&app).await;
    let query = "mutation { setRoleVisibility(role: SALES, deals: OWNED, companies: ALL, contacts: ALL) { role } }";
    let refused = app.gql_as(&sales, query, json!({})).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let admin = app
        .gql(
            "mutation { setRoleVisibility(role: ADMIN, deals: OWNED, companies: ALL, contacts: ALL) { role } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&admin), "BAD_USER_INPUT", "{admin}");
    assert_eq!(admin["errors"][0]["extensions"]["field"], "role", "{admin}");
    let shown = app
        .gql_as(&sales, "{ roleVisibility { role deals } }", json!({}))
        .await;
    assert_eq!(
        shown["data"]["roleVisibility"],
        json!([
            { "role": "ADMIN", "deals": "ALL" },
            { "role": "MANAGER", "deals": "ALL" },
            { "role": "SALES", "deals": "ALL" },
            { "role": "SUPPORT", "deals": "ALL" },
            { "role": "VIEWER", "deals": "ALL" },
        ])
    );
}

async fn teams_hold_members_and_changes_apply_at_once(app: TestApp) {
    let east = mutate(
        &app,
        "mutation { createTeam(name: \"East\") { id } }",
        json!({}),
    )
    .await;
    let east = east["id"].as_str().unwrap().to_owned();
    let taken = app
        .gql("mutation { createTeam(name: \"East\") { id } }", json!({}))
        .await;
    assert_eq!(error_code(&taken), "CONFLICT", "{taken}");
    let (ann, ann_id) = sales(&app).await;
    let (_bob, bob_id) = sales(&app).await;
    put_in_team(&app, &ann_id, Some(&east)).await;
    let (pipeline, stages) = pipeline(&app, "Sales").await;
    deal(
        &app,
        json!({ "name": "Bob deal", "amount": "1", "currency": "EUR", "pipelineId": pipeline, "stageId": stages[0], "ownerId": bob_id }),
    )
    .await;
    narrow(&app, "SALES", "TEAM", "ALL", "ALL").await;
    let count = |token: String| {
        let app = &app;
        async move {
            let read = app
                .gql_as(&token, "{ deals(first: 5) { totalCount } }", json!({}))
                .await;
            read["data"]["deals"]["totalCount"].as_i64().expect("count")
        }
    };
    assert_eq!(count(ann.clone()).await, 0);
    // Bob joins Ann's team: Ann reads his deal from her next request.
    put_in_team(&app, &bob_id, Some(&east)).await;
    assert_eq!(count(ann.clone()).await, 1);
    let teams = app
        .data("{ teams { name members { id } } }", json!({}))
        .await;
    assert_eq!(
        teams["teams"][0]["members"].as_array().map(Vec::len),
        Some(2)
    );
    // Deleting the team leaves both without one.
    mutate(
        &app,
        "mutation($id: ID!) { deleteTeam(id: $id) { name } }",
        json!({ "id": east }),
    )
    .await;
    assert_eq!(count(ann.clone()).await, 0);
    let me = app
        .gql_as(&ann, "{ me { team { name } } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["team"], Value::Null, "{me}");
}

async fn a_change_closes_the_workspaces_websockets(app: TestApp) {
    let (token, _) = sales(&app).await;
    let mut socket = WsClient::watching_tickets(&app.base, &token).await;
    // Another workspace's change leaves it open.
    app.gql_as(
        &app.other_token,
        "mutation { setRoleVisibility(role: SALES, deals: OWNED, companies: ALL, contacts: ALL) { role } }",
        json!({}),
    )
    .await;
    socket.send(json!({ "type": "ping" })).await;
    assert_eq!(socket.json().await["type"], "pong");
    narrow(&app, "SALES", "OWNED", "ALL", "ALL").await;
    socket.expect_close(4403).await;
    // Reconnected, it reads under the new setting.
    let read = app
        .gql_as(&token, "{ deals(first: 1) { totalCount } }", json!({}))
        .await;
    assert!(read.get("errors").is_none(), "{read}");
}

async fn a_narrowed_leaderboard_ranks_the_readers_team(app: TestApp) {
    let team = mutate(
        &app,
        "mutation { createTeam(name: \"West\") { id } }",
        json!({}),
    )
    .await;
    let team = team["id"].as_str().unwrap().to_owned();
    let (ann, ann_id) = sales(&app).await;
    let (_bob, bob_id) = sales(&app).await;
    let (_cid, cid_id) = sales(&app).await;
    put_in_team(&app, &ann_id, Some(&team)).await;
    put_in_team(&app, &bob_id, Some(&team)).await;
    // A goal puts each on the leaderboard.
    for member in [&ann_id, &bob_id, &cid_id] {
        mutate(
            &app,
            "mutation($input: CreateGoalInput!) { createGoal(input: $input) { goal { id } } }",
            json!({ "input": { "memberId": member, "periodStart": "2027-01-01", "periodEnd": "2027-12-31", "quota": "1000", "currency": "EUR" } }),
        )
        .await;
    }
    let query = "query($p: PeriodInput!) { leaderboard(period: $p) { member { id } } }";
    let period = json!({ "p": { "from": "2026-01-01T00:00:00Z", "to": "2030-01-01T00:00:00Z" } });
    let ranked = |token: String| {
        let (app, period) = (&app, period.clone());
        async move {
            let answer = app.gql_as(&token, query, period).await;
            let mut ids: Vec<String> = answer["data"]["leaderboard"]
                .as_array()
                .unwrap_or_else(|| panic!("{answer}"))
                .iter()
                .map(|e| e["member"]["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        }
    };
    let everyone = ranked(ann.clone()).await;
    assert!(everyone.contains(&cid_id), "{everyone:?}");
    narrow(&app, "SALES", "TEAM", "ALL", "ALL").await;
    let mut team_ids = vec![ann_id, bob_id];
    team_ids.sort();
    assert_eq!(ranked(ann).await, team_ids);
}
