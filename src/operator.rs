//! The operator credential: a key outside every workspace that provisions
//! workspaces (`createWorkspace`). It is the setting `RAPPORT_OPERATOR_KEY`
//! and requests send it as `Authorization: Operator <key>`; without the
//! setting, provisioning through the API is refused.
//!
//! A middleware recognises the credential for the whole request and keeps
//! the verdict in a task-local that the resolver reads, as the clock is
//! scoped: the request's GraphQL execution runs inside that scope, and
//! nothing else (no token, no actor) carries operator rights.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::graphql::error::{ApiError, ApiResult, CoreError};
use crate::state::AppState;

/// The scheme of the operator credential in `Authorization`.
const SCHEME: &str = "Operator ";

/// What the request showed of the operator credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// The server has no operator key: nobody provisions through the API.
    Disabled,
    /// No operator credential, or a wrong one.
    Absent,
    /// The right key.
    Granted,
}

tokio::task_local! {
    static OPERATOR: Operator;
}

/// Middleware: recognises `Authorization: Operator <key>` for the request.
pub async fn recognise(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix(SCHEME));
    let verdict = check(state.config.operator_key.as_ref(), presented);
    OPERATOR.scope(verdict, next.run(request)).await
}

/// Whether `presented` is the operator key `configured`, compared in
/// constant time (as digests, so the length does not show either).
pub fn check(configured: Option<&secrecy::SecretString>, presented: Option<&str>) -> Operator {
    let Some(configured) = configured.filter(|key| !key.expose_secret().is_empty()) else {
        return Operator::Disabled;
    };
    let Some(presented) = presented else {
        return Operator::Absent;
    };
    let expected = Sha256::digest(configured.expose_secret().as_bytes());
    let given = Sha256::digest(presented.trim().as_bytes());
    if bool::from(expected.ct_eq(&given)) {
        Operator::Granted
    } else {
        Operator::Absent
    }
}

/// `Ok` when the current request carries the operator credential.
pub fn require() -> ApiResult<()> {
    match OPERATOR
        .try_with(|verdict| *verdict)
        .unwrap_or(Operator::Disabled)
    {
        Operator::Granted => Ok(()),
        Operator::Absent => Err(ApiError(CoreError::Forbidden(
            "this needs the operator credential: Authorization: Operator <key>".into(),
        ))),
        Operator::Disabled => Err(ApiError(CoreError::Forbidden(
            "provisioning is off: the server has no RAPPORT_OPERATOR_KEY".into(),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_key_is_the_operator() {
        let key = secrecy::SecretString::from("operator-key-of-some-length");
        assert_eq!(check(None, Some("anything")), Operator::Disabled);
        assert_eq!(check(Some(&key), None), Operator::Absent);
        assert_eq!(check(Some(&key), Some("operator-key")), Operator::Absent);
        assert_eq!(
            check(Some(&key), Some("operator-key-of-some-length")),
            Operator::Granted
        );
        assert_eq!(
            check(Some(&"".into()), Some("")),
            Operator::Disabled,
            "an empty setting is no key"
        );
    }
}
