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
