//! Who is asking: signed bearer tokens and the request's [`Actor`].

mod actor;
mod permissions;
mod secret;
mod token;

pub use actor::Actor;
pub use permissions::Area;
pub use secret::load_or_create_secret;
pub use token::{Claims, TokenError, TokenKeys};
