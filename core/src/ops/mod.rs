//! The CRM's operations, one module per domain, each shaped
//! `(core, actor, command) -> CoreResult<output>`. A write runs one
//! sequence: check the role, validate, begin, write, rescore, then
//! [`Core::commit`](crate::store::Core::commit) writes history and numbered
//! events, commits and publishes. Every door (GraphQL, the seed, importers,
//! background jobs) calls these, so the rules run the same whoever writes.

pub mod company;
pub mod deal;
pub mod goal;
pub mod lifecycle;
mod patch;
pub mod pipeline;

pub use patch::Patch;
