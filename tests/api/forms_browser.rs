//! The embed snippet in a real browser: a second local server (another
//! origin) serves a page with `Form.embedHtml` pasted in, headless Chromium
//! (Debian's, driven by `playwright-core`) fills and submits it, and the
//! contact is then found through the API. Without Chromium the test skips
//! with a message, except under `CI=true`, where that is a failure.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use axum::response::Html;
use axum::routing::get;
use serde_json::json;

use crate::clients::{node, run};
use crate::common::postgres::{find_program, missing};
use crate::fixtures::mutate;
use crate::helpers::{TestApp, on_both_databases};

on_both_databases!(a_browser_submits_the_embedded_form_from_another_origin);

fn chromium() -> Option<PathBuf> {
    find_program("chromium", &[]).or_else(|| missing("chromium (apt-get install chromium)"))
}

/// A website on a port of its own (another origin than the server): `/`
/// shows the snippet once it is set, `/thanks` is the redirect target.
/// Returns its origin and the snippet's slot.
async fn website() -> (String, Arc<OnceLock<String>>) {
    let snippet = Arc::new(OnceLock::<String>::new());
    let shown = snippet.clone();
    let router = axum::Router::new()
        .route(
            "/",
            get(move || {
                let snippet = shown.get().cloned().unwrap_or_default();
                async move {
                    Html(format!(
                        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Shop</title></head><body><h1>Talk to us</h1>{snippet}</body></html>"
                    ))
                }
            }),
        )
        .route("/thanks", get(|| async { Html("<p>Thank you</p>") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("website binds");
    let origin = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    (origin, snippet)
}

async fn a_browser_submits_the_embedded_form_from_another_origin(app: TestApp) {
    let Some(node) = node() else { return };
    let Some(chromium) = chromium() else { return };
    let (origin, snippet) = website().await;
    let form = mutate(
        &app,
        "mutation($input: FormInput!) { createForm(input: $input) { form { embedHtml } } }",
        json!({ "input": {
            "name": "Shop contact",
            "fields": [
                { "name": "email", "label": "Email", "target": "CONTACT_EMAIL", "required": true },
                { "name": "first_name", "label": "First name", "target": "CONTACT_FIRST_NAME" }
            ],
            "consentText": "Send me offers",
            "legalBasis": "CONSENT",
            "allowedOrigins": [origin],
            "redirectUrl": format!("{origin}/thanks"),
        } }),
    )
    .await;
    let html = form["form"]["embedHtml"].as_str().expect("snippet");
    snippet.set(html.to_owned()).expect("set once");

    let page = format!("{origin}/");
    let chromium = chromium.display().to_string();
    let output = tokio::task::spawn_blocking(move || {
        run(
            &node,
            "form_browser.mjs",
            &[&chromium, &page, "browser@example.org"],
        )
    })
    .await
    .expect("browser ran");
    assert!(
        output.contains(&format!("landed on {origin}/thanks")),
        "{output}"
    );

    let found = app
        .data(
            "query { contacts(first: 5, filter: { email: { eq: \"browser@example.org\" } }) { totalCount nodes { firstName emailOptIn consentSource } } }",
            json!({}),
        )
        .await;
    let contacts = &found["contacts"];
    assert_eq!(contacts["totalCount"], 1);
    assert_eq!(contacts["nodes"][0]["firstName"], "Browser");
    assert_eq!(contacts["nodes"][0]["emailOptIn"], true);
    assert_eq!(
        contacts["nodes"][0]["consentSource"],
        format!("web form Shop contact at {origin}")
    );
}
