//! The conditions that narrow what a reader reads (see `access::sight`):
//! deals, companies and contacts by their owner, and the records that hang
//! off them (activities) by what they link to. Every read path takes them
//! from here, as sea-query conditions or as SQL text for statements written
//! by hand.

use sea_orm::Value;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, IntoIden, Query, SqliteQueryBuilder};
use uuid::Uuid;

use super::table::{Table, col};
use crate::access::{Actor, Owned};
use crate::kind::Kind;

/// The narrowing of `T`'s rows (named `alias` in the statement) for
/// `actor` (see [`Table::narrowing`]); `None` when it reads all.
pub fn owned_by<T: Table>(actor: &Actor, alias: &'static str) -> Option<Condition> {
    T::narrowing(actor, alias)
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

/// Whether the record of `kind` whose id is the SQL expression `id` is one
/// `actor` reads, as SQL text with `?` placeholders and its values (an
/// `EXISTS` over its table, by key); `None` when it reads every record of
/// the kind.
pub fn read_sql(actor: &Actor, kind: Kind, id: &str) -> Option<(String, Vec<Value>)> {
    match kind {
        Kind::Company => exists::<entity::company::Entity>(actor, id),
        Kind::Contact => exists::<entity::contact::Entity>(actor, id),
        Kind::Deal => exists::<entity::deal::Entity>(actor, id),
        Kind::Activity => exists::<entity::activity::Entity>(actor, id),
        _ => None,
    }
}

fn exists<T: Table>(actor: &Actor, id: &str) -> Option<(String, Vec<Value>)> {
    let narrowed = T::narrowing(actor, "r")?;
    let (sql, values) = Query::select()
        .expr(Expr::cust("1"))
        .from_as(T::TABLE, "r")
        .and_where(col("r", "workspace_id").eq(actor.workspace_id))
        .and_where(col("r", "id").eq(Expr::cust(id.to_owned())))
        .cond_where(narrowed)
        .build(SqliteQueryBuilder);
    // SQLite's rendering: `?` placeholders, double-quoted names, which
    // both backends read (PostgreSQL's `$n` are numbered later).
    Some((format!("EXISTS ({sql})"), values.0))
}
