//! How a core error leaves through GraphQL: every error with
//! `extensions.code`; internal causes are logged with an error id and never
//! sent. The only way out is [`From<ApiError>`] below.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;
use uuid::Uuid;

use crate::domain::Invalid;
pub use rapport_core::error::{CoreError, CoreResult};

/// Result of a resolver.
pub type ApiResult<T> = Result<T, ApiError>;

/// A core error on its way out through GraphQL. It is a type of this crate
/// because the conversion into async-graphql's error, which sets
/// `extensions.code`, may only be written where one of the two types lives.
#[derive(Debug, Clone)]
pub struct ApiError(pub CoreError);

impl ApiError {
    /// A refused input field.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(CoreError::bad_input(field, message))
    }

    /// Attaches a field path to a domain rule's refusal.
    pub fn invalid(field: impl Into<String>) -> impl FnOnce(Invalid) -> Self {
        let refuse = CoreError::invalid(field);
        move |invalid| Self(refuse(invalid))
    }

    /// The `extensions.code` value.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        Self(err)
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        Self(err.into())
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        let code = err.code();
        let retry_after = match &err.0 {
            CoreError::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        };
        let refused = match &err.0 {
            CoreError::Refused(refused) => Some(refused.reason()),
            _ => None,
        };
        let (message, field) = match err.0 {
            CoreError::Unauthenticated => (
                "authentication required: send Authorization: Bearer <token>".to_owned(),
                None,
            ),
            CoreError::Refused(refused) => (refused.message().to_owned(), None),
            CoreError::Forbidden(message) | CoreError::Conflict(message) => (message, None),
            CoreError::NotFound(what) => (format!("{what} not found"), None),
            CoreError::RateLimited { retry_after } => {
                (format!("too many attempts: retry in {retry_after} s"), None)
            }
            CoreError::BadInput { field, message } | CoreError::Taken { field, message } => {
                (format!("{field}: {message}"), Some(field))
            }
            CoreError::Unavailable(detail) => {
                tracing::warn!(detail, "database unavailable");
                (
                    "the database is unavailable: retry shortly".to_owned(),
                    None,
                )
            }
            CoreError::Internal(detail) => {
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
            if let Some(reason) = refused {
                ext.set("reason", reason);
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

    fn extensions(err: impl Into<ApiError>) -> serde_json::Value {
        let err: async_graphql::Error = err.into().into();
        serde_json::to_value(err.extensions).unwrap()
    }

    #[test]
    fn every_error_carries_its_code() {
        assert_eq!(
            extensions(CoreError::Unauthenticated)["code"],
            "UNAUTHENTICATED"
        );
        assert_eq!(extensions(CoreError::NotFound("deal"))["code"], "NOT_FOUND");
        assert_eq!(
            extensions(CoreError::Conflict("stale".into()))["code"],
            "CONFLICT"
        );
        assert_eq!(
            extensions(CoreError::Forbidden("no".into()))["code"],
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
            ApiError(CoreError::Internal("SELECT secret FROM /etc/passwd".into())).into();
        assert!(err.message.starts_with("internal error (id "));
        assert!(!err.message.contains("SELECT"));
    }
}
