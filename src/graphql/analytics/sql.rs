//! Statement helpers the analytics share: the period and scope conditions,
//! and reading per-currency money rows.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use uuid::Uuid;

use crate::domain::money;
use crate::graphql::deal::MoneyTotal;
use rapport_core::rules::sums;

/// What the figures are about: a workspace, a half-open period
/// `[from, to)`, and optionally one pipeline and one owner.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub workspace_id: Uuid,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub pipeline_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
}

impl Scope {
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
        c
    }

    /// `table.column` equals the owner asked for, when one was.
    pub fn owned(&self, table: &'static str, column: &'static str) -> Condition {
        match self.owner_id {
            Some(owner) => Condition::all().add(Expr::col((table, column)).eq(owner)),
            None => Condition::all(),
        }
    }
}

/// `SUM(CASE WHEN condition THEN 1 ELSE 0 END)`, as a 64-bit integer.
pub fn count_when(condition: &str) -> Expr {
    Expr::cust(format!(
        "CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT)"
    ))
}

/// How many rows `condition` holds for, as a 64-bit integer.
pub fn count_if(condition: Expr) -> Expr {
    let ones: Expr = Expr::case(condition, 1).finally(0).into();
    let sum: Expr = Func::coalesce([Func::sum(ones).into(), Expr::val(0)]).into();
    Func::cast_as(sum, "BIGINT").into()
}

/// Runs `select` and returns its rows.
pub async fn rows<C: ConnectionTrait>(
    db: &C,
    select: &SelectStatement,
) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all(select).await
}

/// An integer column that may come back as NULL (a SUM over no rows).
pub fn int(row: &QueryResult, column: &str) -> Result<i64, DbErr> {
    Ok(row.try_get::<Option<i64>>("", column)?.unwrap_or(0))
}

/// A float column that may be NULL (an AVG over no rows).
pub fn float(row: &QueryResult, column: &str) -> Result<Option<f64>, DbErr> {
    row.try_get::<Option<f64>>("", column)
}

/// Rows of `currency`, `count` and the exact sum `total` (ten-thousandths,
/// see `sums`) as money totals.
pub fn totals(rows: &[QueryResult]) -> Result<Vec<MoneyTotal>, DbErr> {
    rows.iter()
        .map(|row| {
            let currency: String = row.try_get("", "currency")?;
            Ok(MoneyTotal {
                amount: money::from_e4_wide(sums::read(row, "total")?, &currency),
                count: int(row, "count")?,
                currency,
            })
        })
        .collect()
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

/// `part / whole`, or null when `whole` is zero.
pub fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Rounds to two decimals, which is what the figures are shown with.
pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
