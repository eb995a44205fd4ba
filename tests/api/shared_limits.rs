//! The rate limit and the login lockout with Redis: two instances enforce
//! the numbers one instance would, not twice them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::server::{SECRET, ServerProcess};
use crate::common::{postgres, redis};
use crate::helpers::workspace;
use rapport::app::AppState;
use rapport::config::Config;

const ME: &str = "{ me { id } }";
const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";

/// A migrated PostgreSQL database with one workspace: its URL and a token.
pub(crate) async fn prepared(cluster: &postgres::PgCluster) -> (String, String) {
    let url = cluster.create_database(None);
    let mut config = Config::for_database(url.clone());
    config.jwt_secret = Some(SECRET.into());
    let state = AppState::connect(config).await.expect("database ready");
    let (_, token) = workspace(&state, "Shared limits").await;
    crate::helpers::put_away(state).await;
    (url, token)
}

async fn send(base: &str, token: Option<&str>, query: &str, variables: Value) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request sent")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_rate_limit() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let Some(mut redis) = redis::start() else {
        return;
    };
    let (url, token) = prepared(cluster).await;
    let redis_url = redis.url();
    let env = [
        ("REDIS_URL", redis_url.as_str()),
        ("RAPPORT_RATE_LIMIT_PER_MINUTE", "10"),
    ];
    let instances = [
        ServerProcess::start(&url, &env),
        ServerProcess::start(&url, &env),
    ];
    // Alternating between the instances: counted per process, 20 would
    // pass before a refusal; shared, the tenth is the last (a token comes
    // back every 6 s, so a slow run may see one or two more).
    let mut accepted = 0;
    let mut refusal = None;
    for n in 0..30 {
        let response = send(&instances[n % 2].base, Some(&token), ME, json!({})).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refusal = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
        accepted += 1;
    }
    let refusal = refusal.expect("the shared allowance ran out");
    assert!((10..20).contains(&accepted), "{accepted} accepted");
    assert!(refusal.headers().contains_key("retry-after"));
    let body: Value = refusal.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    // The other instance refuses too: the bucket is the same.
    let other = send(&instances[accepted % 2].base, Some(&token), ME, json!({})).await;
    assert_eq!(other.status(), StatusCode::TOO_MANY_REQUESTS);
    // Without Redis each instance counts on its own: requests go on being
    // answered (within each process's allowance), not failed.
    redis.kill9();
    let alone = send(&instances[0].base, Some(&token), ME, json!({})).await;
    assert_eq!(alone.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_login_lockout() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let Some(redis) = redis::start() else { return };
    let (url, _) = prepared(cluster).await;
    let redis_url = redis.url();
    let env = [("REDIS_URL", redis_url.as_str())];
    let instances = [
        ServerProcess::start(&url, &env),
        ServerProcess::start(&url, &env),
    ];
    let guess = json!({ "e": "nobody@example.com", "p": "not the password" });
    // Five wrong passwords, three on one instance and two on the other:
    // per process, neither would have reached five.
    for n in 0..5 {
        let answer: Value = send(&instances[n % 2].base, None, LOGIN, guess.clone())
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "a wrong password: {answer}"
        );
    }
    for instance in &instances {
        let answer: Value = send(&instance.base, None, LOGIN, guess.clone())
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "RATE_LIMITED",
            "{answer}"
        );
        let wait = answer["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .expect("retryAfter");
        assert!(wait > 60, "locked for the window, not a moment: {wait}");
    }
}
