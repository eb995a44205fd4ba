//! Login hardening: the lockout counts concurrent guesses, strangers cannot
//! lock a member out, a request checks one password at most, a login costs
//! one Argon2 verification whatever the email, the rate limit counts
//! operations, and forwarded addresses are believed from trusted proxies only.
//! Outcomes are counted by code and by the server's verification counter,
//! never by time.

use entity::enums::Role;
use rapport::config::Config;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::JsonAnswer;
use crate::helpers::{
    Backend, Member, TestApp, add_member, error_code, on_both_databases, spawn_app_with, workspace,
};

const PASSWORD: &str = "a long enough password";
const LOGIN: &str = "mutation($e: String!, $p: String!, $w: ID) { login(email: $e, password: $p, workspaceId: $w) { token member { email } } }";

/// A member of `workspace_id` who can log in with `password` (`None`: an
/// invited member who has not set one yet).
async fn member_with_password(
    app: &TestApp,
    workspace_id: Uuid,
    email: &str,
    password: Option<&str>,
) {
    let hash = match password {
        Some(password) => Some(
            app.state
                .passwords
                .hash(password.to_owned())
                .await
                .expect("hashed"),
        ),
        None => None,
    };
    let member = Member {
        id: Uuid::now_v7(),
        workspace_id,
        email,
        name: "Member",
        role: Role::Sales,
        password_hash: hash,
    };
    add_member(&app.state, member).await;
}

/// `login` sent without a token, as from `forwarded_for` when given.
async fn login_from(
    app: &TestApp,
    forwarded_for: Option<&str>,
    email: &str,
    password: &str,
    workspace: Option<Uuid>,
) -> Value {
    let workspace = workspace
        .map(|id| rapport::graphql::ids::encode(rapport::graphql::ids::Kind::Workspace, id));
    let mut request = app.client.post(format!("{}/graphql", app.base)).json(
        &json!({ "query": LOGIN, "variables": { "e": email, "p": password, "w": workspace } }),
    );
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request.answer().await
}

fn token(response: &Value) -> bool {
    response["data"]["login"]["token"].is_string()
}

/// Enough hashing slots that only the lockout refuses.
fn many_slots(config: &mut Config) {
    config.max_concurrent_password_checks = Some(64);
}

/// The test client (127.0.0.1) stands for a proxy.
fn behind_a_proxy(config: &mut Config) {
    config.trusted_proxies = "127.0.0.1, ::1".into();
}

on_both_databases!(with many_slots; concurrent_wrong_passwords_stop_at_the_limit);

async fn concurrent_wrong_passwords_stop_at_the_limit(app: TestApp) {
    member_with_password(&app, app.workspace_id, "sam@example.com", Some(PASSWORD)).await;
    let before = app.state.passwords.verifications();
    let guesses = (0..40).map(|n| {
        let app = &app;
        async move {
            login_from(
                app,
                None,
                "sam@example.com",
                &format!("guess number {n}"),
                None,
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let count = |code: &str| answers.iter().filter(|a| error_code(a) == code).count();
    let checked = count("BAD_USER_INPUT");
    assert!(
        (1..=5).contains(&checked),
        "{checked} wrong passwords were checked; 5 may be"
    );
    assert_eq!(count("RATE_LIMITED"), 40 - checked, "{answers:#?}");
    assert!(app.state.passwords.verifications() - before <= 5);
    // Locked now, even with the right password, for the window.
    let locked = login_from(&app, None, "sam@example.com", PASSWORD, None).await;
    assert_eq!(error_code(&locked), "RATE_LIMITED", "{locked}");
    if checked == 5 {
        assert!(
            locked["errors"][0]["extensions"]["retryAfter"]
                .as_u64()
                .unwrap()
                > 60
        );
    }
}

on_both_databases!(with behind_a_proxy; a_strangers_failures_do_not_lock_the_member_out);

async fn a_strangers_failures_do_not_lock_the_member_out(app: TestApp) {
    member_with_password(&app, app.workspace_id, "mia@example.com", Some(PASSWORD)).await;
    let stranger = Some("198.51.100.1, 203.0.113.66");
    for n in 0..10 {
        let wrong = login_from(
            &app,
            stranger,
            "mia@example.com",
            &format!("guess {n}"),
            None,
        )
        .await;
        let expected = if n < 5 {
            "BAD_USER_INPUT"
        } else {
            "RATE_LIMITED"
        };
        assert_eq!(error_code(&wrong), expected, "attempt {n}: {wrong}");
    }
    // Ten made-up emails from the stranger lock nobody out either.
    for n in 0..10 {
        let made_up = login_from(
            &app,
            stranger,
            &format!("nobody{n}@example.com"),
            PASSWORD,
            None,
        )
        .await;
        assert_eq!(error_code(&made_up), "BAD_USER_INPUT", "{made_up}");
    }
    let member = login_from(&app, Some("192.0.2.7"), "mia@example.com", PASSWORD, None).await;
    assert!(token(&member), "{member}");
    // The proxy's own address (no header) is another client again.
    let direct = login_from(&app, None, "mia@example.com", PASSWORD, None).await;
    assert!(token(&direct), "{direct}");
}

#[tokio::test]
async fn forwarded_addresses_from_an_untrusted_peer_are_ignored() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await.expect("app");
    member_with_password(&app, app.workspace_id, "ned@example.com", Some(PASSWORD)).await;
    for n in 0..5 {
        let wrong = login_from(
            &app,
            Some(&format!("203.0.113.{n}")),
            "ned@example.com",
            "a wrong password",
            None,
        )
        .await;
        assert_eq!(error_code(&wrong), "BAD_USER_INPUT", "{wrong}");
    }
    // Each guess claimed another address; all came from 127.0.0.1.
    let spoofed = login_from(&app, Some("192.0.2.7"), "ned@example.com", PASSWORD, None).await;
    assert_eq!(error_code(&spoofed), "RATE_LIMITED", "{spoofed}");
}

#[tokio::test]
async fn many_logins_in_one_request_are_refused_before_hashing() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await.expect("app");
    member_with_password(&app, app.workspace_id, "ola@example.com", Some(PASSWORD)).await;
    let before = app.state.passwords.verifications();
    for logins in [300, 2] {
        let aliased = (0..logins)
            .map(|n| format!("a{n}: login(email: \"ola@example.com\", password: \"guess number {n}\") {{ token }}"))
            .collect::<Vec<_>>()
            .join(" ");
        let refused = app
            .gql_as("", &format!("mutation {{ {aliased} }}"), json!({}))
            .await;
        assert_eq!(
            error_code(&refused),
            "TOO_MANY_PASSWORD_CHECKS",
            "{refused}"
        );
        assert!(refused.get("data").is_none() || refused["data"].is_null());
    }
    let one = json!({ "query": "mutation { login(email: \"ola@example.com\", password: \"a guess\") { token } }" });
    let batch: Vec<Value> = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&json!([one, one]))
        .answer()
        .await;
    assert_eq!(batch.len(), 2);
    for answer in &batch {
        assert_eq!(error_code(answer), "TOO_MANY_PASSWORD_CHECKS", "{answer}");
    }
    assert_eq!(
        app.state.passwords.verifications(),
        before,
        "nothing was hashed"
    );
    // Nothing counted against the account either.
    for _ in 0..4 {
        let wrong = login_from(&app, None, "ola@example.com", "a wrong password", None).await;
        assert_eq!(error_code(&wrong), "BAD_USER_INPUT");
    }
    assert!(token(
        &login_from(&app, None, "ola@example.com", PASSWORD, None).await
    ));
}

on_both_databases!(with many_slots; a_login_checks_one_password_whatever_the_email);

async fn a_login_checks_one_password_whatever_the_email(app: TestApp) {
    let (second, _) = workspace(&app.state, "Workspace C").await;
    member_with_password(&app, app.workspace_id, "one@example.com", Some(PASSWORD)).await;
    member_with_password(&app, app.workspace_id, "two@example.com", Some(PASSWORD)).await;
    member_with_password(&app, second, "two@example.com", Some(PASSWORD)).await;
    member_with_password(&app, app.workspace_id, "invited@example.com", None).await;
    let mut checks = Vec::new();
    for email in [
        "nobody@example.com",
        "one@example.com",
        "two@example.com",
        "invited@example.com",
    ] {
        let before = app.state.passwords.verifications();
        let wrong = login_from(&app, None, email, "a wrong password", None).await;
        assert_eq!(error_code(&wrong), "BAD_USER_INPUT", "{email}: {wrong}");
        assert_eq!(
            wrong["errors"][0]["message"],
            "password: the email or the password is wrong"
        );
        checks.push(app.state.passwords.verifications() - before);
    }
    assert_eq!(
        checks,
        [1, 1, 1, 1],
        "one verification per login, whatever the email"
    );
    // Two accounts: the right password asks which workspace, then signs in.
    let which = login_from(&app, None, "two@example.com", PASSWORD, None).await;
    assert_eq!(
        which["errors"][0]["extensions"]["field"], "workspaceId",
        "{which}"
    );
    let chosen = login_from(&app, None, "two@example.com", PASSWORD, Some(second)).await;
    assert!(token(&chosen), "{chosen}");
    assert!(token(
        &login_from(&app, None, "one@example.com", PASSWORD, None).await
    ));
}

/// A batch of N operations costs N of the allowance.
#[tokio::test]
async fn a_batch_costs_one_token_per_operation() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.rate_limit_per_minute = 15)
        .await
        .expect("app");
    let batch = |size: usize| {
        let items: Vec<Value> = (0..size)
            .map(|_| json!({ "query": "{ me { id } }" }))
            .collect();
        app.client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&app.token)
            .json(&items)
            .send()
    };
    let first = batch(10).await.expect("sent");
    assert_eq!(first.status(), 200);
    let answers: Vec<Value> = first.json().await.expect("JSON");
    assert!(answers.iter().all(|a| a.get("errors").is_none()));
    // Five left: ten more are refused whole.
    let second = batch(10).await.expect("sent");
    assert_eq!(second.status(), 429);
    assert!(
        second.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let body: Value = second.json().await.expect("JSON");
    assert_eq!(error_code(&body), "RATE_LIMITED");
    // Nothing of it was taken: five single operations still pass.
    let small = batch(5).await.expect("sent");
    assert_eq!(small.status(), 200);
    let get = app
        .client
        .get(format!(
            "{}/graphql?query=%7B%20me%20%7B%20id%20%7D%20%7D",
            app.base
        ))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(get.status(), 429, "a GET counts one");
}

/// A websocket subscribe is one operation of the same allowance.
#[tokio::test]
async fn each_websocket_subscribe_costs_one_token_of_the_same_allowance() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.rate_limit_per_minute = 12)
        .await
        .expect("app");
    let items: Vec<Value> = (0..10)
        .map(|_| json!({ "query": "{ me { id } }" }))
        .collect();
    let batch = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.token)
        .json(&items)
        .send()
        .await
        .expect("sent");
    assert_eq!(batch.status(), 200);
    let mut socket = crate::ws::WsClient::ready(&app.base, &app.token).await;
    for id in ["a", "b"] {
        socket.subscribe(id, "{ me { id } }", json!({})).await;
        assert!(socket.next_data(id).await["me"]["id"].is_string());
        assert_eq!(socket.json().await["type"], "complete");
    }
    socket.subscribe("c", "{ me { id } }", json!({})).await;
    let refused = socket.json().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED");
}
