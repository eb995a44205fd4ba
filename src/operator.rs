//! The operator credential: a key outside every workspace that provisions
//! workspaces (`createWorkspace`). It is the setting `RAPPORT_OPERATOR_KEY`
//! and requests send it as `Authorization: Operator <key>`; without the
//! setting, provisioning through the API is refused.
//!
//! A middleware (`http::operator`) recognises the credential for the whole request and keeps
//! the verdict in a task-local that the resolver reads, as the clock is
//! scoped: the request's GraphQL execution runs inside that scope, and
//! nothing else (no token, no actor) carries operator rights.

use std::future::Future;

use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::graphql::error::{ApiError, ApiResult, CoreError};

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

/// The operator credential in an `Authorization` header value, if any.
pub fn presented(authorization: Option<&str>) -> Option<&str> {
    authorization.and_then(|v| v.strip_prefix(SCHEME))
}

/// Runs `work` (a request) with `verdict` as its operator rights.
pub async fn scope<F: Future>(verdict: Operator, work: F) -> F::Output {
    OPERATOR.scope(verdict, work).await
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
