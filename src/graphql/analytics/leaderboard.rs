//! The leaderboard: per member, what they won in the period, the commission
//! it earns at their rate, and how far along their goals are.

use std::collections::BTreeMap;

use async_graphql::SimpleObject;
use entity::enums::DealStatus;
use entity::{goal, member};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::deals::money_by_currency;
use super::sql::{Scope, int, rows};
use crate::domain::money;
use crate::graphql::deal::MoneyTotal;
use crate::graphql::goal::Goal;
use crate::graphql::level::Level;
use crate::graphql::member::Member;
use rapport_core::rules::sums;

/// A goal and what its member won toward it.
#[derive(SimpleObject)]
pub struct GoalProgress {
    /// The goal (quota) of the period.
    pub goal: Goal,
    /// Deals the member won in the goal's currency within the goal's own period.
    pub won: Decimal,
    /// won ÷ quota (1.0 = met); null for a zero quota.
    pub attainment: Option<f64>,
}

/// One member's line.
#[derive(SimpleObject)]
pub struct LeaderboardEntry {
    /// The member ranked.
    pub member: Member,
    /// Deals won in the period.
    pub won_count: i64,
    /// Their amounts, per currency.
    pub won_amount: Vec<MoneyTotal>,
    /// wonAmount × the member's commission rate, per currency, rounded to its decimals.
    pub commission: Vec<MoneyTotal>,
    /// The member's goals whose period overlaps this one.
    pub goals: Vec<GoalProgress>,
}

/// Deals won per owner and currency in the period.
async fn wins<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> Result<BTreeMap<Uuid, Vec<MoneyTotal>>, DbErr> {
    let select = money_by_currency("deal")
        .expr_as(Expr::col(("deal", "owner_id")), "owner_id")
        .from("deal")
        .cond_where(
            scope
                .deals("deal")
                .add(scope.within("deal", "closed_at"))
                .add(Expr::col(("deal", "status")).eq(DealStatus::Won.to_value()))
                .add(Expr::col(("deal", "owner_id")).is_not_null()),
        )
        .group_by_col(("deal", "owner_id"))
        .to_owned();
    let mut by_owner: BTreeMap<Uuid, Vec<MoneyTotal>> = BTreeMap::new();
    for row in rows(db, &select).await? {
        let currency: String = row.try_get("", "currency")?;
        by_owner
            .entry(row.try_get("", "owner_id")?)
            .or_default()
            .push(MoneyTotal {
                amount: money::from_e4_wide(sums::read(&row, "total")?, &currency),
                count: int(&row, "count")?,
                currency,
            });
    }
    Ok(by_owner)
}

/// SQL for "the deal closed within the goal's days" (UTC days, end included).
fn within_goal(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            r#""deal"."closed_at" >= ("goal"."period_start"::timestamp AT TIME ZONE 'UTC') AND "deal"."closed_at" < (("goal"."period_end" + 1)::timestamp AT TIME ZONE 'UTC')"#
        }
        _ => {
            r#""deal"."closed_at" >= "goal"."period_start" AND "deal"."closed_at" < date("goal"."period_end", '+1 day')"#
        }
    }
}

/// Goals overlapping the period, each with what its member won toward it.
async fn goals<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> Result<Vec<(goal::Model, i128)>, DbErr> {
    let goals = goal::Entity::find()
        .filter(goal::Column::WorkspaceId.eq(scope.workspace_id))
        .filter(goal::Column::DeletedAt.is_null())
        .filter(goal::Column::PeriodStart.lt(scope.to.date_naive()))
        .filter(goal::Column::PeriodEnd.gte(scope.from.date_naive()))
        .all(db)
        .await?;
    if goals.is_empty() {
        return Ok(Vec::new());
    }
    let mut deals_in_scope = scope.deals("deal");
    // The goal's period decides, not the leaderboard's.
    deals_in_scope = deals_in_scope
        .add(Expr::col(("deal", "status")).eq(DealStatus::Won.to_value()))
        .add(Expr::col(("deal", "owner_id")).equals(("goal", "member_id")))
        .add(Expr::col(("deal", "currency")).equals(("goal", "currency")))
        .add(Expr::cust(within_goal(db.get_database_backend())));
    let mut select = Query::select();
    select.expr_as(Expr::col(("goal", "id")), "goal_id");
    let select = sums::select(&mut select, r#""deal"."amount_e4""#, "won")
        .from("goal")
        .left_join("deal", deals_in_scope)
        .and_where(Expr::col(("goal", "workspace_id")).eq(scope.workspace_id))
        .and_where(Expr::col(("goal", "deleted_at")).is_null())
        .and_where(Expr::col(("goal", "period_start")).lt(scope.to.date_naive()))
        .and_where(Expr::col(("goal", "period_end")).gte(scope.from.date_naive()))
        .group_by_col(("goal", "id"))
        .to_owned();
    let mut won: BTreeMap<Uuid, i128> = BTreeMap::new();
    for row in rows(db, &select).await? {
        won.insert(row.try_get("", "goal_id")?, sums::read(&row, "won")?);
    }
    Ok(goals
        .into_iter()
        .map(|g| {
            let w = won.get(&g.id).copied().unwrap_or(0);
            (g, w)
        })
        .collect())
}

/// The leaderboard: members with a win in the period or a goal overlapping
/// it, most deals won first.
pub async fn leaderboard<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> Result<Vec<LeaderboardEntry>, DbErr> {
    let wins = wins(db, scope).await?;
    let goals = goals(db, scope).await?;
    let mut ids: Vec<Uuid> = wins.keys().copied().collect();
    ids.extend(goals.iter().map(|(g, _)| g.member_id));
    ids.sort();
    ids.dedup();
    let members = member::Entity::find()
        .filter(member::Column::WorkspaceId.eq(scope.workspace_id))
        .filter(member::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let mut entries: Vec<LeaderboardEntry> = members
        .into_iter()
        .map(|m| {
            let won_amount = wins.get(&m.id).cloned().unwrap_or_default();
            let rate = Decimal::new(i64::from(m.commission_bps), 4);
            let commission = won_amount
                .iter()
                .map(|t| MoneyTotal {
                    currency: t.currency.clone(),
                    amount: money::round_to_currency(t.amount * rate, &t.currency),
                    count: t.count,
                })
                .collect();
            let goals = goals
                .iter()
                .filter(|(g, _)| g.member_id == m.id)
                .map(|(g, won)| GoalProgress {
                    won: money::from_e4_wide(*won, &g.currency),
                    attainment: (g.quota_e4 > 0).then(|| *won as f64 / g.quota_e4 as f64),
                    goal: Goal(Level::single(g.clone())),
                })
                .collect();
            LeaderboardEntry {
                won_count: won_amount.iter().map(|t| t.count).sum(),
                won_amount,
                commission,
                goals,
                member: Member(Level::single(m)),
            }
        })
        .collect();
    entries.sort_by(|a, b| {
        b.won_count
            .cmp(&a.won_count)
            .then_with(|| a.member.0.model().name.cmp(&b.member.0.model().name))
    });
    Ok(entries)
}
