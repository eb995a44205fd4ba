//! Runs a plan: one statement per level (the same `PageQuery` the resolvers
//! use, selecting only the columns the query reads), then the response
//! values, built bottom-up.

use std::collections::HashMap;

use async_graphql::Value;
use async_graphql::indexmap::IndexMap;
use entity::{company, contact, deal, ticket};
use futures_util::future::BoxFuture;
use sea_orm::sea_query::{Condition, SelectStatement};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryResult, QueryTrait,
};
use tracing::Instrument;
use uuid::Uuid;

use super::fields::{Reference, Relation, Type};
use super::plan::{Conn, ConnField, EdgeField, Node, NodeField, PageInfoField};
use crate::auth::Actor;
use crate::graphql::company::Company;
use crate::graphql::contact::Contact;
use crate::graphql::deal::Deal;
use crate::graphql::deal::contacts::link_join;
use crate::graphql::error::ApiResult;
use crate::graphql::filter::col;
use crate::graphql::list::{self, distinct, in_ids};
use crate::graphql::page::{PageQuery, PageSlice, Partition, encode_cursor, key_values};
use crate::graphql::ticket::Ticket;

/// One row as read: its id, the values of its plain fields (children are
/// filled in once their level is loaded), and its cursor when selected.
struct Decoded {
    id: Uuid,
    values: Vec<Value>,
    /// Per field, the id a to-one field points at (`None` for other fields).
    refs: Vec<Option<Uuid>>,
    cursor: Option<String>,
}

/// A loaded level: each row's response object, and each parent's page.
pub struct Level {
    objects: Vec<Value>,
    cursors: Vec<Option<String>>,
    by_parent: HashMap<Uuid, PageSlice>,
}

/// The parents of a nested level: how its rows point at them, and their ids.
pub type Parents = (Relation, Vec<Uuid>);

/// Loads the level `conn` (for `parents`, or top-level), then its children.
pub fn load<'a>(
    db: &'a DatabaseConnection,
    actor: &'a Actor,
    conn: &'a Conn,
    parents: Option<Parents>,
) -> BoxFuture<'a, ApiResult<Level>> {
    Box::pin(async move {
        let backend = db.get_database_backend();
        let table = conn.ty.table();
        let mut condition = conn.listing.condition.clone();
        let mut partition = None;
        let mut link = None;
        match parents {
            None => {}
            Some((Relation::ForeignKey { column, .. }, ids)) => {
                condition = condition.add(in_ids(backend, col(table, column), ids.clone()));
                partition = Some(Partition {
                    key: col(table, column),
                    parents: ids,
                });
            }
            Some((Relation::DealsOfContact, ids)) => {
                let on = link_join(
                    backend,
                    actor.workspace_id,
                    "contact_id",
                    "deal_id",
                    "deal",
                    ids.clone(),
                );
                link = Some(on);
                partition = Some(Partition {
                    key: col("deal_contact", "contact_id"),
                    parents: ids,
                });
            }
        }
        let mut base = select(conn.ty, condition);
        if let Some(on) = link {
            base.inner_join("deal_contact", on);
        }
        base.clear_selects();
        let mut columns = conn.node.columns();
        if conn.cursors {
            for key in &conn.listing.keys {
                if !key.ty.is_expression() && !columns.contains(&key.column) {
                    columns.push(key.column);
                }
            }
        }
        for column in columns {
            base.expr(col(table, column));
        }
        let pages = PageQuery {
            base,
            partition,
            keys: &conn.listing.keys,
            window: &conn.listing.window,
            count: conn
                .fields
                .iter()
                .any(|(_, field)| matches!(field, ConnField::TotalCount)),
        }
        .fetch_with(db, |row| decode(row, conn, actor), |_| Ok(()))
        .await?;
        let mut rows = pages.rows;
        for (index, (name, field)) in conn.node.fields.iter().enumerate() {
            match field {
                NodeField::Child(relation, child) => {
                    // One span per nested level, as on the executor's path.
                    let span = tracing::info_span!(
                        "level",
                        otel.name = %format!("level {name}"),
                        rapport.level.rows = rows.len(),
                    );
                    fill_children(db, actor, &mut rows, index, *relation, child)
                        .instrument(span)
                        .await?;
                }
                NodeField::Reference(reference, node) => {
                    fill_references(db, actor, &mut rows, index, *reference, node).await?;
                }
                _ => {}
            }
        }
        let mut cursors = Vec::with_capacity(rows.len());
        let objects = rows
            .into_iter()
            .map(|row| {
                cursors.push(row.cursor);
                object(&conn.node, conn.ty, row.values)
            })
            .collect();
        Ok(Level {
            objects,
            cursors,
            by_parent: pages.by_parent,
        })
    })
}

/// Loads the child list at `index` of every row and puts each row's
/// connection there. A record listed under two parents (a deal of two
/// contacts) gets its own copy of the same children.
async fn fill_children(
    db: &DatabaseConnection,
    actor: &Actor,
    rows: &mut [Decoded],
    index: usize,
    relation: Relation,
    child: &Conn,
) -> ApiResult<()> {
    let ids = distinct(rows.iter().map(|r| r.id));
    let mut level = load(db, actor, child, Some((relation, ids))).await?;
    let mut remaining: HashMap<Uuid, usize> = HashMap::new();
    for row in rows.iter() {
        *remaining.entry(row.id).or_default() += 1;
    }
    let mut shared: HashMap<Uuid, Value> = HashMap::new();
    for row in rows.iter_mut() {
        let value = match shared.remove(&row.id) {
            Some(value) => value,
            None => connection(child, &mut level, row.id),
        };
        let left = remaining.entry(row.id).or_default();
        *left = left.saturating_sub(1);
        if *left > 0 {
            shared.insert(row.id, value.clone());
        }
        row.values[index] = value;
    }
    Ok(())
}

/// Loads the to-one records of field `index` for every row (one statement,
/// the workspace's live records only) and puts each row's object there.
async fn fill_references(
    db: &DatabaseConnection,
    actor: &Actor,
    rows: &mut [Decoded],
    index: usize,
    reference: Reference,
    node: &Node,
) -> ApiResult<()> {
    let ids = distinct(rows.iter().filter_map(|r| r.refs[index]));
    if ids.is_empty() {
        return Ok(());
    }
    let target = reference.target;
    let backend = db.get_database_backend();
    let condition = scope(target, actor).add(in_ids(backend, col(target.table(), "id"), ids));
    let mut query = select(target, condition);
    query.clear_selects();
    for column in node.columns() {
        query.expr(col(target.table(), column));
    }
    let mut objects = HashMap::new();
    for row in db.query_all_raw(backend.build(&query)).await? {
        let id: Uuid = row.try_get("", "id")?;
        objects.insert(id, object(node, target, scalars(node, &row, actor)?));
    }
    for row in rows.iter_mut() {
        if let Some(object) = row.refs[index].and_then(|id| objects.get(&id)) {
            row.values[index] = object.clone();
        }
    }
    Ok(())
}

/// The connection value of `parent`'s page (`Uuid::nil()` at the top level),
/// its rows' objects moved out of the level.
pub fn connection(conn: &Conn, level: &mut Level, parent: Uuid) -> Value {
    let slice = level.by_parent.get(&parent).cloned().unwrap_or_default();
    let range = slice.start..slice.end;
    let mut nodes: Vec<Value> = level.objects[range.clone()]
        .iter_mut()
        .map(std::mem::take)
        .collect();
    let cursor = |k: usize| match level.cursors.get(k) {
        Some(Some(cursor)) => Value::String(cursor.clone()),
        _ => Value::Null,
    };
    let mut object = IndexMap::with_capacity(conn.fields.len());
    for (name, field) in &conn.fields {
        let value = match field {
            ConnField::Nodes => Value::List(std::mem::take(&mut nodes)),
            ConnField::Edges(fields) => Value::List(
                range
                    .clone()
                    .map(|k| {
                        let mut edge = IndexMap::with_capacity(fields.len());
                        for (name, field) in fields {
                            let value = match field {
                                EdgeField::Node => nodes
                                    .get_mut(k - slice.start)
                                    .map(std::mem::take)
                                    .unwrap_or_default(),
                                EdgeField::Cursor => cursor(k),
                                EdgeField::Typename => Value::String(conn.ty.edge_name()),
                            };
                            edge.insert(name.clone(), value);
                        }
                        Value::Object(edge)
                    })
                    .collect(),
            ),
            ConnField::PageInfo(fields) => {
                let mut info = IndexMap::with_capacity(fields.len());
                for (name, field) in fields {
                    let value = match field {
                        PageInfoField::HasNextPage => Value::Boolean(slice.has_next),
                        PageInfoField::HasPreviousPage => Value::Boolean(slice.has_previous),
                        PageInfoField::StartCursor if !range.is_empty() => cursor(slice.start),
                        PageInfoField::EndCursor if !range.is_empty() => cursor(slice.end - 1),
                        PageInfoField::StartCursor | PageInfoField::EndCursor => Value::Null,
                        PageInfoField::Typename => Value::String("PageInfo".to_owned()),
                    };
                    info.insert(name.clone(), value);
                }
                Value::Object(info)
            }
            ConnField::TotalCount => Value::from(slice.total),
            ConnField::Typename => Value::String(conn.ty.connection_name()),
        };
        object.insert(name.clone(), value);
    }
    Value::Object(object)
}

fn decode(row: &QueryResult, conn: &Conn, actor: &Actor) -> Result<Decoded, DbErr> {
    let values = scalars(&conn.node, row, actor)?;
    let mut refs = Vec::with_capacity(conn.node.fields.len());
    for (_, field) in &conn.node.fields {
        refs.push(match field {
            NodeField::Reference(reference, _) => row.try_get("", reference.column)?,
            _ => None,
        });
    }
    let cursor = if conn.cursors {
        let keys = &conn.listing.keys;
        Some(encode_cursor(&key_values(row, keys)?, keys))
    } else {
        None
    };
    Ok(Decoded {
        id: row.try_get("", "id")?,
        values,
        refs,
        cursor,
    })
}

/// Per field of `node`, its value when it is a plain field, else null (a
/// place that `object` or a loader fills).
fn scalars(node: &Node, row: &QueryResult, actor: &Actor) -> Result<Vec<Value>, DbErr> {
    node.fields
        .iter()
        .map(|(_, field)| match field {
            NodeField::Scalar(scalar) => (scalar.read)(row, actor),
            _ => Ok(Value::Null),
        })
        .collect()
}

/// The response object of one `ty` row: `values` by field, `__typename` filled.
fn object(node: &Node, ty: Type, values: Vec<Value>) -> Value {
    let mut object = IndexMap::with_capacity(values.len());
    for ((name, field), value) in node.fields.iter().zip(values) {
        let value = match field {
            NodeField::Typename => Value::String(ty.name().to_owned()),
            _ => value,
        };
        object.insert(name.clone(), value);
    }
    Value::Object(object)
}

/// What the actor may see of `ty` (see `list::scope`).
fn scope(ty: Type, actor: &Actor) -> Condition {
    match ty {
        Type::Company => list::scope::<Company>(actor),
        Type::Contact => list::scope::<Contact>(actor),
        Type::Deal => list::scope::<Deal>(actor),
        Type::Ticket => list::scope::<Ticket>(actor),
    }
}

/// The rows of `ty` matching `condition`, as the resolvers select them.
fn select(ty: Type, condition: Condition) -> SelectStatement {
    match ty {
        Type::Company => company::Entity::find().filter(condition).into_query(),
        Type::Contact => contact::Entity::find().filter(condition).into_query(),
        Type::Deal => deal::Entity::find().filter(condition).into_query(),
        Type::Ticket => ticket::Entity::find().filter(condition).into_query(),
    }
}
