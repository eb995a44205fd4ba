//! Events: every write records one in the outbox table inside its own
//! transaction, and after the commit it is published on the [`Bus`].
//!
//! The outbox row's id is the event's cursor. Subscriptions (a separate
//! capability) read the bus for live events and the outbox to replay.

mod bus;
mod outbox;

pub use bus::{Bus, LocalBus};
pub use outbox::{NewEvent, record};
