//! The secrets behind API keys and invitations: how a presented key is
//! found (its prefix) and checked (its hash), and how new ones are made.

use sha2::{Digest, Sha256};

/// API keys start with this, so they are told from tokens at a glance.
pub const KEY_PREFIX: &str = "rpk_";

/// The lookup part of a presented key: `rpk_` and the 8 characters after it.
pub fn key_prefix(presented: &str) -> Option<&str> {
    presented.starts_with(KEY_PREFIX).then_some(())?;
    presented.get(..KEY_PREFIX.len() + 8)
}

/// Hex SHA-256 of a key or invitation code. These are 256-bit random
/// secrets, not passwords: a fast hash is enough.
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new random secret: `prefix` then 43 base64url characters (256 bits).
pub fn new_secret(prefix: &str) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

pub(super) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_by_their_prefix_and_checked_by_hash() {
        let key = new_secret(KEY_PREFIX);
        assert!(key.len() > 40);
        let prefix = key_prefix(&key).unwrap();
        assert_eq!(prefix.len(), 12);
        assert!(key.starts_with(prefix));
        assert_eq!(key_prefix("eyJhbGciOi"), None);
        assert!(constant_time_eq(&hash_secret(&key), &hash_secret(&key)));
        assert!(!constant_time_eq(
            &hash_secret(&key),
            &hash_secret("rpk_other")
        ));
    }
}
