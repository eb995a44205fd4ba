//! Events: every write records one in the outbox table inside its own
//! transaction, and after the commit it is published on the [`Bus`].
//!
//! Events are numbered densely per workspace (`seq`); that number is the
//! subscription cursor. The [`Feed`] turns whatever the bus delivers into an
//! ordered, gapless stream per workspace, and [`subscriber::open`] replays
//! from the outbox before joining it.

mod bus;
pub mod cursor;
mod feed;
pub mod history;
pub mod outbox;
mod redis_bus;
pub mod redis_shards;
pub mod subscriber;

pub use bus::{Bus, BusMessage, LocalBus};
pub use feed::Feed;
pub use outbox::{NewEvent, record};
pub use redis_bus::RedisBus;
pub use redis_shards::ShardedBus;
