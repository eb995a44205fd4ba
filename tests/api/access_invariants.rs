//! Access invariants that must hold under concurrency and after role
//! changes: the workspace keeps an accepted, active ADMIN; an API key never
//! outranks its creator; history follows the record's own read rule.

use entity::enums::Role;
use entity::member;
use rapport::graphql::ids::{self, Kind};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(
    two_admins_demoting_each_other_at_once_leave_an_admin,
    two_admins_deactivating_each_other_at_once_leave_an_admin,
    the_last_accepted_admin_stays_while_only_an_invitation_is_pending,
    an_admin_key_acts_no_higher_than_its_creator_now_is,
    history_follows_the_records_own_read_rule,
);

/// Rounds of two simultaneous requests; the race was lost every time before.
const ROUNDS: usize = 10;

const SET_ROLE: &str =
    "mutation($id: ID!, $role: Role!) { setMemberRole(id: $id, role: $role) { member { role } } }";
const DEACTIVATE: &str = "mutation($id: ID!) { deactivateMember(id: $id) { member { active } } }";
const REACTIVATE: &str = "mutation($id: ID!) { reactivateMember(id: $id) { member { active } } }";
const CREATE_COMPANY: &str =
    "mutation($name: String!) { createCompany(input: { name: $name }) { company { id } } }";

async fn my_id(app: &TestApp, token: &str) -> String {
    let me = app.gql_as(token, "{ me { id } }", json!({})).await;
    me["data"]["me"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{me}"))
        .to_owned()
}

/// Active ADMINs of workspace A who accepted their invitation, as stored.
async fn counted_admins(app: &TestApp) -> u64 {
    member::Entity::find()
        .filter(member::Column::WorkspaceId.eq(app.workspace_id))
        .filter(member::Column::Role.eq(Role::Admin))
        .filter(member::Column::DeactivatedAt.is_null())
        .filter(member::Column::InvitationHash.is_null())
        .count(&app.state.db)
        .await
        .expect("count")
}

fn ok(response: &Value) -> bool {
    response.get("errors").is_none()
}

/// Sends `query` as `a` (about `b_id`) and as `b` (about `a_id`) at the same
/// moment; returns both answers.
async fn crosswise(
    app: &TestApp,
    query: &str,
    (a, a_id): (&str, &str),
    (b, b_id): (&str, &str),
    extra: Value,
) -> (Value, Value) {
    let vars = |id: &str| {
        let mut v = extra.clone();
        v["id"] = json!(id);
        v
    };
    tokio::join!(
        app.gql_as(a, query, vars(b_id)),
        app.gql_as(b, query, vars(a_id))
    )
}

async fn two_admins_demoting_each_other_at_once_leave_an_admin(app: TestApp) {
    let a = app.token.clone();
    let b = member_token(&app.state, app.workspace_id, Role::Admin).await;
    let (a_id, b_id) = (my_id(&app, &a).await, my_id(&app, &b).await);
    for round in 0..ROUNDS {
        let (by_a, by_b) = crosswise(
            &app,
            SET_ROLE,
            (&a, &a_id),
            (&b, &b_id),
            json!({ "role": "MANAGER" }),
        )
        .await;
        assert!(
            ok(&by_a) != ok(&by_b),
            "round {round}: exactly one demotion goes through: {by_a} {by_b}"
        );
        let refused = if ok(&by_a) { &by_b } else { &by_a };
        assert!(
            ["BAD_USER_INPUT", "FORBIDDEN"].contains(&error_code(refused)),
            "{refused}"
        );
        assert_eq!(counted_admins(&app).await, 1, "round {round}");
        // The survivor makes the other an ADMIN again.
        let (survivor, other) = if ok(&by_a) { (&a, &b_id) } else { (&b, &a_id) };
        let back = app
            .gql_as(survivor, SET_ROLE, json!({ "id": other, "role": "ADMIN" }))
            .await;
        assert!(ok(&back), "{back}");
        assert_eq!(counted_admins(&app).await, 2);
    }
}

async fn two_admins_deactivating_each_other_at_once_leave_an_admin(app: TestApp) {
    let a = app.token.clone();
    let b = member_token(&app.state, app.workspace_id, Role::Admin).await;
    let (a_id, b_id) = (my_id(&app, &a).await, my_id(&app, &b).await);
    for round in 0..ROUNDS {
        let (by_a, by_b) = crosswise(&app, DEACTIVATE, (&a, &a_id), (&b, &b_id), json!({})).await;
        assert!(
            ok(&by_a) != ok(&by_b),
            "round {round}: exactly one deactivation goes through: {by_a} {by_b}"
        );
        assert_eq!(counted_admins(&app).await, 1, "round {round}");
        let (survivor, other, other_token) = if ok(&by_a) {
            (&a, &b_id, &b)
        } else {
            (&b, &a_id, &a)
        };
        assert_eq!(
            error_code(&app.gql_as(other_token, "{ me { id } }", json!({})).await),
            "UNAUTHENTICATED"
        );
        let back = app
            .gql_as(survivor, REACTIVATE, json!({ "id": other }))
            .await;
        assert!(ok(&back), "{back}");
        assert_eq!(counted_admins(&app).await, 2);
    }
}

async fn the_last_accepted_admin_stays_while_only_an_invitation_is_pending(app: TestApp) {
    let me = my_id(&app, &app.token).await;
    let invitation = mutate(
        &app,
        "mutation { inviteMember(input: { email: \"next@example.com\", name: \"Next\", role: ADMIN }) { member { id } invitationCode } }",
        json!({}),
    )
    .await;
    let demote_me = app
        .gql(SET_ROLE, json!({ "id": me, "role": "MANAGER" }))
        .await;
    assert_eq!(error_code(&demote_me), "BAD_USER_INPUT", "{demote_me}");
    assert_eq!(demote_me["errors"][0]["extensions"]["field"], "id");
    assert_eq!(counted_admins(&app).await, 1);

    // Once the invitation is accepted, that ADMIN counts and I may step down.
    let workspace = ids::encode(Kind::Workspace, app.workspace_id);
    let accepted = app
        .gql_as(
            "",
            "mutation($w: ID!, $c: String!) { acceptInvitation(workspaceId: $w, email: \"next@example.com\", code: $c, password: \"a long enough password\") { token } }",
            json!({ "w": workspace, "c": invitation["invitationCode"] }),
        )
        .await;
    assert!(ok(&accepted), "{accepted}");
    let stepped_down = app
        .gql(SET_ROLE, json!({ "id": me, "role": "MANAGER" }))
        .await;
    assert!(ok(&stepped_down), "{stepped_down}");
    assert_eq!(counted_admins(&app).await, 1);
}

async fn an_admin_key_acts_no_higher_than_its_creator_now_is(app: TestApp) {
    let creator = member_token(&app.state, app.workspace_id, Role::Admin).await;
    let creator_id = my_id(&app, &creator).await;
    let key = app.api_key(&creator, "Importer", "ADMIN").await;
    let viewer_key = app.api_key(&creator, "Reader", "VIEWER").await;
    // `me.role` with a key is the role the key acts with, not its creator's.
    let me = app.gql_as(&viewer_key, "{ me { role } }", json!({})).await;
    assert_eq!(me["data"]["me"]["role"], "VIEWER", "{me}");
    let write = |name: &str| json!({ "name": name });
    assert!(ok(&app
        .gql_as(&key, CREATE_COMPANY, write("As ADMIN"))
        .await));

    // The creator is demoted to VIEWER: the ADMIN key reads, as a VIEWER.
    let demoted = app
        .gql(SET_ROLE, json!({ "id": creator_id, "role": "VIEWER" }))
        .await;
    assert!(ok(&demoted), "{demoted}");
    let refused = app.gql_as(&key, CREATE_COMPANY, write("No")).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let read = app
        .gql_as(
            &key,
            "{ companies(first: 5) { nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read["data"]["companies"]["nodes"],
        json!([{ "name": "As ADMIN" }]),
        "{read}"
    );

    // MANAGER: the key writes records again but manages no members or keys.
    app.data(SET_ROLE, json!({ "id": creator_id, "role": "MANAGER" }))
        .await;
    assert!(ok(&app
        .gql_as(&key, CREATE_COMPANY, write("As MANAGER"))
        .await));
    let invite = app
        .gql_as(
            &key,
            "mutation { inviteMember(input: { email: \"k@example.com\", name: \"K\", role: ADMIN }) { invitationCode } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&invite), "FORBIDDEN", "{invite}");
    let promote_self = app
        .gql_as(&key, SET_ROLE, json!({ "id": creator_id, "role": "ADMIN" }))
        .await;
    assert_eq!(error_code(&promote_self), "FORBIDDEN", "{promote_self}");

    // SUPPORT: the ADMIN key sees no deal amounts; the VIEWER key, which
    // would read amounts yet may not write tickets, has no role left to act
    // with and is refused until the creator's role changes again.
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    let deal = fixtures::deal(
        &app,
        json!({ "name": "Big", "amount": "1000", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    app.data(SET_ROLE, json!({ "id": creator_id, "role": "SUPPORT" }))
        .await;
    let amount = "query($id: ID!) { node(id: $id) { ... on Deal { amount } } }";
    let as_support = app.gql_as(&key, amount, json!({ "id": deal })).await;
    assert_eq!(
        as_support,
        json!({ "data": { "node": { "amount": null } } })
    );
    let ticket = "mutation { createTicket(input: { subject: \"Via key\" }) { ticket { id } } }";
    assert!(ok(&app.gql_as(&key, ticket, json!({})).await));
    assert_eq!(
        error_code(&app.gql_as(&viewer_key, amount, json!({ "id": deal })).await),
        "UNAUTHENTICATED"
    );
    app.data(SET_ROLE, json!({ "id": creator_id, "role": "SALES" }))
        .await;
    let as_viewer = app.gql_as(&viewer_key, amount, json!({ "id": deal })).await;
    assert_eq!(
        as_viewer,
        json!({ "data": { "node": { "amount": "1000.00" } } })
    );
    assert_eq!(
        error_code(&app.gql_as(&viewer_key, CREATE_COMPANY, write("No")).await),
        "FORBIDDEN"
    );

    // A deactivated creator's key stops working altogether.
    app.data(DEACTIVATE, json!({ "id": creator_id })).await;
    assert_eq!(
        error_code(&app.gql_as(&key, "{ me { id } }", json!({})).await),
        "UNAUTHENTICATED"
    );
}

const HISTORY: &str = "query($id: ID!) { history(recordId: $id) { edges { node { kind apiKey { name role } member { id } changes { field after } } } } }";

async fn history_follows_the_records_own_read_rule(app: TestApp) {
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let created = mutate(
        &app,
        "mutation { createApiKey(input: { name: \"Secret sync\", role: ADMIN }) { key apiKey { id } } }",
        json!({}),
    )
    .await;
    let key_id = created["apiKey"]["id"].as_str().unwrap().to_owned();
    let key = created["key"].as_str().unwrap().to_owned();
    let invited = mutate(
        &app,
        "mutation { inviteMember(input: { email: \"hist@example.com\", name: \"Hist\", role: SALES }) { member { id } } }",
        json!({}),
    )
    .await["member"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.data(SET_ROLE, json!({ "id": invited, "role": "SUPPORT" }))
        .await;

    // ADMIN reads both histories.
    for id in [&key_id, &invited] {
        let entries = app.data(HISTORY, json!({ "id": id })).await["history"]["edges"].clone();
        assert!(!entries.as_array().unwrap().is_empty(), "{entries}");
    }

    // MANAGER reads members (as `node` and `members`), so their history too.
    let member_history = app
        .gql_as(&manager, HISTORY, json!({ "id": invited }))
        .await;
    assert_eq!(
        member_history["data"]["history"]["edges"][0]["node"]["kind"], "ROLE_CHANGED",
        "{member_history}"
    );

    // An API key is ADMIN's: for MANAGER, the answer of a record that is
    // not there, as `node` answers null.
    let (_, key_uuid) = ids::decode_any(&key_id).unwrap();
    let nowhere = ids::encode(Kind::ApiKey, uuid::Uuid::now_v7());
    let absent = app
        .gql_as(&manager, HISTORY, json!({ "id": nowhere }))
        .await;
    assert_eq!(absent, json!({ "data": { "history": { "edges": [] } } }));
    for id in [
        key_id.to_string(),
        // The key's uuid under other types' ids.
        ids::encode(Kind::Company, key_uuid).to_string(),
        ids::encode(Kind::Member, key_uuid).to_string(),
    ] {
        let answer = app.gql_as(&manager, HISTORY, json!({ "id": id })).await;
        assert_eq!(answer, absent, "{id}");
        let node = app
            .gql_as(
                &manager,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(node["data"]["node"], Value::Null, "{node}");
    }

    // A change made with the key: MANAGER sees the author, not the key.
    let company = fixtures::company(&app, json!({ "name": "Acme" })).await;
    let renamed = app
        .gql_as(
            &key,
            "mutation($id: ID!) { updateCompany(id: $id, input: { name: \"Acme Corp\" }) { company { id } } }",
            json!({ "id": company }),
        )
        .await;
    assert!(ok(&renamed), "{renamed}");
    let as_manager = app
        .gql_as(&manager, HISTORY, json!({ "id": company }))
        .await;
    let newest = &as_manager["data"]["history"]["edges"][0]["node"];
    assert_eq!(newest["kind"], "UPDATED", "{as_manager}");
    assert_eq!(newest["apiKey"], Value::Null, "{as_manager}");
    assert!(newest["member"]["id"].is_string(), "{as_manager}");
    assert!(!as_manager.to_string().contains("Secret sync"));
    let as_admin = app.data(HISTORY, json!({ "id": company })).await;
    assert_eq!(
        as_admin["history"]["edges"][0]["node"]["apiKey"],
        json!({ "name": "Secret sync", "role": "ADMIN" })
    );

    // SUPPORT, who sees no deal amounts, reads no history of a deal at all.
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    let deal = fixtures::deal(
        &app,
        json!({ "name": "Big", "amount": "98765.43", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    let by_id = app.gql_as(&support, HISTORY, json!({ "id": deal })).await;
    assert_eq!(error_code(&by_id), "FORBIDDEN", "{by_id}");
    let by_field = app
        .gql_as(
            &support,
            "query($id: ID!) { node(id: $id) { ... on Deal { amount history { edges { node { changes { field after } } } } } } }",
            json!({ "id": deal }),
        )
        .await;
    assert_eq!(error_code(&by_field), "FORBIDDEN", "{by_field}");
    assert!(!by_field.to_string().contains("98765"), "{by_field}");
}
