//! Sales figures for a period: outcomes, revenue, cycle length, time in
//! stage, close reasons and lead conversion. Each is one SQL statement over
//! the workspace's live records. (Pipeline value and the weighted forecast
//! are the core's, `rapport_core::rules::analytics`.)

use async_graphql::SimpleObject;
use entity::enums::DealStatus;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Query};
use sea_orm::{ActiveEnum, ConnectionTrait, DbErr};
use uuid::Uuid;

use super::sql::{Scope, count_if, count_when, float, int, money_by_currency, ratio, rows, totals};
use crate::graphql::deal::MoneyTotal;
use rapport_core::access::Owned;
use rapport_core::rules::figures::seconds_between;

/// Deals closed in the period.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct DealOutcomes {
    /// Deals won in the period.
    pub won: i64,
    /// Deals lost in the period.
    pub lost: i64,
    /// won ÷ (won + lost); null when none closed.
    pub win_rate: Option<f64>,
}

/// Leads created in the period and how many reached a deal.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct Conversion {
    /// Contacts created in the period.
    pub leads: i64,
    /// Of those, contacts on at least one live deal (of the pipeline, if given).
    pub converted: i64,
    /// converted ÷ leads; null without leads.
    pub rate: Option<f64>,
}

/// How often a close reason was given in the period.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct ReasonCount {
    /// WON or LOST.
    pub outcome: DealStatus,
    /// The reason code; null for closings without one.
    pub reason: Option<String>,
    /// How many deals closed with it in the period.
    pub count: i64,
}

fn won() -> String {
    DealStatus::Won.to_value()
}

/// Won and lost deals whose (latest) closing falls in the period. A deal
/// reopened since is open, so it counts nowhere until it closes again.
pub async fn outcomes<C: ConnectionTrait>(db: &C, scope: &Scope) -> Result<DealOutcomes, DbErr> {
    let select = Query::select()
        .expr_as(
            count_when(&format!(r#""deal"."status" = '{}'"#, won())),
            "won",
        )
        .expr_as(
            count_when(&format!(
                r#""deal"."status" = '{}'"#,
                DealStatus::Lost.to_value()
            )),
            "lost",
        )
        .from("deal")
        .cond_where(scope.deals("deal").add(scope.within("deal", "closed_at")))
        .to_owned();
    let found = rows(db, scope.workspace_id, &select).await?;
    let (won, lost) = match found.first() {
        Some(row) => (int(row, "won")?, int(row, "lost")?),
        None => (0, 0),
    };
    Ok(DealOutcomes {
        won,
        lost,
        win_rate: ratio(won, won + lost),
    })
}

/// The amounts of deals won in the period, per currency. With `new_only`,
/// only each company's first win (and deals without a company): net new
/// revenue; the rest of the won revenue is expansion of existing customers.
pub async fn won_revenue<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    new_only: bool,
) -> Result<Vec<MoneyTotal>, DbErr> {
    let mut condition = scope
        .deals("deal")
        .add(scope.within("deal", "closed_at"))
        .add(Expr::col(("deal", "status")).eq(won()));
    if new_only {
        let earlier = Alias::new("earlier");
        let earlier_win = Query::select()
            .expr(Expr::val(1))
            .from_as("deal", earlier.clone())
            .and_where(
                Expr::col((earlier.clone(), "workspace_id")).equals(("deal", "workspace_id")),
            )
            .and_where(Expr::col((earlier.clone(), "company_id")).equals(("deal", "company_id")))
            .and_where(Expr::col((earlier.clone(), "status")).eq(won()))
            .and_where(Expr::col((earlier.clone(), "deleted_at")).is_null())
            .and_where(
                Expr::col((earlier.clone(), "closed_at"))
                    .lt(Expr::col(("deal", "closed_at")))
                    .or(Expr::col((earlier.clone(), "closed_at"))
                        .eq(Expr::col(("deal", "closed_at")))
                        .and(Expr::col((earlier, "id")).lt(Expr::col(("deal", "id"))))),
            )
            .to_owned();
        condition = condition.add(
            Expr::col(("deal", "company_id"))
                .is_null()
                .or(Expr::exists(earlier_win).not()),
        );
    }
    let select = money_by_currency("deal")
        .from("deal")
        .cond_where(condition)
        .to_owned();
    totals(&rows(db, scope.workspace_id, &select).await?)
}

/// Mean days from creation to winning, over deals won in the period.
pub async fn sales_cycle_days<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> Result<Option<f64>, DbErr> {
    let seconds = seconds_between(
        db.get_database_backend(),
        r#""deal"."created_at""#,
        r#""deal"."closed_at""#,
    );
    let select = Query::select()
        .expr_as(
            Expr::cust(format!("CAST(AVG({seconds}) AS DOUBLE PRECISION)")),
            "seconds",
        )
        .from("deal")
        .cond_where(
            scope
                .deals("deal")
                .add(scope.within("deal", "closed_at"))
                .add(Expr::col(("deal", "status")).eq(won())),
        )
        .to_owned();
    let found = rows(db, scope.workspace_id, &select).await?;
    Ok(match found.first() {
        Some(row) => float(row, "seconds")?.map(|s| s / 86_400.0),
        None => None,
    })
}

/// Per stage, the stays that ended in the period: how many, and their mean
/// length in days. A stay runs from entering the stage to the deal's next
/// stage change; a deal moved back and forth stays several times. Stays
/// still running are not counted (they have no length yet).
///
/// Each stage change records the stage it left and when the deal had
/// entered it, so only the period's changes are read (from their time
/// index alone), none before them. Without a pipeline or an owner, a
/// change counts unless its deal is deleted, which reads the few deleted
/// deals instead of every live one; with them, each change's deal is
/// joined to be checked.
pub async fn time_in_stage<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> Result<Vec<(Uuid, i64, f64)>, DbErr> {
    let seconds = seconds_between(
        db.get_database_backend(),
        r#""deal_stage_change"."stay_began_at""#,
        r#""deal_stage_change"."created_at""#,
    );
    let mut select = Query::select();
    select
        .expr_as(
            Expr::col(("deal_stage_change", "from_stage_id")),
            "stage_id",
        )
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "visits")
        .expr_as(
            Expr::cust(format!("CAST(AVG({seconds}) AS DOUBLE PRECISION)")),
            "seconds",
        )
        .from("deal_stage_change")
        .cond_where(
            Condition::all()
                .add(Expr::col(("deal_stage_change", "workspace_id")).eq(scope.workspace_id))
                .add(scope.within("deal_stage_change", "created_at"))
                // A deal's first change (its creation) ends no stay.
                .add(Expr::col(("deal_stage_change", "from_stage_id")).is_not_null()),
        )
        .group_by_col(("deal_stage_change", "from_stage_id"));
    let on_deal = Expr::col(("deal", "workspace_id"))
        .equals(("deal_stage_change", "workspace_id"))
        .and(Expr::col(("deal", "id")).equals(("deal_stage_change", "deal_id")));
    if scope.pipeline_id.is_none() && !scope.narrowed(Owned::Deals) {
        let deleted = Query::select()
            .expr(Expr::val(1))
            .from("deal")
            .cond_where(on_deal)
            .and_where(Expr::col(("deal", "deleted_at")).is_not_null())
            .to_owned();
        select.and_where(Expr::exists(deleted).not());
    } else {
        select
            .inner_join("deal", on_deal)
            .cond_where(scope.deals("deal"));
    }
    rows(db, scope.workspace_id, &select)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get("", "stage_id")?,
                int(row, "visits")?,
                float(row, "seconds")?.unwrap_or(0.0) / 86_400.0,
            ))
        })
        .collect()
}

/// How often each close reason was given for deals closed in the period.
pub async fn close_reasons<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> Result<Vec<ReasonCount>, DbErr> {
    let select = Query::select()
        .expr_as(Expr::col(("deal", "status")), "status")
        .expr_as(Expr::col(("deal", "close_reason")), "reason")
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "count")
        .from("deal")
        .cond_where(
            scope
                .deals("deal")
                .add(scope.within("deal", "closed_at"))
                .add(Expr::col(("deal", "status")).ne(DealStatus::Open.to_value())),
        )
        .group_by_col(("deal", "status"))
        .group_by_col(("deal", "close_reason"))
        .order_by(("deal", "status"), sea_orm::Order::Desc)
        .order_by_expr(Expr::cust("COUNT(*)"), sea_orm::Order::Desc)
        .order_by(("deal", "close_reason"), sea_orm::Order::Asc)
        .to_owned();
    rows(db, scope.workspace_id, &select)
        .await?
        .iter()
        .map(|row| {
            let status: String = row.try_get("", "status")?;
            Ok(ReasonCount {
                outcome: if status == won() {
                    DealStatus::Won
                } else {
                    DealStatus::Lost
                },
                reason: row.try_get("", "reason")?,
                count: int(row, "count")?,
            })
        })
        .collect()
}

/// Contacts created in the period (owned by the owner, if given), and how
/// many of them are on a live deal (of the pipeline, if given): the
/// period's contacts, each looked up in its deals.
pub async fn conversion<C: ConnectionTrait>(db: &C, scope: &Scope) -> Result<Conversion, DbErr> {
    let mut on_deal = Query::select();
    on_deal
        .expr(Expr::val(1))
        .from("deal_contact")
        .inner_join(
            "deal",
            Expr::col(("deal", "workspace_id"))
                .equals(("deal_contact", "workspace_id"))
                .and(Expr::col(("deal", "id")).equals(("deal_contact", "deal_id"))),
        )
        .and_where(Expr::col(("deal_contact", "workspace_id")).equals(("contact", "workspace_id")))
        .and_where(Expr::col(("deal_contact", "contact_id")).equals(("contact", "id")))
        .and_where(Expr::col(("deal", "deleted_at")).is_null());
    if let Some(pipeline) = scope.pipeline_id {
        on_deal.and_where(Expr::col(("deal", "pipeline_id")).eq(pipeline));
    }
    let select = Query::select()
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "leads")
        .expr_as(count_if(Expr::exists(on_deal.to_owned())), "converted")
        .from("contact")
        .cond_where(
            scope
                .live("contact")
                .add(scope.within("contact", "created_at"))
                .add(scope.owned("contact", "owner_id")),
        )
        .to_owned();
    let found = rows(db, scope.workspace_id, &select).await?;
    let (leads, converted) = match found.first() {
        Some(row) => (int(row, "leads")?, int(row, "converted")?),
        None => (0, 0),
    };
    Ok(Conversion {
        leads,
        converted,
        rate: ratio(converted, leads),
    })
}
