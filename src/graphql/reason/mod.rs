//! The workspace's lists of standardised reasons: why deals are won and
//! lost, why customers leave, why a survey scored as it did. Once a list has
//! entries, records of that kind accept only its active codes, so reports
//! can count reasons instead of reading free text.

mod filter;
mod mutation;

use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use entity::enums::ReasonKind;
use entity::reason;
use rapport_macros::connections;

use super::ids::{self, Kind};
use super::level::Row;
use super::list::Record;

pub use filter::{ReasonFilter, ReasonOrderField};
pub use mutation::{ReasonMutation, ReasonPayload};
/// Deals and survey responses check their codes with the core's rule.
pub use rapport_core::ops::reason::check_listed;

/// One standardised reason.
pub struct Reason(pub Row<reason::Model>);

impl Record for Reason {
    type Entity = reason::Entity;
    type Model = reason::Model;
    fn wrap(row: Row<reason::Model>) -> Self {
        Self(row)
    }
}

/// An entry of a list of standardised reasons.
#[connections]
#[Object]
impl Reason {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Reason, self.0.model().id)
    }
    /// Which list the reason belongs to.
    field!(kind: ReasonKind);
    /// The code records carry, e.g. `PRICE_TOO_HIGH`.
    field!(code: &str);
    /// What people read, e.g. "Price too high".
    field!(label: &str);
    /// Inactive reasons stay on old records but are refused on new ones.
    field!(active: bool);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while it is deleted (it can be restored); null otherwise.
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was recorded.
    field!(created_at: DateTime<Utc>);
}

#[derive(Default)]
pub struct ReasonQuery;

#[connections]
#[Object]
impl ReasonQuery {
    /// The workspace's standardised reasons (by kind and code unless `orderBy` says otherwise).
    listing!(reasons: Reason, ReasonFilter, ReasonOrderField);
}
