//! Goals a period touches, each with what its member won toward it.

use std::collections::BTreeMap;

use entity::enums::DealStatus;
use entity::goal;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::Scope;
use super::sql::rows;
use crate::error::CoreResult;
use crate::rules::sums;

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

/// Live goals sharing a day with the period ([`Scope::days`]: a period
/// ending at noon touches that day's goals), each with the exact sum (in
/// ten-thousandths) of its member's deals won in its currency within the
/// goal's own days, whatever the period.
pub async fn goals<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> CoreResult<Vec<(goal::Model, i128)>> {
    let (first, after_last) = scope.days();
    let goals = goal::Entity::find()
        .filter(goal::Column::WorkspaceId.eq(scope.workspace_id))
        .filter(goal::Column::DeletedAt.is_null())
        .filter(goal::Column::PeriodStart.lt(after_last))
        .filter(goal::Column::PeriodEnd.gte(first))
        .all(db)
        .await?;
    if goals.is_empty() {
        return Ok(Vec::new());
    }
    // The goal's period decides, not the leaderboard's.
    let deals_in_scope = scope
        .deals("deal")
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
        .and_where(Expr::col(("goal", "period_start")).lt(after_last))
        .and_where(Expr::col(("goal", "period_end")).gte(first))
        .group_by_col(("goal", "id"))
        .to_owned();
    let mut won: BTreeMap<Uuid, i128> = BTreeMap::new();
    for row in rows(db, scope.workspace_id, &select).await? {
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
