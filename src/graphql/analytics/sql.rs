//! The analytics' scope and statement helpers, which live in the core
//! (`rapport_core::rules::analytics`), and the money shapes of the API.

use rust_decimal::Decimal;
use sea_orm::{DbErr, QueryResult};

use crate::domain::money;
use crate::graphql::deal::MoneyTotal;
use rapport_core::rules::analytics::{self, CurrencyTotal};

pub use rapport_core::rules::analytics::{
    Scope, count_if, count_when, float, int, money_by_currency, ratio, round2, rows,
};

impl From<CurrencyTotal> for MoneyTotal {
    fn from(total: CurrencyTotal) -> Self {
        MoneyTotal {
            currency: total.currency,
            amount: total.amount,
            count: total.count,
        }
    }
}

/// The core's per-currency totals as the API's.
pub fn money(totals: Vec<CurrencyTotal>) -> Vec<MoneyTotal> {
    totals.into_iter().map(MoneyTotal::from).collect()
}

/// Rows of `currency`, `count` and the exact sum `total` (ten-thousandths,
/// see `sums`) as money totals.
pub fn totals(rows: &[QueryResult]) -> Result<Vec<MoneyTotal>, DbErr> {
    Ok(money(analytics::totals(rows)?))
}

/// Each total divided by its count, rounded to the currency's decimals by
/// the one rule (half away from zero).
pub fn averages(totals: &[MoneyTotal]) -> Vec<MoneyTotal> {
    totals
        .iter()
        .filter(|t| t.count > 0)
        .map(|t| MoneyTotal {
            currency: t.currency.clone(),
            amount: money::round_to_currency(t.amount / Decimal::from(t.count), &t.currency),
            count: t.count,
        })
        .collect()
}
