//! Exact sums of stored amounts. Each amount is a BIGINT of ten-thousandths
//! and may be as large as a BIGINT holds, so a plain `SUM` can overflow
//! (PostgreSQL: "bigint out of range"; SQLite: "integer overflow"). SQL adds
//! them in two parts that cannot overflow, the billions and the rest, and
//! [`read`] joins the parts in 128 bits.

use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{DbErr, QueryResult};

/// Where an amount is split: a BIGINT over it is at most 9.3 × 10⁹, so
/// the sum of either part overflows only past a billion rows.
const SPLIT: i64 = 1_000_000_000;

/// Selects the exact sum of non-negative `column` (SQL, e.g.
/// `"deal"."amount_e4"`) as the two parts `{alias}_high` and `{alias}_low`.
pub fn select<'a>(
    select: &'a mut SelectStatement,
    column: &str,
    alias: &str,
) -> &'a mut SelectStatement {
    select
        .expr_as(
            Expr::cust(format!(
                "CAST(COALESCE(SUM({column} / {SPLIT}), 0) AS BIGINT)"
            )),
            format!("{alias}_high"),
        )
        .expr_as(
            Expr::cust(format!(
                "CAST(COALESCE(SUM({column} % {SPLIT}), 0) AS BIGINT)"
            )),
            format!("{alias}_low"),
        )
}

/// The sum selected by [`select`] as `alias`.
pub fn read(row: &QueryResult, alias: &str) -> Result<i128, DbErr> {
    let part = |suffix: &str| -> Result<i128, DbErr> {
        let value: Option<i64> = row.try_get("", &format!("{alias}_{suffix}"))?;
        Ok(i128::from(value.unwrap_or(0)))
    };
    Ok(part("high")? * i128::from(SPLIT) + part("low")?)
}
