//! The leaderboard: per member, what they won in the period, the commission
//! it earns at their rate, and how far along their goals are.

use std::collections::BTreeMap;

use async_graphql::SimpleObject;
use entity::enums::DealStatus;
use entity::member;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::sql::{Scope, int, money_by_currency, rows};
use crate::domain::money;
use crate::graphql::deal::MoneyTotal;
use crate::graphql::goal::Goal;
use crate::graphql::level::Level;
use crate::graphql::member::Member;
use rapport_core::CoreResult;
use rapport_core::rules::{analytics, sums};

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
    /// The member's goals sharing a day with this period (a period ending at
    /// noon shares that day).
    pub goals: Vec<GoalProgress>,
}

/// The entries of the members whose deals `actor` reads (every member's,
/// unless its role's deals are narrowed to its team's or its own).
pub fn in_sight(
    actor: &crate::auth::Actor,
    entries: Vec<LeaderboardEntry>,
) -> Vec<LeaderboardEntry> {
    use rapport_core::access::Owned;
    entries
        .into_iter()
        .filter(|entry| actor.sees(Owned::Deals, Some(entry.member.0.model().id)))
        .collect()
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
    for row in rows(db, scope.workspace_id, &select).await? {
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

/// The leaderboard: members with a win in the period or a goal overlapping
/// it, most deals won first.
pub async fn leaderboard<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> CoreResult<Vec<LeaderboardEntry>> {
    let wins = wins(db, scope).await?;
    let goals = analytics::goals(db, scope).await?;
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
