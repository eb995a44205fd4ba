//! `Campaign.leads`, `.customers` and `.wonRevenue` for every campaign of a
//! level in ONE statement (two grouped selects joined by `UNION ALL`):
//! - leads: live contacts whose first touch is the campaign;
//! - customers: of those leads, the ones on at least one live won deal;
//! - won revenue: the amounts of live won deals whose (inherited, kept)
//!   first touch is the campaign, per currency, never added across
//!   currencies.
//!
//! A reader narrowed to its team's or its own contacts or deals counts the
//! ones it reads.

use rapport_core::store::one_workspace;
use std::collections::HashMap;

use async_graphql::Context;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, JoinType, Query, UnionType};
use uuid::Uuid;

use crate::domain::money;
use crate::graphql::context::{actor, db};
use crate::graphql::deal::MoneyTotal;
use crate::graphql::error::ApiResult;
use crate::graphql::level::Row;
use crate::graphql::list::in_ids;
use entity::campaign;
use rapport_core::access::{Actor, Owned};
use rapport_core::rules::sums;
use rapport_core::store::owned_in;

/// What a campaign brought, by first-touch attribution.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Brought {
    pub leads: i64,
    pub customers: i64,
    pub won_revenue: Vec<MoneyTotal>,
}

/// How many leads (`"contact"`) are on a live won deal (`"w"`) the reader
/// reads.
fn customers(actor: &Actor) -> Expr {
    let mut won = Query::select();
    won.expr(Expr::val(1))
        .from_as("deal_contact", "dc")
        .join_as(
            JoinType::InnerJoin,
            "deal",
            "w",
            Expr::col(("w", "workspace_id"))
                .equals(("dc", "workspace_id"))
                .and(Expr::col(("w", "id")).equals(("dc", "deal_id"))),
        )
        .and_where(Expr::col(("dc", "workspace_id")).equals(("contact", "workspace_id")))
        .and_where(Expr::col(("dc", "contact_id")).equals(("contact", "id")))
        .and_where(Expr::col(("w", "status")).eq("WON"))
        .and_where(Expr::col(("w", "deleted_at")).is_null())
        .cond_where(owned_in(actor, Owned::Deals, "w").unwrap_or_else(Condition::all));
    Func::sum(Expr::case(Expr::exists(won), 1).finally(0)).into()
}

/// The figures of `parent`'s campaign, loaded for its whole level at once.
pub async fn brought(ctx: &Context<'_>, parent: &Row<campaign::Model>) -> ApiResult<Brought> {
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let backend = db.get_database_backend();
    let loaded = parent
        .level
        .load("campaign-brought".to_owned(), |rows| async move {
            let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
            let mut leads = Query::select();
            leads
                .expr_as(
                    Expr::col(("contact", "first_touch_campaign_id")),
                    "campaign",
                )
                .expr_as(Expr::cust("NULL"), "currency")
                .expr_as(Expr::cust("COUNT(*)"), "leads")
                .expr_as(customers(actor), "customers")
                .expr_as(Expr::cust("0"), "deals");
            sums::select(&mut leads, "0", "total")
                .from("contact")
                .and_where(Expr::col(("contact", "workspace_id")).eq(actor.workspace_id))
                .and_where(Expr::col(("contact", "deleted_at")).is_null())
                .cond_where(
                    owned_in(actor, Owned::Contacts, "contact").unwrap_or_else(Condition::all),
                )
                .and_where(in_ids(
                    backend,
                    Expr::col(("contact", "first_touch_campaign_id")),
                    ids.clone(),
                ))
                .group_by_col(("contact", "first_touch_campaign_id"));
            let mut won = Query::select();
            won.expr_as(Expr::col(("deal", "first_touch_campaign_id")), "campaign")
                .expr_as(Expr::col(("deal", "currency")), "currency")
                .expr_as(Expr::cust("0"), "leads")
                .expr_as(Expr::cust("0"), "customers")
                .expr_as(Expr::cust("COUNT(*)"), "deals");
            sums::select(&mut won, r#""deal"."amount_e4""#, "total")
                .from("deal")
                .and_where(Expr::col(("deal", "workspace_id")).eq(actor.workspace_id))
                .and_where(Expr::col(("deal", "deleted_at")).is_null())
                .and_where(Expr::col(("deal", "status")).eq("WON"))
                .cond_where(owned_in(actor, Owned::Deals, "deal").unwrap_or_else(Condition::all))
                .and_where(in_ids(
                    backend,
                    Expr::col(("deal", "first_touch_campaign_id")),
                    ids,
                ))
                .group_by_col(("deal", "first_touch_campaign_id"))
                .group_by_col(("deal", "currency"));
            let statement = leads.union(UnionType::All, won).to_owned();
            let mut figures: HashMap<Uuid, Brought> = HashMap::new();
            for row in one_workspace::query_all(db, actor.workspace_id, &statement).await? {
                let campaign: Uuid = row.try_get("", "campaign")?;
                let currency: Option<String> = row.try_get("", "currency")?;
                let entry = figures.entry(campaign).or_default();
                let Some(currency) = currency else {
                    entry.leads = row.try_get("", "leads")?;
                    entry.customers = row.try_get::<Option<i64>>("", "customers")?.unwrap_or(0);
                    continue;
                };
                let count: i64 = row.try_get("", "deals")?;
                let total = sums::read(&row, "total")?;
                entry.won_revenue.push(MoneyTotal {
                    amount: money::from_e4_wide(total, &currency),
                    currency,
                    count,
                });
            }
            for entry in figures.values_mut() {
                entry
                    .won_revenue
                    .sort_by(|a, b| a.currency.cmp(&b.currency));
            }
            Ok(figures)
        })
        .await?;
    Ok(loaded.get(&parent.model().id).cloned().unwrap_or_default())
}
