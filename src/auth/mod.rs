//! Who is asking: signed bearer tokens and the request's [`Actor`].

mod secret;
mod token;

pub use directory::{Directory, Revoked};
pub use rapport_core::access::{Actor, Area, Refused, lesser_role};
/// The credential cache, lockout and hashing are the core's (the sign-in
/// operations use them); the doors reach them here as before.
pub use rapport_core::access::{directory, lockout, password};
pub use secret::load_or_create_secret;
pub use token::{Claims, TokenError, TokenKeys};
