//! Statement helpers the period figures share: counting, reading per-currency
//! money rows, and the ratios and rounding figures are shown with.

use sea_orm::sea_query::{Expr, Func, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use uuid::Uuid;

use super::CurrencyTotal;
use crate::domain::money;
use crate::rules::sums;
use crate::store::one_workspace;

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

/// Runs `select`, a statement of `workspace`, and returns its rows. On
/// PostgreSQL each table in it is bound to the workspace
/// (`one_workspace::bind`), so Citus runs it on one shard.
pub async fn rows<C: ConnectionTrait>(
    db: &C,
    workspace: Uuid,
    select: &SelectStatement,
) -> Result<Vec<QueryResult>, DbErr> {
    one_workspace::query_all(db, workspace, select).await
}

/// An integer column that may come back as NULL (a SUM over no rows).
pub fn int(row: &QueryResult, column: &str) -> Result<i64, DbErr> {
    Ok(row.try_get::<Option<i64>>("", column)?.unwrap_or(0))
}

/// A float column that may be NULL (an AVG over no rows).
pub fn float(row: &QueryResult, column: &str) -> Result<Option<f64>, DbErr> {
    row.try_get::<Option<f64>>("", column)
}

/// `currency`, `count` and the exact sum `total` (see `sums`) of `table`'s
/// amounts, grouped by currency.
pub fn money_by_currency(table: &'static str) -> SelectStatement {
    let mut select = Query::select();
    select
        .expr_as(Expr::col((table, "currency")), "currency")
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "count");
    sums::select(&mut select, &format!(r#""{table}"."amount_e4""#), "total")
        .group_by_col((table, "currency"))
        .order_by((table, "currency"), sea_orm::Order::Asc)
        .to_owned()
}

/// Rows of `currency`, `count` and the exact sum `total` (ten-thousandths,
/// see `sums`) as money totals.
pub fn totals(rows: &[QueryResult]) -> Result<Vec<CurrencyTotal>, DbErr> {
    rows.iter()
        .map(|row| {
            let currency: String = row.try_get("", "currency")?;
            Ok(CurrencyTotal {
                amount: money::from_e4_wide(sums::read(row, "total")?, &currency),
                count: int(row, "count")?,
                currency,
            })
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
