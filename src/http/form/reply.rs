//! What the form endpoint answers, in the shape the client posted: JSON
//! (`{ ok }` or `{ errors: [{ field, code, message }] }`) for scripts, a
//! redirect or a small page for a plain HTML form; CORS headers for an
//! allowed origin.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapport_core::CoreError;
use rapport_core::ops::form::embed::escape;
use rapport_core::ops::form::submit::FieldError;
use serde_json::json;

/// How the client posted, hence how it is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// `application/json`: a script.
    Json,
    /// Anything else: a plain HTML form.
    Html,
}

impl Shape {
    pub(super) fn of(headers: &HeaderMap) -> Self {
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            });
        if json { Self::Json } else { Self::Html }
    }
}

/// An answer, before it takes its shape.
pub(super) enum Reply {
    Accepted {
        redirect: Option<String>,
    },
    Refused {
        status: StatusCode,
        code: &'static str,
        message: String,
        retry_after: Option<u64>,
    },
    Fields(Vec<FieldError>),
}

impl Reply {
    pub(super) fn accepted(redirect: Option<String>) -> Self {
        Self::Accepted { redirect }
    }

    fn refused(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self::Refused {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub(super) fn rate_limited(retry_after: u64) -> Self {
        Self::Refused {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "RATE_LIMITED",
            message: format!("too many submissions: retry in {retry_after} s"),
            retry_after: Some(retry_after),
        }
    }

    pub(super) fn not_found() -> Self {
        Self::refused(StatusCode::NOT_FOUND, "NOT_FOUND", "no such form")
    }

    pub(super) fn origin_refused() -> Self {
        Self::refused(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "this form may not be posted from this origin",
        )
    }

    pub(super) fn too_large(limit: usize) -> Self {
        Self::refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("the submission is larger than {limit} bytes"),
        )
    }

    pub(super) fn malformed() -> Self {
        Self::refused(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "the body must be a JSON object of answers",
        )
    }

    pub(super) fn fields(errors: Vec<FieldError>) -> Self {
        Self::Fields(errors)
    }

    /// A core refusal; internal causes go to the log only.
    pub(super) fn core(error: CoreError) -> Self {
        match error {
            CoreError::BadInput { field, message } | CoreError::Taken { field, message } => {
                Self::Fields(vec![FieldError {
                    field,
                    code: "INVALID",
                    message,
                }])
            }
            CoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "web form: database unavailable");
                Self::refused(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "UNAVAILABLE",
                    "the service is unavailable: retry shortly",
                )
            }
            other => {
                tracing::error!(error = ?other, "web form submission failed");
                Self::refused(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "the submission could not be recorded",
                )
            }
        }
    }

    /// The response in `shape`, with CORS headers for `cors` (an allowed origin).
    pub(super) fn to(self, shape: Shape, cors: Option<String>) -> Response {
        let mut response = match (self, shape) {
            (Self::Accepted { .. }, Shape::Json) => {
                json_body(StatusCode::OK, json!({ "ok": true }))
            }
            (Self::Accepted { redirect: Some(to) }, Shape::Html) => {
                match HeaderValue::from_str(&to) {
                    Ok(location) => {
                        (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
                    }
                    Err(_) => page(StatusCode::OK, "Thank you", "Your answers were received."),
                }
            }
            (Self::Accepted { redirect: None }, Shape::Html) => {
                page(StatusCode::OK, "Thank you", "Your answers were received.")
            }
            (
                Self::Refused {
                    status,
                    code,
                    message,
                    retry_after,
                },
                shape,
            ) => {
                let mut response = match shape {
                    Shape::Json => json_body(
                        status,
                        json!({ "errors": [{ "code": code, "message": message }] }),
                    ),
                    Shape::Html => page(status, "Not sent", &message),
                };
                if let Some(seconds) = retry_after {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                }
                response
            }
            (Self::Fields(errors), Shape::Json) => {
                let errors: Vec<_> = errors
                    .iter()
                    .map(|e| json!({ "field": e.field, "code": e.code, "message": e.message }))
                    .collect();
                json_body(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({ "errors": errors }),
                )
            }
            (Self::Fields(errors), Shape::Html) => {
                let list: String = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("\n");
                page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Please check your answers",
                    &list,
                )
            }
        };
        if let Some(origin) = cors.and_then(|o| HeaderValue::from_str(&o).ok()) {
            let headers = response.headers_mut();
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(header::VARY, HeaderValue::from_static("origin"));
        }
        response
    }
}

/// The answer to an allowed origin's preflight.
pub(super) fn preflight(origin: &str) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    if let Ok(origin) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("origin"));
    response
}

fn json_body(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response()
}

/// A small page for a person whose browser posted the form; each line of
/// `text` is a paragraph.
fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let paragraphs: String = text
        .lines()
        .map(|line| format!("<p>{}</p>", escape(line)))
        .collect();
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{0}</title></head><body><h1>{0}</h1>{paragraphs}<p><a href=\"javascript:history.back()\">Back</a></p></body></html>",
        escape(title)
    );
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response()
}
