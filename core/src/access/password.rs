//! Passwords: Argon2id (the argon2 crate's defaults: 19 MiB, 2 passes),
//! hashed and verified on the blocking pool so that a burst of logins cannot
//! stall the async workers, at most a fixed number at once ([`Passwords`]).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 10;
/// Longest password accepted (hashing cost grows with length).
pub const MAX_LENGTH: usize = 256;

/// Why a password is refused.
pub fn check_policy(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("must have at least {MIN_LENGTH} characters"));
    }
    if length > MAX_LENGTH {
        return Err(format!("must have at most {MAX_LENGTH} characters"));
    }
    Ok(())
}

/// Every Argon2 hash and verification goes through here: at most a fixed
/// number run at once, because each holds about 19 MiB for its whole run
/// (40 concurrent logins took the process from 173 to 829 MiB). Past that,
/// a check is refused at once rather than queued: a queue would only move
/// the memory into waiting requests and let a burst set everyone's latency.
pub struct Passwords {
    slots: Arc<Semaphore>,
    verifications: AtomicU64,
}

/// Why a password could not be hashed or checked.
#[derive(Debug)]
pub enum PasswordError {
    /// Every slot is taken: retry in a moment.
    Busy,
    Failed(anyhow::Error),
}

/// A check that could not run: busy (every hashing slot taken: retry in a
/// moment) or broken.
impl From<PasswordError> for crate::error::CoreError {
    fn from(error: PasswordError) -> Self {
        match error {
            PasswordError::Busy => Self::RateLimited { retry_after: 1 },
            PasswordError::Failed(e) => Self::Internal(format!("password check: {e}")),
        }
    }
}

impl Passwords {
    /// At most `concurrent` checks at once (at least one); `None`: one per CPU.
    pub fn new(concurrent: Option<usize>) -> Self {
        let concurrent = concurrent
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
            .max(1);
        Self {
            slots: Arc::new(Semaphore::new(concurrent)),
            verifications: AtomicU64::new(0),
        }
    }

    /// Verifications run since start (tests count them: a login runs one,
    /// whether or not the email exists).
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// The permit moves into the blocking task, so a request abandoned
    /// mid-hash (a timeout) keeps its slot until the hash really ends.
    fn slot(&self) -> Result<OwnedSemaphorePermit, PasswordError> {
        self.slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| PasswordError::Busy)
    }

    /// The PHC string of `password` with a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        let slot = self.slot()?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let mut bytes = [0u8; 16];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
            let salt = SaltString::encode_b64(&bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
        })
        .await
        .map_err(|e| PasswordError::Failed(e.into()))?
        .map_err(PasswordError::Failed)
    }

    /// Whether `password` matches the PHC string `stored`. Without a stored
    /// hash, a dummy one with the same parameters is checked so the answer
    /// takes as long either way.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, PasswordError> {
        let slot = self.slot()?;
        self.verifications.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let known = stored.is_some();
            let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
            let parsed =
                PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
            let matches = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(known && matches)
        })
        .await
        .map_err(|e| PasswordError::Failed(e.into()))?
        .map_err(PasswordError::Failed)
    }
}

/// The hash of a random password nobody knows, for timing parity.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$6sQpqaH5Xk/0t4gUHRj+1Bp3S9vjvHgbE8WJ9QJX9Lk";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hashed_password_verifies_and_another_does_not() {
        let passwords = Passwords::new(None);
        let stored = passwords
            .hash("correct horse battery".into())
            .await
            .unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            passwords
                .verify("correct horse battery".into(), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("wrong horse battery".into(), Some(stored))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("anything at all".into(), None)
                .await
                .unwrap()
        );
        assert_eq!(passwords.verifications(), 3);
    }

    #[tokio::test]
    async fn a_check_past_the_bound_is_refused_at_once() {
        let passwords = Passwords::new(Some(1));
        let held = passwords.slot().unwrap();
        assert!(matches!(
            passwords.verify("anything at all".into(), None).await,
            Err(PasswordError::Busy)
        ));
        assert!(matches!(
            passwords.hash("anything at all".into()).await,
            Err(PasswordError::Busy)
        ));
        drop(held);
        assert!(
            passwords
                .verify("anything at all".into(), None)
                .await
                .is_ok()
        );
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        let params = argon2::Params::try_from(&dummy).unwrap();
        let default = argon2::Params::default();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (default.m_cost(), default.t_cost(), default.p_cost())
        );
        assert_eq!(dummy.algorithm, argon2::Algorithm::Argon2id.ident());
    }

    #[test]
    fn short_and_huge_passwords_are_refused() {
        assert!(check_policy("short").is_err());
        assert!(check_policy(&"x".repeat(300)).is_err());
        assert!(check_policy("long enough pass").is_ok());
    }
}
