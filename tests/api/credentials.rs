//! Signing in as clients do it: an invitation redeemed with what the API
//! gives out (the code alone is enough), the workspace id where a client
//! needs it, and a refused credential told apart from a missing one.

use rapport::auth::Actor;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, error_code, member_token, spawn_app};
use crate::ws::WsClient;
use entity::enums::Role;

const PASSWORD: &str = "a long enough password";

const ACCEPT: &str = "mutation($e: String!, $c: String!, $p: String!, $w: ID) {
    acceptInvitation(email: $e, code: $c, password: $p, workspaceId: $w) { token member { id workspaceId } }
}";

async fn invite(app: &TestApp, email: &str, role: &str) -> Value {
    app.data(
        "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { member { id } invitationCode workspaceId } }",
        json!({ "input": { "email": email, "name": "Invited", "role": role } }),
    )
    .await["inviteMember"]
        .clone()
}

#[tokio::test]
async fn an_invitation_is_redeemed_with_what_the_api_gives_out() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let mine = app
        .data("{ me { workspaceId } workspace { id name } }", json!({}))
        .await;
    let workspace_id = mine["workspace"]["id"].clone();
    assert_eq!(mine["me"]["workspaceId"], workspace_id);
    assert!(mine["workspace"]["name"].is_string(), "{mine}");

    // The invitation answer names the workspace, and the code alone redeems it.
    let invitation = invite(&app, "ana@example.com", "SALES").await;
    assert_eq!(invitation["workspaceId"], workspace_id);
    let code = invitation["invitationCode"].clone();
    let wrong = app
        .gql_as(
            "",
            ACCEPT,
            json!({ "e": "ana@example.com", "c": "inv_not-the-code", "p": PASSWORD }),
        )
        .await;
    assert_eq!(error_code(&wrong), "BAD_USER_INPUT", "{wrong}");
    let other_workspace =
        rapport::graphql::ids::encode(rapport::graphql::ids::Kind::Workspace, uuid::Uuid::nil());
    let elsewhere = app
        .gql_as(
            "",
            ACCEPT,
            json!({ "e": "ana@example.com", "c": code, "p": PASSWORD, "w": other_workspace }),
        )
        .await;
    assert_eq!(error_code(&elsewhere), "BAD_USER_INPUT", "{elsewhere}");
    let accepted = app
        .gql_as(
            "",
            ACCEPT,
            json!({ "e": "ana@example.com", "c": code, "p": PASSWORD }),
        )
        .await;
    assert!(accepted.get("errors").is_none(), "{accepted}");
    let accepted = &accepted["data"]["acceptInvitation"];
    assert_eq!(accepted["member"]["id"], invitation["member"]["id"]);
    assert_eq!(accepted["member"]["workspaceId"], workspace_id);
    let token = accepted["token"].as_str().unwrap();
    let me = app
        .gql_as(token, "{ me { role workspaceId } }", json!({}))
        .await;
    assert_eq!(
        me["data"]["me"],
        json!({ "role": "SALES", "workspaceId": workspace_id })
    );

    // Naming the workspace still works.
    let second = invite(&app, "bo@example.com", "VIEWER").await;
    let accepted = app
        .gql_as(
            "",
            ACCEPT,
            json!({ "e": "bo@example.com", "c": second["invitationCode"], "p": PASSWORD, "w": workspace_id }),
        )
        .await;
    assert!(accepted.get("errors").is_none(), "{accepted}");
}

/// The message and reason of an UNAUTHENTICATED answer to `{ me { id } }`.
async fn refusal(app: &TestApp, credential: &str) -> (String, Value) {
    let answer = app.gql_as(credential, "{ me { id } }", json!({})).await;
    assert_eq!(error_code(&answer), "UNAUTHENTICATED", "{answer}");
    let error = &answer["errors"][0];
    (
        error["message"].as_str().unwrap().to_owned(),
        error["extensions"]["reason"].clone(),
    )
}

#[tokio::test]
async fn each_refused_credential_says_why_under_unauthenticated() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let mut seen: Vec<(String, Value)> = Vec::new();
    let mut expect = |refused: (String, Value), reason: Value| {
        assert_eq!(refused.1, reason, "{refused:?}");
        assert!(
            seen.iter().all(|(message, _)| *message != refused.0),
            "{refused:?} said before"
        );
        seen.push(refused);
    };

    // No credential at all.
    expect(refusal(&app, "").await, Value::Null);
    // A token this server did not sign, and one it signed that expired.
    expect(refusal(&app, "not-a-token").await, json!("INVALID_TOKEN"));
    let admin = Actor::member(app.workspace_id, uuid::Uuid::now_v7(), Role::Admin);
    let expired = app.state.keys.issue(&admin, chrono::Duration::seconds(-60));
    expect(refusal(&app, &expired).await, json!("TOKEN_EXPIRED"));

    // A member's API key (acting as SUPPORT, below its ADMIN creator: `me.role`
    // is the key's), then the key revoked; a wrong secret learns nothing.
    let creator = member_token(&app.state, app.workspace_id, Role::Admin).await;
    let created = app
        .gql_as(
            &creator,
            "mutation { createApiKey(input: { name: \"sync\", role: SUPPORT }) { key apiKey { id prefix } } }",
            json!({}),
        )
        .await;
    let created = &created["data"]["createApiKey"];
    let key = created["key"].as_str().expect("key").to_owned();
    let prefix = created["apiKey"]["prefix"].as_str().unwrap();
    let me = app.gql_as(&key, "{ me { role } }", json!({})).await;
    assert_eq!(me["data"]["me"]["role"], "SUPPORT", "{me}");
    let wrong_secret = format!("{prefix}{}", "A".repeat(key.len() - prefix.len()));
    expect(refusal(&app, &wrong_secret).await, json!("INVALID_API_KEY"));
    let second = app
        .gql_as(
            &creator,
            "mutation { createApiKey(input: { name: \"other\", role: VIEWER }) { key } }",
            json!({}),
        )
        .await["data"]["createApiKey"]["key"]
        .as_str()
        .expect("key")
        .to_owned();
    app.data(
        "mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { revokedAt } } }",
        json!({ "id": created["apiKey"]["id"] }),
    )
    .await;
    expect(refusal(&app, &key).await, json!("API_KEY_REVOKED"));
    let wrong_secret = format!("{prefix}{}", "B".repeat(key.len() - prefix.len()));
    assert_eq!(
        refusal(&app, &wrong_secret).await.1,
        json!("INVALID_API_KEY"),
        "only the right secret learns of the revocation"
    );

    // The creator deactivated: their token, then the key they made.
    let creator_id =
        app.gql_as(&creator, "{ me { id } }", json!({})).await["data"]["me"]["id"].clone();
    app.data(
        "mutation($id: ID!) { deactivateMember(id: $id) { member { active } } }",
        json!({ "id": creator_id }),
    )
    .await;
    expect(refusal(&app, &creator).await, json!("MEMBER_DEACTIVATED"));
    expect(
        refusal(&app, &second).await,
        json!("API_KEY_CREATOR_DEACTIVATED"),
    );

    // A websocket hears the same reason when it closes.
    let mut socket = WsClient::connect(&app.base, "graphql-transport-ws").await;
    socket
        .send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {key}") } }))
        .await;
    let reason = socket.expect_close(4403).await;
    assert!(reason.contains("revoked"), "{reason}");
    // A field that needs no actor still runs with a refused credential.
    let typename = app.gql_as(&key, "{ __typename }", json!({})).await;
    assert_eq!(typename["data"]["__typename"], "Query", "{typename}");
}
