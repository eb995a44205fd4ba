//! Who is asking: signed bearer tokens and the request's [`Actor`].

pub mod directory;
pub mod lockout;
pub mod password;
mod secret;
mod token;

pub use directory::{Directory, Revoked};
pub use rapport_core::access::{Actor, Area, lesser_role};
pub use secret::load_or_create_secret;
pub use token::{Claims, TokenError, TokenKeys};
