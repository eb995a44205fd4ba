//! Bearer tokens: compact JWS with HS256 (a JWT any library can read).
//!
//! Written over `hmac` and `sha2` rather than a JWT crate: one algorithm,
//! fixed header, and the crates that do more pull in RSA and ECDSA backends
//! this server never uses.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use entity::enums::Role;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use super::Actor;

type HmacSha256 = Hmac<Sha256>;

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// What a token says about its bearer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The member.
    pub sub: Uuid,
    /// The workspace.
    pub ws: Uuid,
    /// The member's role when the token was issued.
    pub role: Role,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
}

/// Why a token was refused. The reason is logged; the client only learns
/// that it is unauthenticated.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url parts with a JSON header and payload.
    #[error("malformed token")]
    Malformed,
    /// The header names another algorithm.
    #[error("unsupported token algorithm")]
    Algorithm,
    /// The signature does not match.
    #[error("bad token signature")]
    Signature,
    /// Past its `exp`.
    #[error("token expired")]
    Expired,
}

/// The key that signs and verifies tokens.
#[derive(Clone)]
pub struct TokenKeys {
    secret: Vec<u8>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    /// Keys from the secret bytes.
    pub fn new(secret: Vec<u8>) -> Self {
        Self { secret }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail.
        HmacSha256::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }

    /// A token for `actor` valid for `ttl`.
    pub fn issue(&self, actor: &Actor, ttl: chrono::Duration) -> String {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: actor.member_id,
            ws: actor.workspace_id,
            role: actor.role,
            iat: now,
            exp: now + ttl.num_seconds(),
        };
        let payload = serde_json::to_vec(&claims).unwrap_or_default();
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(HEADER),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }

    /// The claims of a valid, unexpired token.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let header: serde_json::Value = decode_json(header)?;
        if header.get("alg").and_then(|alg| alg.as_str()) != Some("HS256") {
            return Err(TokenError::Algorithm);
        }
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(header_and_payload(token).as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| TokenError::Signature)?;
        let claims: Claims = decode_json(payload)?;
        if claims.exp <= Utc::now().timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

impl TokenKeys {
    /// The signature of a link to revision `revision_id` of `workspace_id`
    /// valid until `expires` (seconds since the epoch): `GET /files/{id}`
    /// without a token. Domain-separated from tokens by its prefix.
    pub fn sign_file_link(&self, workspace_id: Uuid, revision_id: Uuid, expires: i64) -> String {
        let mut mac = self.mac();
        mac.update(file_link(workspace_id, revision_id, expires).as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Whether `signature` signs that link and it has not expired.
    pub fn verify_file_link(
        &self,
        workspace_id: Uuid,
        revision_id: Uuid,
        expires: i64,
        signature: &str,
    ) -> bool {
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let mut mac = self.mac();
        mac.update(file_link(workspace_id, revision_id, expires).as_bytes());
        // Constant time, as for tokens.
        mac.verify_slice(&signature).is_ok() && expires > Utc::now().timestamp()
    }
}

fn file_link(workspace_id: Uuid, revision_id: Uuid, expires: i64) -> String {
    format!("rapport-file-link:{workspace_id}:{revision_id}:{expires}")
}

fn header_and_payload(token: &str) -> &str {
    token
        .rsplit_once('.')
        .map(|(signed, _)| signed)
        .unwrap_or(token)
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

impl From<Claims> for Actor {
    fn from(claims: Claims) -> Self {
        Actor::member(claims.ws, claims.sub, claims.role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        Actor::member(Uuid::now_v7(), Uuid::now_v7(), Role::Sales)
    }

    #[test]
    fn an_issued_token_verifies_to_its_actor() {
        let keys = TokenKeys::new(vec![7; 32]);
        let actor = actor();
        let token = keys.issue(&actor, chrono::Duration::hours(1));
        assert_eq!(Actor::from(keys.verify(&token).unwrap()), actor);
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let token = TokenKeys::new(vec![1; 32]).issue(&actor(), chrono::Duration::hours(1));
        assert_eq!(
            TokenKeys::new(vec![2; 32]).verify(&token),
            Err(TokenError::Signature)
        );
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = TokenKeys::new(vec![7; 32]);
        let token = keys.issue(&actor(), chrono::Duration::seconds(-1));
        assert_eq!(keys.verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn a_tampered_payload_is_refused() {
        let keys = TokenKeys::new(vec![7; 32]);
        let token = keys.issue(&actor(), chrono::Duration::hours(1));
        let parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(r#"{"sub":"00000000-0000-0000-0000-000000000000","ws":"00000000-0000-0000-0000-000000000000","role":"ADMIN","iat":0,"exp":99999999999}"#);
        let token = format!("{}.{}.{}", parts[0], forged, parts[2]);
        assert_eq!(keys.verify(&token), Err(TokenError::Signature));
        assert_eq!(keys.verify("a.b"), Err(TokenError::Malformed));
        let none_alg = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            parts[1]
        );
        assert_eq!(keys.verify(&none_alg), Err(TokenError::Algorithm));
    }
}
