//! The CRM's operations, one module per domain, each shaped
//! `(core, actor, command) -> CoreResult<output>`. A write runs one
//! sequence: check the role, validate, begin, write, rescore, then
//! [`Core::commit`](crate::store::Core::commit) writes history and numbered
//! events, commits and publishes. Every door (GraphQL, the seed, importers,
//! background jobs) calls these, so the rules run the same whoever writes.

pub mod activity;
pub mod api_key;
pub mod archive;
pub mod attribution;
pub mod bulk;
pub mod campaign;
pub mod company;
pub mod consent;
pub mod contact;
pub mod custom_field;
pub mod customer;
pub mod deal;
pub mod document;
pub mod duplicates;
pub mod edit;
pub mod engagement;
pub mod erasure;
pub mod external_id;
pub mod form;
pub mod goal;
pub mod lifecycle;
pub mod member;
pub mod merge;
pub mod order;
mod patch;
pub mod pipeline;
pub mod product;
pub mod reason;
pub mod scoring_rule;
pub mod segment;
pub mod survey;
pub mod tag;
pub mod tag_upkeep;
pub mod team;
pub mod ticket;
pub mod trigger;
pub mod unique;
pub mod upsert;
pub mod visibility;
pub mod webhook;
pub mod workspace;

pub use patch::Patch;
