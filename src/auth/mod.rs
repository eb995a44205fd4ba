//! Who is asking: signed bearer tokens and the request's [`Actor`].

mod actor;
pub mod directory;
pub mod lockout;
pub mod password;
mod permissions;
mod secret;
mod token;

pub use actor::Actor;
pub use directory::{Directory, Revoked};
pub use permissions::{Area, lesser_role};
pub use secret::load_or_create_secret;
pub use token::{Claims, TokenError, TokenKeys};
