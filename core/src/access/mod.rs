//! Who acts and what their role lets them change, and the credentials
//! behind them: the cache of members and API keys a request is
//! authenticated against, the login lockout and password hashing. None of
//! these knows about GraphQL or HTTP; the doors hand them to the sign-in and
//! member operations as [`Credentials`].

mod actor;
pub mod directory;
mod entry;
pub mod lockout;
pub mod password;
mod permissions;
mod refused;
mod secrets;
pub mod shared_counters;
pub mod sight;

pub use actor::Actor;
pub use directory::Directory;
pub use lockout::Lockout;
pub use password::Passwords;
pub use permissions::{Area, lesser_role};
pub use refused::Refused;
pub use sight::{Owned, Sight};

/// The process's credential machinery, as the operations that check
/// passwords or change who may act need it: a change to a member or key
/// must drop its cached credential once committed, and a password check
/// goes through the lockout and the bounded hashing pool.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// The members and API keys behind credentials, cached.
    pub directory: &'a Directory,
    /// Failed sign-ins per account and client address.
    pub lockout: &'a Lockout,
    /// Argon2 hashing, a bounded number at once.
    pub passwords: &'a Passwords,
}
