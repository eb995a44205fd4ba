//! Figures of a period (the API's `analytics`), computed from the records'
//! history: each figure is one SQL statement over the workspace's records,
//! run when it is asked for. The API's figures move here one by one (the
//! rest are still in the API crate's `graphql/analytics`, on this module's
//! [`Scope`]).
//!
//! # Rules every figure follows
//!
//! - **Periods** are half-open, `[from, to)`. A calendar date (a deal's
//!   expected close date, a goal's days) lies in a period when any part of
//!   its UTC day does: from the day of `from` through the day of the last
//!   instant before `to` ([`Scope::days`]), so a period ending at 12:00
//!   includes that day, one ending at midnight does not.
//! - **Deleting a record removes it from the figures; deleting a record it
//!   refers to does not.** A deleted deal, order, ticket or survey answer
//!   counts nowhere. An answer or an order stays a fact of the past when
//!   its contact or company is deleted: NPS, CSAT and the order mix count
//!   it, as `surveyResponses` and `orders` still list it.
//! - **`ownerId`** narrows a figure to the member who owns what it counts
//!   (a deal's owner, a lead's owner, a survey answer's contact's owner, an
//!   order's buyer's owner, a company's owner, a ticket's assignee), as
//!   owned now: ownership has no history.
//! - **A reader narrowed** to its team's or its own deals, companies or
//!   contacts (see `access::Sight`) gets every figure over the records it
//!   reads ([`Scope::reader`]): a deal, a lead, a survey answer's contact,
//!   an order's buyer, a company that it reads. With `ownerId` (one it
//!   reads) the figures are that member's, all of which it reads.
//! - **Email consent** is read from each contact's latest consent and
//!   latest unsubscription (see `marketing`): a contact is on the list at an
//!   instant when it consented before it and had not unsubscribed before it.
//! - **`pipelineId`** narrows the deal figures; figures of contacts,
//!   surveys, tickets, companies and orders belong to no pipeline and say so.

mod acquisition;
mod carts;
mod customers;
mod goals;
mod marketing;
mod pipeline;
mod sql;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use std::sync::Arc;
use uuid::Uuid;

use crate::access::{Owned, Sight};
use crate::store::owned_among;

pub use acquisition::{Acquisition, AcquisitionByChannel, acquisition};
pub use carts::{Carts, carts};
pub use customers::{Csat, Nps, OrderMix, csat, nps, order_mix};
pub use goals::goals;
pub use marketing::{EmailListGrowth, email_list_growth};
pub use pipeline::{pipeline_value, weighted_forecast};
pub use sql::{count_if, count_when, float, int, money_by_currency, ratio, round2, rows, totals};

/// What the figures are about: a workspace, a half-open period
/// `[from, to)`, and optionally one pipeline and one owner, as one reader
/// sees them.
#[derive(Debug, Clone)]
pub struct Scope {
    pub workspace_id: Uuid,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub pipeline_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    /// What the reader reads of owned records: the figures count only those.
    pub reader: Arc<Sight>,
}

/// A sum of amounts in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyTotal {
    /// ISO 4217 code.
    pub currency: String,
    /// The exact sum, with the currency's decimals.
    pub amount: Decimal,
    /// How many amounts were summed.
    pub count: i64,
}

impl Scope {
    /// The calendar days the period touches, as `[first, after_last)`: the
    /// day of `from` through the day of the last instant before `to`.
    pub fn days(&self) -> (NaiveDate, NaiveDate) {
        let first = self.from.date_naive();
        let to_day = self.to.date_naive();
        let after_last = if self.to.time() == NaiveTime::MIN {
            to_day
        } else {
            to_day
                .checked_add_days(Days::new(1))
                .unwrap_or(NaiveDate::MAX)
        };
        (first, after_last)
    }

    /// `table.column`, a date, lies on one of the period's [`days`](Self::days).
    pub fn on_days(&self, table: &'static str, column: &'static str) -> Condition {
        let (first, after_last) = self.days();
        Condition::all()
            .add(Expr::col((table, column)).gte(first))
            .add(Expr::col((table, column)).lt(after_last))
    }

    /// `table.column` lies in the period.
    pub fn within(&self, table: &'static str, column: &'static str) -> Condition {
        Condition::all()
            .add(Expr::col((table, column)).gte(self.from))
            .add(Expr::col((table, column)).lt(self.to))
    }

    /// Live rows of `table` (aliased or not) in the workspace.
    pub fn live(&self, table: &'static str) -> Condition {
        Condition::all()
            .add(Expr::col((table, "workspace_id")).eq(self.workspace_id))
            .add(Expr::col((table, "deleted_at")).is_null())
    }

    /// Live deals (as `table`) of the pipeline and owner asked for.
    pub fn deals(&self, table: &'static str) -> Condition {
        let mut c = self.live(table);
        if let Some(pipeline) = self.pipeline_id {
            c = c.add(Expr::col((table, "pipeline_id")).eq(pipeline));
        }
        if let Some(owner) = self.owner_id {
            c = c.add(Expr::col((table, "owner_id")).eq(owner));
        }
        c.add(self.read(Owned::Deals, table))
    }

    /// `table.column` equals the owner asked for, when one was; rows of a
    /// `contact` or `company` table are also those the reader reads.
    pub fn owned(&self, table: &'static str, column: &'static str) -> Condition {
        let area = match table {
            "contact" => Some(Owned::Contacts),
            "company" => Some(Owned::Companies),
            _ => None,
        };
        let read = area.map_or_else(Condition::all, |area| self.read(area, table));
        match self.owner_id {
            Some(owner) => read.add(Expr::col((table, column)).eq(owner)),
            None => read,
        }
    }

    /// Whether the figures count only some of `area`'s records.
    pub fn narrowed(&self, area: Owned) -> bool {
        self.owner_id.is_some() || self.reader.owners(area).is_some()
    }

    /// The rows of `area` named `table` the reader reads: unowned, or owned
    /// by one it reads. Nothing to add when an owner was asked for (it is
    /// one the reader reads) or the reader reads them all.
    pub fn read(&self, area: Owned, table: impl sea_orm::sea_query::IntoIden) -> Condition {
        match (self.owner_id, self.reader.owners(area)) {
            (None, Some(owners)) => owned_among(table, owners),
            _ => Condition::all(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(from: &str, to: &str) -> Scope {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("time")
                .with_timezone(&Utc)
        };
        Scope {
            workspace_id: Uuid::nil(),
            from: at(from),
            to: at(to),
            pipeline_id: None,
            owner_id: None,
            reader: Arc::new(Sight::everything(Uuid::nil())),
        }
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_period_touches_the_day_of_its_last_instant() {
        let midnight = scope("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z");
        assert_eq!(midnight.days(), (date("2026-01-01"), date("2026-02-01")));
        let noon = scope("2026-01-01T12:00:00Z", "2026-01-31T12:00:00Z");
        assert_eq!(noon.days(), (date("2026-01-01"), date("2026-02-01")));
        let one_second = scope("2026-01-31T23:59:59Z", "2026-02-01T00:00:01Z");
        assert_eq!(one_second.days(), (date("2026-01-31"), date("2026-02-02")));
    }
}
