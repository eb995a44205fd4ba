//! The API's one error type. Every error leaves with `extensions.code`;
//! internal causes are logged with an error id and never sent.
//!
//! `ApiError` deliberately does not implement `Display`: async-graphql turns
//! any `Display` type into an error carrying its text, which is how SQL and
//! file paths leak. Without it, the only way out is [`From<ApiError>`] below.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;
use uuid::Uuid;

use crate::domain::Invalid;

/// Result of a resolver.
pub type ApiResult<T> = Result<T, ApiError>;

/// What went wrong, in the terms a client can act on.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// No valid token.
    Unauthenticated,
    /// The actor's role may not do this.
    Forbidden(String),
    /// No such record in the actor's workspace (another workspace's records look the same).
    NotFound(&'static str),
    /// An argument or input field is refused; `field` is its path, e.g. `input.email`.
    BadInput { field: String, message: String },
    /// `expectedVersion` is stale, or a concurrent write won.
    Conflict(String),
    /// Too many attempts: retry after this many seconds.
    RateLimited { retry_after: u64 },
    /// The database cannot serve right now (down, unreachable, pool
    /// exhausted, statement cancelled at the time limit): retry shortly.
    Unavailable(String),
    /// Something broke on our side; the detail goes to the log only.
    Internal(String),
}

impl ApiError {
    /// A refused input field.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Attaches a field path to a domain rule's refusal.
    pub fn invalid(field: impl Into<String>) -> impl FnOnce(Invalid) -> Self {
        let field = field.into();
        move |invalid| Self::BadInput {
            field,
            message: invalid.0,
        }
    }

    /// The `extensions.code` value.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadInput { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable(_) => "UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        if crate::db::is_unavailable(&err) {
            Self::Unavailable(format!("database: {err}"))
        } else {
            Self::Internal(format!("database: {err}"))
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        let code = err.code();
        let retry_after = match &err {
            ApiError::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        };
        let (message, field) = match err {
            ApiError::Unauthenticated => (
                "authentication required: send Authorization: Bearer <token>".to_owned(),
                None,
            ),
            ApiError::Forbidden(message) | ApiError::Conflict(message) => (message, None),
            ApiError::NotFound(what) => (format!("{what} not found"), None),
            ApiError::RateLimited { retry_after } => {
                (format!("too many attempts: retry in {retry_after} s"), None)
            }
            ApiError::BadInput { field, message } => (format!("{field}: {message}"), Some(field)),
            ApiError::Unavailable(detail) => {
                tracing::warn!(detail, "database unavailable");
                (
                    "the database is unavailable: retry shortly".to_owned(),
                    None,
                )
            }
            ApiError::Internal(detail) => {
                let error_id = Uuid::now_v7();
                tracing::error!(%error_id, detail, "internal error");
                (format!("internal error (id {error_id})"), None)
            }
        };
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(field) = field {
                ext.set("field", field);
            }
            if let Some(retry_after) = retry_after {
                ext.set("retryAfter", retry_after);
            }
        })
    }
}

/// Whether a response reports that its operation never ran: parse,
/// validation and variable errors carry no path, while errors raised by
/// resolvers always name their field.
pub fn never_ran(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extensions(err: ApiError) -> serde_json::Value {
        let err: async_graphql::Error = err.into();
        serde_json::to_value(err.extensions).unwrap()
    }

    #[test]
    fn every_error_carries_its_code() {
        assert_eq!(
            extensions(ApiError::Unauthenticated)["code"],
            "UNAUTHENTICATED"
        );
        assert_eq!(extensions(ApiError::NotFound("deal"))["code"], "NOT_FOUND");
        assert_eq!(
            extensions(ApiError::Conflict("stale".into()))["code"],
            "CONFLICT"
        );
        assert_eq!(
            extensions(ApiError::Forbidden("no".into()))["code"],
            "FORBIDDEN"
        );
    }

    #[test]
    fn bad_input_names_the_field() {
        let ext = extensions(ApiError::bad_input("input.email", "malformed"));
        assert_eq!(ext["code"], "BAD_USER_INPUT");
        assert_eq!(ext["field"], "input.email");
    }

    #[test]
    fn internal_errors_hide_their_detail() {
        let err: async_graphql::Error =
            ApiError::Internal("SELECT secret FROM /etc/passwd".into()).into();
        assert!(err.message.starts_with("internal error (id "));
        assert!(!err.message.contains("SELECT"));
    }
}
