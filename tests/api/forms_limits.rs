//! The per-address rate limit of web form submissions (the server's own
//! limiter, keyed by the client address): past it, 429 with `Retry-After`
//! and nothing written.

use rapport::config::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::forms::{contacts, create_form, key, lead_form, post_json};
use crate::helpers::{TestApp, on_both_databases};

on_both_databases!(
    with two_a_minute;
    submissions_past_the_rate_limit_are_refused,
);

fn two_a_minute(config: &mut Config) {
    config.form_submissions_per_minute = 2;
}

async fn submissions_past_the_rate_limit_are_refused(app: TestApp) {
    let form = create_form(&app, lead_form(json!({}))).await;
    for i in 0..2 {
        let answers = json!({ "email": format!("r{i}@example.org"), "first_name": "R" });
        assert_eq!(
            post_json(&app, &key(&form), answers, None).await.status(),
            StatusCode::OK
        );
    }
    let answers = json!({ "email": "r2@example.org", "first_name": "R" });
    let response = post_json(&app, &key(&form), answers, None).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get("retry-after").is_some());
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["errors"][0]["code"], "RATE_LIMITED");
    assert_eq!(contacts(&app, "r2@example.org").await["totalCount"], 0);
}
