//! A record table's narrowing (see [`Table::narrowing`]), for readers that
//! name the table: as a condition, or as SQL text for a statement written
//! by hand.

use sea_orm::Value;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SqliteQueryBuilder};

use super::narrowing::col;
use super::table::Table;
use crate::access::Actor;
use crate::kind::Kind;

/// The narrowing of `T`'s rows (named `alias` in the statement) for
/// `actor` (see [`Table::narrowing`]); `None` when it reads all.
pub fn owned_by<T: Table>(actor: &Actor, alias: &'static str) -> Option<Condition> {
    T::narrowing(actor, alias)
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
