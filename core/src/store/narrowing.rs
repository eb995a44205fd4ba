//! The conditions that narrow what a reader reads (see `access::sight`):
//! deals, companies and contacts by their owner, and the records that hang
//! off them (activities) by what they link to. Every read path takes them
//! from here (or from `narrowed`, which applies them to a record table), as
//! sea-query conditions or as SQL text for statements written by hand.

use sea_orm::Value;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, IntoIden, Query};
use uuid::Uuid;

use crate::access::{Actor, Owned};

/// `table.column`, qualified so that joins stay unambiguous.
pub fn col(table: &'static str, column: &'static str) -> Expr {
    Expr::col((table, column))
}

/// The rows of `area` named `alias` that `actor` reads: unowned, or owned
/// by one of the owners its role reads; `None` when it reads all.
pub fn owned_in(actor: &Actor, area: Owned, alias: &'static str) -> Option<Condition> {
    Some(owned_among(alias, actor.sight.owners(area)?))
}

/// The rows named `table` that are unowned or owned by one of `owners`:
/// the one owner rule every narrowed read uses.
pub fn owned_among(table: impl IntoIden, owners: &[Uuid]) -> Condition {
    let table = table.into_iden();
    Condition::any()
        .add(Expr::col((table.clone(), "owner_id")).is_null())
        .add(Expr::col((table, "owner_id")).is_in(owners.iter().copied()))
}

/// [`owned_in`] as SQL text over the row `alias`, with `?` placeholders,
/// and its values: for statements written by hand.
pub fn owned_sql(actor: &Actor, area: Owned, alias: &str) -> Option<(String, Vec<Value>)> {
    let owners = actor.sight.owners(area)?;
    let marks = vec!["?"; owners.len()].join(", ");
    Some((
        format!(r#"({alias}."owner_id" IS NULL OR {alias}."owner_id" IN ({marks}))"#),
        owners.iter().map(|owner| Value::from(*owner)).collect(),
    ))
}

/// Rows (named `alias`) whose every link in `links` (a column and the area
/// it points into) is empty or to a record `actor` reads; `None` when it
/// reads every area linked.
pub fn linked_to_read(
    actor: &Actor,
    alias: &'static str,
    links: &[(&'static str, Owned)],
) -> Option<Condition> {
    let mut narrowed: Option<Condition> = None;
    for (column, area) in links {
        let Some(read) = owned_in(actor, *area, "linked") else {
            continue;
        };
        let linked = Query::select()
            .expr(Expr::cust("1"))
            .from_as(area.table(), "linked")
            // The workspace first: on Citus, the one shard to read.
            .and_where(col("linked", "workspace_id").eq(actor.workspace_id))
            .and_where(col("linked", "id").equals((alias, *column)))
            .cond_where(read)
            .to_owned();
        let link = Condition::any()
            .add(col(alias, column).is_null())
            .add(Expr::exists(linked));
        narrowed = Some(narrowed.unwrap_or_else(Condition::all).add(link));
    }
    narrowed
}
