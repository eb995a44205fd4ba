//! The open pipeline of a period: what was open at its end, and what is
//! expected to close in it, weighted by each stage's win probability.

use std::collections::BTreeMap;

use entity::enums::{DealStatus, StageKind};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, UnionType};
use sea_orm::{ActiveEnum, ConnectionTrait};

use super::sql::{int, money_by_currency, rows, totals};
use super::{CurrencyTotal, Scope};
use crate::domain::money;
use crate::error::CoreResult;
use crate::rules::sums;

/// Deals that were open when the period ended, per currency, at their
/// current amounts. Whether a deal was open is read from its stage history:
/// the stage it was in at `to` is an OPEN one. A deal created after the
/// period was in no stage then; one won before the period's end and
/// reopened since counts as closed; one open then and closed since counts.
/// A stage's kind is its kind now (it cannot change while deals are in it).
///
/// A deal whose stage has not changed since `to` is where it was then, so
/// the statement reads two parts, each through an index, and never every
/// deal's history: the deals open now and unchanged since `to`, and the
/// deals changed since `to`. For those, the one change that ended the stay
/// spanning `to` (made at or after `to`, its stay begun before) names the
/// stage left: the stage at `to`. Later changes' stays began at or after
/// `to`, and a deal created after `to` left no stage, so each deal counts
/// once, from the changes' time index alone (at a million contacts 0.8 s
/// with a look-up in each changed deal's history, 0.3 s without).
pub async fn pipeline_value<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> CoreResult<Vec<CurrencyTotal>> {
    let later = Alias::new("later_change");
    let changed_since = Query::select()
        .expr(Expr::val(1))
        .from_as("deal_stage_change", later.clone())
        .and_where(Expr::col((later.clone(), "workspace_id")).equals(("deal", "workspace_id")))
        .and_where(Expr::col((later.clone(), "deal_id")).equals(("deal", "id")))
        .and_where(Expr::col((later, "created_at")).gte(scope.to))
        .to_owned();
    let mut unchanged = Query::select()
        .column(("deal", "currency"))
        .column(("deal", "amount_e4"))
        .from("deal")
        .cond_where(
            scope
                .deals("deal")
                .add(Expr::col(("deal", "status")).eq(DealStatus::Open.to_value()))
                .add(Expr::col(("deal", "created_at")).lt(scope.to))
                .add(Expr::exists(changed_since).not()),
        )
        .to_owned();
    let ending = Alias::new("ending_change");
    let changed = Query::select()
        .column(("deal", "currency"))
        .column(("deal", "amount_e4"))
        .from_as("deal_stage_change", ending.clone())
        .inner_join(
            "stage",
            Expr::col(("stage", "workspace_id"))
                .equals((ending.clone(), "workspace_id"))
                .and(Expr::col(("stage", "id")).equals((ending.clone(), "from_stage_id"))),
        )
        .inner_join(
            "deal",
            Expr::col(("deal", "workspace_id"))
                .equals((ending.clone(), "workspace_id"))
                .and(Expr::col(("deal", "id")).equals((ending.clone(), "deal_id"))),
        )
        .cond_where(
            scope
                .deals("deal")
                .add(Expr::col((ending.clone(), "workspace_id")).eq(scope.workspace_id))
                .add(Expr::col((ending.clone(), "created_at")).gte(scope.to))
                .add(Expr::col((ending, "stay_began_at")).lt(scope.to))
                .add(Expr::col(("stage", "kind")).eq(StageKind::Open.to_value())),
        )
        .to_owned();
    let open_at_end = unchanged.union(UnionType::All, changed).to_owned();
    let select = money_by_currency("open_at_end")
        .from_subquery(open_at_end, Alias::new("open_at_end"))
        .to_owned();
    Ok(totals(&rows(db, scope.workspace_id, &select).await?)?)
}

/// Σ amount × stage win probability of open deals expected to close on one
/// of the period's days ([`Scope::days`]), per currency, rounded to the
/// currency's decimals once. SQL sums the amounts per currency and
/// probability; the products are taken here, in 128 bits, so no amount
/// overflows. A forecast is about what is open now, so it reads the deals'
/// current stages, not their history.
pub async fn weighted_forecast<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> CoreResult<Vec<CurrencyTotal>> {
    let mut select = Query::select();
    select
        .expr_as(Expr::col(("deal", "currency")), "currency")
        .expr_as(Expr::col(("stage", "win_probability")), "probability")
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "count");
    let select = sums::select(&mut select, r#""deal"."amount_e4""#, "total")
        .from("deal")
        .inner_join(
            "stage",
            Expr::col(("stage", "workspace_id"))
                .equals(("deal", "workspace_id"))
                .and(Expr::col(("stage", "id")).equals(("deal", "stage_id"))),
        )
        .cond_where(
            scope
                .deals("deal")
                .add(Expr::col(("deal", "status")).eq(DealStatus::Open.to_value()))
                .add(scope.on_days("deal", "expected_close_date")),
        )
        .group_by_col(("deal", "currency"))
        .group_by_col(("stage", "win_probability"))
        .to_owned();
    // Per currency: (count, Σ ten-thousandths × percent = millionths).
    let mut by_currency: BTreeMap<String, (i64, i128)> = BTreeMap::new();
    for row in rows(db, scope.workspace_id, &select).await? {
        let currency: String = row.try_get("", "currency")?;
        let probability: i32 = row.try_get("", "probability")?;
        let entry = by_currency.entry(currency).or_default();
        entry.0 += int(&row, "count")?;
        entry.1 += sums::read(&row, "total")? * i128::from(probability);
    }
    Ok(by_currency
        .into_iter()
        .map(|(currency, (count, millionths))| {
            let exact = Decimal::try_from_i128_with_scale(millionths, money::STORED_SCALE + 2)
                .unwrap_or(Decimal::MAX);
            CurrencyTotal {
                amount: money::round_to_currency(exact, &currency),
                count,
                currency,
            }
        })
        .collect())
}
