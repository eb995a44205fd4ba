//! The core's one error type, in the terms a client can act on. Each door
//! turns it into its own shape (GraphQL errors with `extensions.code`, HTTP
//! statuses); internal causes are logged there, never sent.
//!
//! `CoreError` deliberately does not implement `Display`: async-graphql
//! turns any `Display` type into an error carrying its text, which is how SQL
//! and file paths leak.

use sea_orm::{DbErr, RuntimeErr};

use crate::domain::Invalid;

/// Result of a core operation.
pub type CoreResult<T> = Result<T, CoreError>;

/// What went wrong, in the terms a client can act on.
#[derive(Debug, Clone)]
pub enum CoreError {
    /// No credential.
    Unauthenticated,
    /// A credential was presented and refused, for this reason.
    Refused(crate::access::Refused),
    /// The actor's role may not do this.
    Forbidden(String),
    /// No such record in the actor's workspace (another workspace's records look the same).
    NotFound(&'static str),
    /// An argument or input field is refused; `field` is its path, e.g. `input.email`.
    BadInput { field: String, message: String },
    /// `expectedVersion` is stale, or a concurrent write won.
    Conflict(String),
    /// A value that must be unique among live records is taken; `field`
    /// is the input it came in (`input.email`), or the record's own field
    /// when a restore or merge would duplicate it.
    Taken { field: String, message: String },
    /// Too many attempts: retry after this many seconds.
    RateLimited { retry_after: u64 },
    /// The database cannot serve right now (down, unreachable, pool
    /// exhausted, statement cancelled at the time limit): retry shortly.
    Unavailable(String),
    /// Something broke on our side; the detail goes to the log only.
    Internal(String),
}

impl CoreError {
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
            Self::Unauthenticated | Self::Refused(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadInput { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) | Self::Taken { .. } => "CONFLICT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable(_) => "UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }
}

impl From<DbErr> for CoreError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            Self::Unavailable(format!("database: {err}"))
        } else {
            Self::Internal(format!("database: {err}"))
        }
    }
}

/// Whether `err` says the database cannot serve right now (as opposed to a
/// statement it refused): the pool timed out or is closed, the connection
/// broke, the server is shutting down or starting, or a statement was
/// cancelled at the time limit. Those answer `UNAVAILABLE`, not `INTERNAL`.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error;
    let runtime = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return false;
    };
    match sqlx.as_ref() {
        Error::Io(_)
        | Error::Tls(_)
        | Error::Protocol(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        Error::Database(database) => database.code().is_some_and(|code| {
            // Class 08: connection exception; 57P: operator intervention
            // (shutdown, cannot connect now); 57014: statement cancelled
            // (statement_timeout); 53: insufficient resources.
            code.starts_with("08")
                || code.starts_with("57P")
                || code == "57014"
                || code.starts_with("53")
        }),
        _ => false,
    }
}
