//! What customers cost, per campaign channel, for a period: spend, leads,
//! customers acquired, won revenue, and from them cost per lead, customer
//! acquisition cost (CAC) and return on spend (ROI). All by first touch,
//! as the campaign figures are, in one statement (four grouped selects
//! joined by `UNION ALL`):
//!
//! - **spend**: live campaigns whose first day (`starts_on`) is one of the
//!   period's days, per channel and currency (a campaign's spend belongs to
//!   the period it starts in; it is not spread over its days);
//! - **leads**: live contacts whose first touch lies in the period, by the
//!   channel of that touch's campaign;
//! - **customers**: live contacts with a first touch who became customers
//!   in the period: their first live won deal or first live placed order
//!   lies in it;
//! - **won revenue**: live deals won in the period, by the channel of their
//!   (inherited, kept) first touch, per currency.
//!
//! A campaign deleted since keeps crediting its leads, customers and
//! revenue to its channel (deleting a record another refers to changes no
//! figure); its own spend leaves the figures with it.

use std::collections::BTreeMap;

use entity::enums::{CampaignChannel, DealStatus, OrderStatus};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement, UnionType};
use sea_orm::{ActiveEnum, ConnectionTrait, DbErr, QueryResult};

use super::Scope;
use super::sql::{int, rows};
use crate::domain::money;
use crate::error::CoreResult;
use crate::rules::sums;

/// One channel's (or all channels') figures. Money is per currency (ISO
/// 4217 code → amount), never converted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Acquisition {
    pub spend: BTreeMap<String, Decimal>,
    pub leads: i64,
    pub customers: i64,
    pub won_revenue: BTreeMap<String, Decimal>,
}

impl Acquisition {
    /// Spend ÷ leads per currency (rounded to the currency); none without leads.
    pub fn cost_per_lead(&self) -> BTreeMap<String, Decimal> {
        per(&self.spend, self.leads)
    }

    /// Spend ÷ customers acquired per currency; none without customers.
    pub fn cac(&self) -> BTreeMap<String, Decimal> {
        per(&self.spend, self.customers)
    }

    /// Won revenue ÷ spend, per currency spent in (a fraction: 3.5 is three
    /// and a half times the spend; a currency with revenue and no spend has
    /// no ROI).
    pub fn roi(&self) -> BTreeMap<String, f64> {
        self.spend
            .iter()
            .filter(|(_, spent)| !spent.is_zero())
            .map(|(currency, spent)| {
                let revenue = self.won_revenue.get(currency).copied().unwrap_or_default();
                let ratio = (revenue / spent).round_dp(4);
                (currency.clone(), ratio.try_into().unwrap_or(0.0))
            })
            .collect()
    }

    fn add(&mut self, other: &Acquisition) {
        for (currency, amount) in &other.spend {
            *self.spend.entry(currency.clone()).or_default() += amount;
        }
        for (currency, amount) in &other.won_revenue {
            *self.won_revenue.entry(currency.clone()).or_default() += amount;
        }
        self.leads += other.leads;
        self.customers += other.customers;
    }
}

fn per(amounts: &BTreeMap<String, Decimal>, count: i64) -> BTreeMap<String, Decimal> {
    if count <= 0 {
        return BTreeMap::new();
    }
    amounts
        .iter()
        .map(|(currency, amount)| {
            let each = money::round_to_currency(amount / Decimal::from(count), currency);
            (currency.clone(), each)
        })
        .collect()
}

/// The period's figures per channel (only channels with any figure), and
/// over all channels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AcquisitionByChannel {
    pub overall: Acquisition,
    pub channels: BTreeMap<String, (CampaignChannel, Acquisition)>,
}

/// Reads the period's acquisition figures in one statement.
pub async fn acquisition<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> CoreResult<AcquisitionByChannel> {
    let mut select = spend(scope);
    select
        .union(UnionType::All, leads(scope))
        .union(UnionType::All, customers(scope))
        .union(UnionType::All, revenue(scope));
    let mut figures = AcquisitionByChannel::default();
    for row in rows(db, scope.workspace_id, &select).await? {
        read_row(&row, &mut figures)?;
    }
    let mut overall = Acquisition::default();
    for (_, channel) in figures.channels.values() {
        overall.add(channel);
    }
    figures.overall = overall;
    Ok(figures)
}

fn read_row(row: &QueryResult, figures: &mut AcquisitionByChannel) -> Result<(), DbErr> {
    let kind: String = row.try_get("", "kind")?;
    let channel_name: String = row.try_get("", "channel")?;
    let Ok(channel) = CampaignChannel::try_from_value(&channel_name) else {
        return Ok(());
    };
    let (_, entry) = figures
        .channels
        .entry(channel_name)
        .or_insert_with(|| (channel, Acquisition::default()));
    let currency: Option<String> = row.try_get("", "currency")?;
    let amount = |currency: &str| -> Result<Decimal, DbErr> {
        Ok(money::from_e4_wide(sums::read(row, "total")?, currency))
    };
    match (kind.as_str(), currency) {
        ("spend", Some(currency)) => {
            entry.spend.insert(currency.clone(), amount(&currency)?);
        }
        ("revenue", Some(currency)) => {
            entry
                .won_revenue
                .insert(currency.clone(), amount(&currency)?);
        }
        ("leads", _) => entry.leads = int(row, "count")?,
        ("customers", _) => entry.customers = int(row, "count")?,
        _ => {}
    }
    Ok(())
}

/// `kind`, `channel`, `currency`, `count` and the exact sum `total` of one
/// part of the statement.
fn part(kind: &str, channel: Expr, currency: Expr, count: &str, amount: &str) -> SelectStatement {
    let mut select = Query::select();
    select
        // A literal, not a parameter: PostgreSQL types a literal across the
        // union (text) but cannot type a bare parameter there.
        .expr_as(Expr::cust(format!("'{kind}'")), "kind")
        .expr_as(channel, "channel")
        .expr_as(currency, "currency")
        .expr_as(Expr::cust(format!("CAST({count} AS BIGINT)")), "count");
    sums::select(&mut select, amount, "total").to_owned()
}

/// A join of `campaign` (as `c`) on `table`'s first-touch campaign.
fn touched_campaign(select: &mut SelectStatement, table: &'static str) {
    let c = Alias::new("c");
    select.join_as(
        sea_orm::JoinType::InnerJoin,
        "campaign",
        c.clone(),
        Expr::col((c.clone(), "workspace_id"))
            .equals((table, "workspace_id"))
            .and(Expr::col((c, "id")).equals((table, "first_touch_campaign_id"))),
    );
}

fn spend(scope: &Scope) -> SelectStatement {
    let mut select = part(
        "spend",
        Expr::col(("campaign", "channel")),
        Expr::col(("campaign", "currency")),
        "COUNT(*)",
        r#""campaign"."spend_e4""#,
    );
    select
        .from("campaign")
        .cond_where(
            scope
                .live("campaign")
                .add(scope.on_days("campaign", "starts_on")),
        )
        .group_by_col(("campaign", "channel"))
        .group_by_col(("campaign", "currency"));
    select
}

fn leads(scope: &Scope) -> SelectStatement {
    let mut select = part(
        "leads",
        Expr::col((Alias::new("c"), "channel")),
        Expr::cust("NULL"),
        "COUNT(*)",
        "0",
    );
    select.from("contact");
    touched_campaign(&mut select, "contact");
    select
        .cond_where(
            scope
                .live("contact")
                .add(scope.within("contact", "first_touch_at")),
        )
        .group_by_col((Alias::new("c"), "channel"));
    select
}

/// When a contact (`"contact"`) became a customer: its first live won deal
/// or first live placed order.
fn customer_since() -> String {
    format!(
        r#"(SELECT MIN("x"."at") FROM (SELECT MIN("w"."closed_at") AS "at" FROM "deal_contact" AS "dc" JOIN "deal" AS "w" ON "w"."workspace_id" = "dc"."workspace_id" AND "w"."id" = "dc"."deal_id" WHERE "dc"."workspace_id" = "contact"."workspace_id" AND "dc"."contact_id" = "contact"."id" AND "w"."status" = '{}' AND "w"."deleted_at" IS NULL UNION ALL SELECT MIN("o"."ordered_at") FROM "customer_order" AS "o" WHERE "o"."workspace_id" = "contact"."workspace_id" AND "o"."contact_id" = "contact"."id" AND "o"."status" = '{}' AND "o"."deleted_at" IS NULL) AS "x")"#,
        DealStatus::Won.to_value(),
        OrderStatus::Placed.to_value()
    )
}

fn customers(scope: &Scope) -> SelectStatement {
    // Each contact's start as a customer, computed once, then bounded.
    let mut since = Query::select();
    since
        .expr_as(Expr::col((Alias::new("c"), "channel")), "channel")
        .expr_as(Expr::cust(customer_since()), "since")
        .from("contact");
    touched_campaign(&mut since, "contact");
    since.cond_where(scope.live("contact"));
    let t = Alias::new("t");
    let mut select = part(
        "customers",
        Expr::col((t.clone(), "channel")),
        Expr::cust("NULL"),
        "COUNT(*)",
        "0",
    );
    select
        .from_subquery(since, t.clone())
        .and_where(Expr::col((t.clone(), "since")).gte(scope.from))
        .and_where(Expr::col((t.clone(), "since")).lt(scope.to))
        .group_by_col((t, "channel"));
    select
}

fn revenue(scope: &Scope) -> SelectStatement {
    let mut select = part(
        "revenue",
        Expr::col((Alias::new("c"), "channel")),
        Expr::col(("deal", "currency")),
        "COUNT(*)",
        r#""deal"."amount_e4""#,
    );
    select.from("deal");
    touched_campaign(&mut select, "deal");
    select
        .cond_where(
            scope
                .live("deal")
                .add(scope.within("deal", "closed_at"))
                .add(Expr::col(("deal", "status")).eq(DealStatus::Won.to_value())),
        )
        .group_by_col((Alias::new("c"), "channel"))
        .group_by_col(("deal", "currency"));
    select
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(pairs: &[(&str, i64)]) -> BTreeMap<String, Decimal> {
        pairs
            .iter()
            .map(|(c, a)| ((*c).to_owned(), Decimal::from(*a)))
            .collect()
    }

    #[test]
    fn costs_divide_spend_and_roi_divides_revenue_per_currency() {
        let a = Acquisition {
            spend: money(&[("EUR", 1000), ("JPY", 1000)]),
            leads: 3,
            customers: 0,
            won_revenue: money(&[("EUR", 3500), ("USD", 10)]),
        };
        assert_eq!(
            a.cost_per_lead(),
            [
                ("EUR".to_owned(), Decimal::new(33333, 2)),
                ("JPY".to_owned(), Decimal::from(333))
            ]
            .into()
        );
        assert!(a.cac().is_empty(), "no customers, no CAC");
        assert_eq!(
            a.roi(),
            [("EUR".to_owned(), 3.5), ("JPY".to_owned(), 0.0)].into()
        );
    }
}
