//! `POST /forms/{formKey}`: the public door of web forms, without a token.
//! A plain HTML form posts `application/x-www-form-urlencoded` and is
//! answered 303 to the form's redirect URL; a script posts JSON and gets
//! JSON, with CORS for the form's allowed origins. Before anything is read:
//! the per-address rate limit (the server's limiter and client address,
//! `RAPPORT_TRUSTED_PROXIES` included), the form, the `Origin` against the
//! form's origins, the body cap. A filled honeypot is answered as accepted
//! and writes nothing. The writing itself is the core's
//! [`rapport_core::ops::form::submit`].

mod reply;

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use axum::routing::post;
use rapport_core::ops::form::submit::{self, Refusal, Submission};
use rapport_core::ops::form::{CONSENT, HONEYPOT};

use reply::{Reply, Shape};

use crate::state::AppState;

/// The public form routes; outside the API's CORS layer, since each form
/// has its own allowed origins.
pub fn routes() -> Router<AppState> {
    Router::new().route("/forms/{form_key}", post(submit_form).options(preflight))
}

/// A submission.
async fn submit_form(
    State(state): State<AppState>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let shape = Shape::of(&parts.headers);
    let origin = origin_of(&parts.headers);
    let address = super::client_address_of(&state, &parts.headers, &parts.extensions);
    let limit_key = format!(
        "form:{}",
        address.map_or_else(|| "unknown".to_owned(), |a| a.to_string())
    );
    if let Err(retry_after) = state.form_limiter.check(&limit_key, 1).await {
        return Reply::rate_limited(retry_after).to(shape, None);
    }
    let form = match submit::find(&state.core, &key).await {
        Ok(Some(form)) => form,
        Ok(None) => return Reply::not_found().to(shape, None),
        Err(error) => return Reply::core(error).to(shape, None),
    };
    let allowed = allowed_origin(&form, origin.as_deref());
    let Ok(cors) = allowed else {
        return Reply::origin_refused().to(shape, None);
    };
    let limit = state.config.max_form_bytes;
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return Reply::too_large(limit).to(shape, cors);
    };
    let parsed = match shape {
        Shape::Json => from_json(&bytes),
        Shape::Html => Some(from_urlencoded(&bytes)),
    };
    let Some(mut answers) = parsed else {
        return Reply::malformed().to(shape, cors);
    };
    let redirect = form.redirect_url.clone();
    if answers
        .remove(HONEYPOT)
        .is_some_and(|v| !v.trim().is_empty())
    {
        // Answered as a person would be, so a robot learns nothing.
        tracing::info!(form = %form.id, "web form honeypot filled: nothing written");
        return Reply::accepted(redirect).to(shape, cors);
    }
    let consent = answers.remove(CONSENT).is_some_and(|v| ticked(&v));
    let submission = Submission {
        answers,
        consent,
        origin: origin.clone(),
    };
    match submit::submit(&state.core, &form, submission).await {
        Ok(done) => {
            tracing::info!(form = %form.id, contact = %done.contact.id, created = done.created, "web form submitted");
            Reply::accepted(redirect).to(shape, cors)
        }
        Err(Refusal::Fields(errors)) => Reply::fields(errors).to(shape, cors),
        Err(Refusal::Core(error)) => Reply::core(error).to(shape, cors),
    }
}

/// The CORS preflight of a script's JSON submission.
async fn preflight(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    let origin = origin_of(&headers);
    let form = match submit::find(&state.core, &key).await {
        Ok(Some(form)) => form,
        Ok(None) => return Reply::not_found().to(Shape::Json, None),
        Err(error) => return Reply::core(error).to(Shape::Json, None),
    };
    match allowed_origin(&form, origin.as_deref()) {
        Ok(Some(origin)) => reply::preflight(&origin),
        _ => Reply::origin_refused().to(Shape::Json, None),
    }
}

/// The request's `Origin`, unless absent or `null`.
fn origin_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null")
        .map(str::to_owned)
}

/// Whether the page may post the form: a browser names its page's origin,
/// which must be one of the form's; a request naming none (a server, curl)
/// passes, since only browsers are held to origins. `Ok(Some(origin))`: the
/// origin to allow in the CORS headers.
fn allowed_origin(form: &entity::form::Model, origin: Option<&str>) -> Result<Option<String>, ()> {
    let Some(origin) = origin else {
        return Ok(None);
    };
    let allowed: Vec<String> =
        serde_json::from_value(form.allowed_origins.clone()).unwrap_or_default();
    let origin = rapport_core::ops::form::origin(origin).map_err(|_| ())?;
    if allowed.contains(&origin) {
        Ok(Some(origin))
    } else {
        Err(())
    }
}

/// A JSON object's members as answers: strings as they are, numbers and
/// booleans as text; `None` for anything else.
fn from_json(bytes: &[u8]) -> Option<HashMap<String, String>> {
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(bytes).ok()?;
    let mut answers = HashMap::with_capacity(object.len());
    for (name, value) in object {
        let text = match value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Null => continue,
            _ => return None,
        };
        answers.insert(name, text);
    }
    Some(answers)
}

/// A form body's fields; a repeated name keeps its first value.
fn from_urlencoded(bytes: &[u8]) -> HashMap<String, String> {
    let mut answers = HashMap::new();
    for (name, value) in form_urlencoded::parse(bytes) {
        answers
            .entry(name.into_owned())
            .or_insert_with(|| value.into_owned());
    }
    answers
}

/// A checkbox's value meaning yes.
fn ticked(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "yes" | "on" | "true" | "1"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_answers_accept_text_numbers_and_booleans_only() {
        let parsed = from_json(br#"{"email":"a@b.co","size":12,"consent":true,"x":null}"#);
        let parsed = parsed.unwrap_or_default();
        assert_eq!(parsed.get("size").map(String::as_str), Some("12"));
        assert_eq!(parsed.get("consent").map(String::as_str), Some("true"));
        assert!(!parsed.contains_key("x"));
        assert!(from_json(br#"{"email":["a"]}"#).is_none());
        assert!(from_json(b"[1]").is_none());
    }

    #[test]
    fn a_form_body_keeps_the_first_of_a_repeated_name() {
        let parsed = from_urlencoded(b"email=a%40b.co&email=c%40d.co&name=Ann+Lee");
        assert_eq!(parsed.get("email").map(String::as_str), Some("a@b.co"));
        assert_eq!(parsed.get("name").map(String::as_str), Some("Ann Lee"));
    }
}
