//! Web forms through real HTTP: a plain HTML post answered 303, a script's
//! JSON post with CORS, per-field refusals that write nothing, the
//! honeypot, the origin check, the body cap, consent and the
//! FORM_SUBMISSION engagement moving the lead score, owners in turn.

use entity::enums::Role;
use rapport::config::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::mutate;
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(
    with generous_limit;
    a_plain_html_form_creates_contact_and_company_and_redirects,
    a_json_submission_answers_with_cors_and_moves_the_lead_score,
    bad_answers_are_refused_per_field_and_write_nothing,
    a_filled_honeypot_is_answered_as_accepted_and_writes_nothing,
    a_page_of_another_origin_is_refused,
    an_oversized_body_is_refused_unread,
    new_contacts_go_to_the_form_owners_in_turn,
    only_admins_manage_forms_and_bad_settings_are_refused,
);

/// Tests submit many forms from one address; the limit has its own test.
pub(crate) fn generous_limit(config: &mut Config) {
    config.form_submissions_per_minute = 10_000;
}

pub(crate) const SHOP: &str = "http://shop.example";
const CREATE: &str = "mutation($input: FormInput!) { createForm(input: $input) { form { id formKey url embedHtml version fields { name target required } allowedOrigins } } }";
const CONTACTS: &str = "query($email: String!) { contacts(first: 5, filter: { email: { eq: $email } }) { totalCount nodes { id firstName lastName email leadScore emailOptIn consentSource consentLegalBasis owner { id } company { name domain } } } }";
const COMPANIES: &str = "query { companies(first: 50) { totalCount } }";

/// The settings of a lead form; `extra` overrides them.
pub(crate) fn lead_form(extra: Value) -> Value {
    let mut input = json!({
        "name": "Contact us",
        "fields": [
            { "name": "email", "label": "Email", "target": "CONTACT_EMAIL", "required": true },
            { "name": "first_name", "label": "First name", "target": "CONTACT_FIRST_NAME", "required": true },
            { "name": "company", "label": "Company", "target": "COMPANY_NAME" },
            { "name": "website", "label": "Website", "target": "COMPANY_DOMAIN" }
        ],
        "consentText": "Send me news <monthly> & offers",
        "legalBasis": "CONSENT",
        "allowedOrigins": [SHOP],
        "redirectUrl": "https://shop.example/thanks"
    });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            input.insert(k.clone(), v.clone());
        }
    }
    input
}

pub(crate) async fn create_form(app: &TestApp, input: Value) -> Value {
    mutate(app, CREATE, json!({ "input": input })).await["form"].clone()
}

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn post_form(
    app: &TestApp,
    key: &str,
    body: &str,
    origin: Option<&str>,
) -> reqwest::Response {
    let mut request = no_redirects()
        .post(format!("{}/forms/{key}", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.expect("form post")
}

pub(crate) async fn post_json(
    app: &TestApp,
    key: &str,
    body: Value,
    origin: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/forms/{key}", app.base))
        .json(&body);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.expect("json post")
}

pub(crate) async fn contacts(app: &TestApp, email: &str) -> Value {
    app.data(CONTACTS, json!({ "email": email })).await["contacts"].clone()
}

pub(crate) fn key(form: &Value) -> String {
    form["formKey"].as_str().expect("form key").to_owned()
}

pub(crate) async fn a_plain_html_form_creates_contact_and_company_and_redirects(app: TestApp) {
    let form = create_form(&app, lead_form(json!({}))).await;
    assert_eq!(form["url"], format!("{}/forms/{}", app.base, key(&form)));
    let html = form["embedHtml"].as_str().expect("snippet");
    assert!(html.contains(&format!("action=\"{}/forms/{}\"", app.base, key(&form))));
    assert!(html.contains("name=\"email\" required"));
    assert!(
        html.contains("news &lt;monthly&gt; &amp; offers"),
        "escaped: {html}"
    );

    let body = "email=Ann%40Acme.test&first_name=Ann&company=Acme&website=https%3A%2F%2Fwww.acme.test%2F&consent=yes";
    let response = post_form(&app, &key(&form), body, Some(SHOP)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "https://shop.example/thanks"
    );

    let found = contacts(&app, "ann@acme.test").await;
    assert_eq!(found["totalCount"], 1);
    let contact = &found["nodes"][0];
    assert_eq!(contact["firstName"], "Ann");
    assert_eq!(contact["company"]["domain"], "acme.test");
    assert_eq!(contact["company"]["name"], "Acme");
    assert_eq!(contact["emailOptIn"], true);
    assert_eq!(contact["consentLegalBasis"], "CONSENT");
    assert_eq!(
        contact["consentSource"],
        format!("web form Contact us at {SHOP}")
    );

    // The same person again, from a plain page without consent: updated,
    // not duplicated, and the company found by its domain.
    let again = "email=ann%40acme.test&first_name=Annie&website=acme.test";
    let response = post_form(&app, &key(&form), again, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let found = contacts(&app, "ann@acme.test").await;
    assert_eq!(found["totalCount"], 1);
    assert_eq!(found["nodes"][0]["firstName"], "Annie");
    assert_eq!(found["nodes"][0]["emailOptIn"], true, "consent stays");
    assert_eq!(
        app.data(COMPANIES, json!({})).await["companies"]["totalCount"],
        1
    );
}

async fn a_json_submission_answers_with_cors_and_moves_the_lead_score(app: TestApp) {
    mutate(&app, "mutation { createLeadScoringRule(input: { name: \"Forms\", target: FORM_SUBMISSION, points: 15 }) { rescoredContacts } }", json!({})).await;
    let form = create_form(&app, lead_form(json!({ "redirectUrl": null }))).await;
    let url = format!("{}/forms/{}", app.base, key(&form));

    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", SHOP)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("preflight");
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(preflight.headers()["access-control-allow-origin"], SHOP);

    let answers = json!({ "email": "bo@example.org", "first_name": "Bo", "consent": true });
    let response = post_json(&app, &key(&form), answers.clone(), Some(SHOP)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["access-control-allow-origin"], SHOP);
    assert_eq!(
        response.json::<Value>().await.expect("json"),
        json!({ "ok": true })
    );
    let contact = &contacts(&app, "bo@example.org").await["nodes"][0];
    assert_eq!(contact["leadScore"], 15);
    assert_eq!(contact["emailOptIn"], true);

    let response = post_json(&app, &key(&form), answers, Some(SHOP)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let found = contacts(&app, "bo@example.org").await;
    assert_eq!(found["totalCount"], 1);
    assert_eq!(found["nodes"][0]["leadScore"], 30, "each submission counts");
}

async fn bad_answers_are_refused_per_field_and_write_nothing(app: TestApp) {
    let form = create_form(&app, lead_form(json!({}))).await;
    let answers = json!({ "email": "not an email", "website": "ftp://x" });
    let response = post_json(&app, &key(&form), answers, Some(SHOP)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("json");
    let mut fields: Vec<(String, String)> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
            (
                e["field"].as_str().unwrap_or("").to_owned(),
                e["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            ("email".to_owned(), "INVALID".to_owned()),
            ("first_name".to_owned(), "REQUIRED".to_owned()),
            ("website".to_owned(), "INVALID".to_owned()),
        ]
    );
    // A plain HTML form gets the same as a page.
    let response = post_form(&app, &key(&form), "email=&first_name=Al", Some(SHOP)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .expect("page")
            .contains("Email is required")
    );
    // A country the contact refuses, after the company was written in the
    // same transaction: nothing of either stays.
    let with_country = lead_form(json!({ "fields": [
        { "name": "email", "label": "Email", "target": "CONTACT_EMAIL", "required": true },
        { "name": "website", "label": "Website", "target": "COMPANY_DOMAIN" },
        { "name": "country", "label": "Country", "target": "CONTACT_COUNTRY" }
    ] }));
    let form = create_form(&app, with_country).await;
    let answers = json!({ "email": "cy@new.test", "website": "new.test", "country": "Narnia" });
    let response = post_json(&app, &key(&form), answers, None).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["errors"][0]["field"], "country");
    assert_eq!(contacts(&app, "cy@new.test").await["totalCount"], 0);
    assert_eq!(
        app.data(COMPANIES, json!({})).await["companies"]["totalCount"],
        0
    );
}

async fn a_filled_honeypot_is_answered_as_accepted_and_writes_nothing(app: TestApp) {
    let form = create_form(&app, lead_form(json!({}))).await;
    let body = "email=bot%40spam.test&first_name=Bot&_hp_website=http%3A%2F%2Fspam.test";
    let response = post_form(&app, &key(&form), body, Some(SHOP)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(contacts(&app, "bot@spam.test").await["totalCount"], 0);
}

async fn a_page_of_another_origin_is_refused(app: TestApp) {
    let form = create_form(&app, lead_form(json!({}))).await;
    let answers = json!({ "email": "eve@evil.test", "first_name": "Eve" });
    let response = post_json(&app, &key(&form), answers, Some("http://evil.example")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/forms/{}", app.base, key(&form)),
        )
        .header("origin", "http://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("preflight");
    assert_eq!(preflight.status(), StatusCode::FORBIDDEN);
    assert_eq!(contacts(&app, "eve@evil.test").await["totalCount"], 0);
    // An unknown key is a 404, whatever the origin.
    let response = post_json(&app, "no-such-key", json!({}), Some(SHOP)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn new_contacts_go_to_the_form_owners_in_turn(app: TestApp) {
    let ws = app.workspace_id;
    let mut owners = Vec::new();
    for _ in 0..2 {
        let token = member_token(&app.state, ws, Role::Sales).await;
        let me = app.gql_as(&token, "query { me { id } }", json!({})).await;
        owners.push(
            me["data"]["me"]["id"]
                .as_str()
                .expect("member id")
                .to_owned(),
        );
    }
    let form = create_form(&app, lead_form(json!({ "ownerIds": owners }))).await;
    let mut got = Vec::new();
    for i in 0..4 {
        let email = format!("lead{i}@example.org");
        let answers = json!({ "email": email, "first_name": "Lead" });
        assert_eq!(
            post_json(&app, &key(&form), answers, None).await.status(),
            StatusCode::OK
        );
        let contact = &contacts(&app, &email).await["nodes"][0];
        got.push(contact["owner"]["id"].as_str().expect("owner").to_owned());
    }
    let expected = vec![
        owners[0].clone(),
        owners[1].clone(),
        owners[0].clone(),
        owners[1].clone(),
    ];
    assert_eq!(got, expected);
    // A known contact keeps its owner: no turn is taken.
    let answers = json!({ "email": "lead0@example.org", "first_name": "Lead" });
    post_json(&app, &key(&form), answers, None).await;
    let answers = json!({ "email": "lead4@example.org", "first_name": "Lead" });
    post_json(&app, &key(&form), answers, None).await;
    let fifth = &contacts(&app, "lead4@example.org").await["nodes"][0];
    assert_eq!(fifth["owner"]["id"], owners[0].as_str());
    // A member deactivated since the form was saved gets no more turns.
    let deactivate = "mutation($id: ID!) { deactivateMember(id: $id) { member { active } } }";
    mutate(&app, deactivate, json!({ "id": owners[1] })).await;
    for i in 5..7 {
        let email = format!("lead{i}@example.org");
        let answers = json!({ "email": email, "first_name": "Lead" });
        post_json(&app, &key(&form), answers, None).await;
        let contact = &contacts(&app, &email).await["nodes"][0];
        assert_eq!(contact["owner"]["id"], owners[0].as_str(), "{email}");
    }
}

async fn only_admins_manage_forms_and_bad_settings_are_refused(app: TestApp) {
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let refused = app
        .gql_as(&manager, CREATE, json!({ "input": lead_form(json!({})) }))
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    let no_email = lead_form(json!({ "fields": [
        { "name": "name", "label": "Name", "target": "CONTACT_FIRST_NAME" }
    ] }));
    let refused = app.gql(CREATE, json!({ "input": no_email })).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT");
    assert_eq!(refused["errors"][0]["extensions"]["field"], "input.fields");
    let bad_origin = lead_form(json!({ "allowedOrigins": ["https://shop.example/page"] }));
    let refused = app.gql(CREATE, json!({ "input": bad_origin })).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["field"],
        "input.allowedOrigins"
    );
    let forms = app
        .data("query { forms(first: 10) { totalCount } }", json!({}))
        .await;
    assert_eq!(forms["forms"]["totalCount"], 0, "nothing half-written");

    let form = create_form(&app, lead_form(json!({}))).await;
    let deleted = mutate(
        &app,
        "mutation($id: ID!) { deleteForm(id: $id) { form { deletedAt } } }",
        json!({ "id": form["id"] }),
    )
    .await;
    assert!(deleted["form"]["deletedAt"].is_string());
    let answers = json!({ "email": "late@example.org", "first_name": "Late" });
    let response = post_json(&app, &key(&form), answers, None).await;
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "a deleted form takes nothing"
    );
}

async fn an_oversized_body_is_refused_unread(app: TestApp) {
    let form = create_form(&app, lead_form(json!({}))).await;
    let padding = "x".repeat(app.state.config.max_form_bytes);
    let answers = json!({ "email": "big@example.org", "first_name": "Big", "note": padding });
    let response = post_json(&app, &key(&form), answers, Some(SHOP)).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(contacts(&app, "big@example.org").await["totalCount"], 0);
}
