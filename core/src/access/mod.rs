//! Who acts and what their role lets them change.

mod actor;
mod permissions;

pub use actor::Actor;
pub use permissions::{Area, lesser_role};
