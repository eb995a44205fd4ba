//! Marketing figures for a period: email-list growth. Computed by the core
//! (`rapport_core::rules::analytics`); their shapes are here.

use async_graphql::SimpleObject;
use rapport_core::rules::analytics;

/// How the email list grew in the period. A contact is on the list at an
/// instant when its latest consent is before it and it had not unsubscribed
/// before it; only a contact's latest consent and unsubscription are kept,
/// so a contact that left and opted in again counts by its latest consent.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct EmailListGrowthFigures {
    /// Contacts opted in when the period began.
    pub opted_in_at_start: i64,
    /// Contacts whose (latest) consent was given in the period.
    pub opt_ins: i64,
    /// Contacts who unsubscribed in the period.
    pub unsubscribes: i64,
    /// (optIns − unsubscribes) ÷ optedInAtStart; null when nobody was opted
    /// in at the start.
    pub rate: Option<f64>,
}

impl From<analytics::EmailListGrowth> for EmailListGrowthFigures {
    fn from(g: analytics::EmailListGrowth) -> Self {
        EmailListGrowthFigures {
            opted_in_at_start: g.opted_in_at_start,
            opt_ins: g.opt_ins,
            unsubscribes: g.unsubscribes,
            rate: g.rate,
        }
    }
}

/// The carts started in the period and what became of them since. A cart
/// counts by when it was started, so a period's rate settles as its carts
/// are placed or abandoned.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct CartFigures {
    /// Carts started in the period (live orders that began as a cart).
    pub started: i64,
    /// Of those, the ones now `ABANDONED`.
    pub abandoned: i64,
    /// Of those, the ones placed (now `PLACED`, `CANCELLED` or `REFUNDED`).
    pub placed: i64,
    /// Of those, the ones still a `CART`.
    pub open: i64,
    /// abandoned ÷ started; null when no cart was started.
    pub abandoned_rate: Option<f64>,
}

impl From<analytics::Carts> for CartFigures {
    fn from(c: analytics::Carts) -> Self {
        CartFigures {
            started: c.started,
            abandoned: c.abandoned,
            placed: c.placed,
            open: c.open,
            abandoned_rate: c.abandoned_rate,
        }
    }
}
