//! Signing in, invitations, member administration and API keys, and that a
//! revoked credential stops working at once, websockets included.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, error_code, member_token, on_both_databases, spawn_app};
use crate::ws::WsClient;
use entity::enums::Role;

const PASSWORD: &str = "a long enough password";

/// Invites `email` as `role` and accepts the invitation; returns the
/// member's id and token.
async fn invited(app: &TestApp, email: &str, role: &str) -> (String, String) {
    let invitation = app
        .data(
            "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { member { id active } invitationCode } }",
            json!({ "input": { "email": email, "name": "Invited", "role": role } }),
        )
        .await["inviteMember"]
        .clone();
    let workspace =
        rapport::graphql::ids::encode(rapport::graphql::ids::Kind::Workspace, app.workspace_id);
    let accepted = app
        .gql_as(
            "",
            "mutation($w: ID!, $e: String!, $c: String!, $p: String!) { acceptInvitation(workspaceId: $w, email: $e, code: $c, password: $p) { token member { id } } }",
            json!({ "w": workspace, "e": email, "c": invitation["invitationCode"], "p": PASSWORD }),
        )
        .await;
    assert!(accepted.get("errors").is_none(), "{accepted}");
    (
        invitation["member"]["id"].as_str().unwrap().to_owned(),
        accepted["data"]["acceptInvitation"]["token"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    app.gql_as(
        "",
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token member { email role } } }",
        json!({ "e": email, "p": password }),
    )
    .await
}

#[tokio::test]
async fn an_invited_member_sets_a_password_and_logs_in() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let (_, token) = invited(&app, "Rita@Example.com", "SALES").await;
    let me = app.gql_as(&token, "{ me { email role } }", json!({})).await;
    assert_eq!(
        me["data"]["me"],
        json!({ "email": "rita@example.com", "role": "SALES" })
    );
    let signed_in = login(&app, "rita@example.com", PASSWORD).await;
    assert_eq!(signed_in["data"]["login"]["member"]["role"], "SALES");
    let token = signed_in["data"]["login"]["token"].as_str().unwrap();
    assert!(
        app.gql_as(token, "{ me { id } }", json!({}))
            .await
            .get("errors")
            .is_none()
    );
    let wrong = login(&app, "rita@example.com", "not the password").await;
    assert_eq!(error_code(&wrong), "BAD_USER_INPUT");
    let unknown = login(&app, "nobody@example.com", PASSWORD).await;
    assert_eq!(
        unknown["errors"][0]["message"], wrong["errors"][0]["message"],
        "no hint that an email exists"
    );
}

#[tokio::test]
async fn repeated_failures_lock_the_account() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    invited(&app, "sam@example.com", "SALES").await;
    let mut codes = Vec::new();
    for n in 0..7 {
        let response = login(&app, "sam@example.com", &format!("guess number {n}")).await;
        codes.push(error_code(&response).to_owned());
    }
    assert_eq!(
        codes,
        [
            "BAD_USER_INPUT",
            "BAD_USER_INPUT",
            "BAD_USER_INPUT",
            "BAD_USER_INPUT",
            "BAD_USER_INPUT",
            "RATE_LIMITED",
            "RATE_LIMITED"
        ]
    );
    // Locked now, even with the right password; the lock says when to retry.
    let locked = login(&app, "sam@example.com", PASSWORD).await;
    assert_eq!(error_code(&locked), "RATE_LIMITED");
    assert!(
        locked["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn a_deactivated_member_is_refused_at_once_and_their_websocket_closes() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let (id, token) = invited(&app, "dee@example.com", "SUPPORT").await;
    let mut socket = WsClient::watching_tickets(&app.base, &token).await;
    let deactivated = app
        .data(
            "mutation($id: ID!) { deactivateMember(id: $id) { member { active } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(deactivated["deactivateMember"]["member"]["active"], false);
    let refused = app.gql_as(&token, "{ me { id } }", json!({})).await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED");
    socket.expect_close(4403).await;
    let relogin = login(&app, "dee@example.com", PASSWORD).await;
    assert_eq!(error_code(&relogin), "BAD_USER_INPUT");
    // Reactivated, the same token works again.
    app.data(
        "mutation($id: ID!) { reactivateMember(id: $id) { member { active } } }",
        json!({ "id": id }),
    )
    .await;
    assert!(
        app.gql_as(&token, "{ me { id } }", json!({}))
            .await
            .get("errors")
            .is_none()
    );
}

#[tokio::test]
async fn a_role_change_applies_from_the_next_request() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let (id, token) = invited(&app, "val@example.com", "SALES").await;
    let create = "mutation { createCompany(input: { name: \"Mine\" }) { company { id } } }";
    assert!(
        app.gql_as(&token, create, json!({}))
            .await
            .get("errors")
            .is_none()
    );
    app.data(
        "mutation($id: ID!) { setMemberRole(id: $id, role: VIEWER) { member { role } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        error_code(&app.gql_as(&token, create, json!({})).await),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn only_admins_manage_members_and_the_last_admin_stays() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let invite = "mutation { inviteMember(input: { email: \"x@example.com\", name: \"X\", role: ADMIN }) { invitationCode } }";
    assert_eq!(
        error_code(&app.gql_as(&manager, invite, json!({})).await),
        "FORBIDDEN"
    );
    let key = "mutation { createApiKey(input: { name: \"k\", role: ADMIN }) { key } }";
    assert_eq!(
        error_code(&app.gql_as(&manager, key, json!({})).await),
        "FORBIDDEN"
    );
    let me = app.data("{ me { id } }", json!({})).await["me"]["id"].clone();
    let demote = app
        .gql(
            "mutation($id: ID!) { setMemberRole(id: $id, role: MANAGER) { member { role } } }",
            json!({ "id": me }),
        )
        .await;
    assert_eq!(error_code(&demote), "BAD_USER_INPUT", "{demote}");
    let deactivate_self = app
        .gql(
            "mutation($id: ID!) { deactivateMember(id: $id) { member { id } } }",
            json!({ "id": me }),
        )
        .await;
    assert_eq!(error_code(&deactivate_self), "BAD_USER_INPUT");
}

on_both_databases!(an_api_key_is_shown_once_acts_with_its_role_and_dies_when_revoked);

pub(crate) async fn an_api_key_is_shown_once_acts_with_its_role_and_dies_when_revoked(
    app: TestApp,
) {
    let created = app
        .data(
            "mutation { createApiKey(input: { name: \"Helpdesk sync\", role: SUPPORT }) { key apiKey { id prefix role lastUsedAt } } }",
            json!({}),
        )
        .await["createApiKey"]
        .clone();
    let key = created["key"].as_str().unwrap().to_owned();
    let prefix = created["apiKey"]["prefix"].as_str().unwrap();
    assert!(key.starts_with("rpk_") && key.starts_with(prefix) && key.len() > prefix.len() + 20);
    // Only the hash is stored.
    let stored = entity::api_key::Entity::find()
        .filter(entity::api_key::Column::WorkspaceId.eq(app.workspace_id))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .all(|k| k.secret_hash != key && !k.secret_hash.contains(&key[4..]))
    );

    let ticket =
        "mutation { createTicket(input: { subject: \"From the key\" }) { ticket { id } } }";
    assert!(
        app.gql_as(&key, ticket, json!({}))
            .await
            .get("errors")
            .is_none()
    );
    let company = "mutation { createCompany(input: { name: \"No\" }) { company { id } } }";
    assert_eq!(
        error_code(&app.gql_as(&key, company, json!({})).await),
        "FORBIDDEN"
    );
    let wrong = format!("{prefix}{}", "A".repeat(key.len() - prefix.len()));
    assert_eq!(
        error_code(&app.gql_as(&wrong, "{ me { id } }", json!({})).await),
        "UNAUTHENTICATED"
    );

    let listed = app
        .data("{ apiKeys { prefix lastUsedAt revokedAt } }", json!({}))
        .await;
    assert_eq!(listed["apiKeys"][0]["prefix"], prefix);
    assert!(listed["apiKeys"][0]["lastUsedAt"].is_string(), "{listed}");
    assert!(
        !listed.to_string().contains(&key[prefix.len()..]),
        "the secret is never shown again"
    );

    let mut socket = WsClient::ready(&app.base, &key).await;
    app.data(
        "mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { revokedAt } } }",
        json!({ "id": created["apiKey"]["id"] }),
    )
    .await;
    assert_eq!(
        error_code(&app.gql_as(&key, "{ me { id } }", json!({})).await),
        "UNAUTHENTICATED"
    );
    socket.expect_close(4403).await;
}
