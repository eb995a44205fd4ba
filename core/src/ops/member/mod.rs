//! Members and signing in: `login`, invitations and their acceptance,
//! roles, deactivation and reactivation.
//!
//! A change to a member drops their cached credential once committed
//! ([`Directory::forget_member`](crate::access::Directory::forget_member)),
//! here and, through the event bus, on every instance: a deactivated member
//! is refused at their next request and their websockets close. The workspace
//! always keeps an active ADMIN (see [`admins`]).

mod admins;
mod invitation;
mod login;
mod roles;

pub use invitation::{Invitation, NewMember, invite};
pub use login::{Acceptance, SignIn, accept_invitation, login};
pub use roles::{deactivate, reactivate, set_role};
