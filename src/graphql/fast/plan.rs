//! From a validated selection to a plan: which levels to load, which columns
//! each needs, and where every value goes in the response.
//!
//! Planning runs no SQL. Anything it does not know (a field outside the
//! tables in `fields.rs`, a directive other than the `@skip`/`@include`
//! async-graphql applies before execution, a fragment on an interface, one
//! response key selected twice) gives `None`, and the executor answers the
//! whole list instead, so both paths give the same answer and errors.

use std::collections::HashMap;

use async_graphql::parser::types::{
    Field, FragmentDefinition, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{InputType, Name, Positioned, Value, Variables};
use sea_orm::DbBackend;
use sea_orm::sea_query::Condition;

use super::fields::{Reference, Relation, Scalar, Type};
use crate::auth::Actor;
use crate::graphql::company::{Company, CompanyFilter, CompanyOrderField};
use crate::graphql::contact::{Contact, ContactFilter, ContactOrderField};
use crate::graphql::deal::{Deal, DealFilter, DealOrderField};
use crate::graphql::error::ApiResult;
use crate::graphql::filter::RecordFilter;
use crate::graphql::list::{ListArgs, Record};
use crate::graphql::order::OrderField;
use crate::graphql::page::{PageArgs, SortKey, Window};
use crate::graphql::ticket::{Ticket, TicketFilter, TicketOrderField};

/// What the plan reads of the query document.
pub struct Env<'a> {
    pub fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    pub variables: &'a Variables,
    pub operation: &'a Positioned<OperationDefinition>,
    pub actor: &'a Actor,
    pub backend: DbBackend,
}

/// The validated arguments of one list: its rows' condition, order and page.
pub struct Listing {
    pub condition: Condition,
    pub keys: Vec<SortKey>,
    pub window: Window,
}

impl Listing {
    /// The listing of a list field's arguments, checked as the executor
    /// checks them (role rules on filters and sorting, page size, cursors).
    pub fn of<R: Record, F: RecordFilter + std::fmt::Debug>(
        args: &ListArgs<'_, F>,
        actor: &Actor,
        backend: DbBackend,
    ) -> ApiResult<Listing> {
        Ok(Listing {
            condition: args.condition::<R>(actor, backend)?,
            keys: args.keys.clone(),
            window: args.page.window(&args.keys)?,
        })
    }
}

/// One connection to answer: a level of rows of `ty`, paged per parent.
pub struct Conn {
    pub ty: Type,
    pub listing: Listing,
    /// The connection's own fields, in query order.
    pub fields: Vec<(Name, ConnField)>,
    /// What each row (node) selects.
    pub node: Node,
    /// Whether a cursor is selected (`edges.cursor`, `pageInfo.*Cursor`).
    pub cursors: bool,
}

pub enum ConnField {
    Nodes,
    Edges(Vec<(Name, EdgeField)>),
    PageInfo(Vec<(Name, PageInfoField)>),
    TotalCount,
    Typename,
}

pub enum EdgeField {
    Node,
    Cursor,
    Typename,
}

pub enum PageInfoField {
    HasNextPage,
    HasPreviousPage,
    StartCursor,
    EndCursor,
    Typename,
}

/// The selection of one row.
#[derive(Default)]
pub struct Node {
    pub fields: Vec<(Name, NodeField)>,
}

pub enum NodeField {
    Scalar(Scalar),
    Typename,
    Child(Relation, Box<Conn>),
    /// A to-one record, whose selection holds only plain fields.
    Reference(Reference, Box<Node>),
}

impl Node {
    /// The columns the row's fields read (always `id`, which children and
    /// cursors need), without repeats.
    pub fn columns(&self) -> Vec<&'static str> {
        let mut columns = vec!["id"];
        for (_, field) in &self.fields {
            let read: &[&'static str] = match field {
                NodeField::Scalar(scalar) => scalar.columns,
                NodeField::Reference(reference, _) => std::slice::from_ref(&reference.column),
                _ => &[],
            };
            for column in read {
                if !columns.contains(column) {
                    columns.push(column);
                }
            }
        }
        columns
    }
}

/// Plans the connection of `ty` whose selection is `set`.
pub fn connection(env: &Env<'_>, ty: Type, listing: Listing, set: &SelectionSet) -> Option<Conn> {
    let mut conn = Conn {
        ty,
        listing,
        fields: Vec::new(),
        node: Node::default(),
        cursors: false,
    };
    let mut node_seen = false;
    for field in flatten(env, set, &ty.connection_name())? {
        let plan = match field.name.node.as_str() {
            "nodes" => {
                if std::mem::replace(&mut node_seen, true) {
                    return None;
                }
                conn.node = node(env, ty, &field.selection_set.node)?;
                ConnField::Nodes
            }
            "edges" => {
                let mut edge = Vec::new();
                for f in flatten(env, &field.selection_set.node, &ty.edge_name())? {
                    let plan = match f.name.node.as_str() {
                        "node" => {
                            if std::mem::replace(&mut node_seen, true) {
                                return None;
                            }
                            conn.node = node(env, ty, &f.selection_set.node)?;
                            EdgeField::Node
                        }
                        "cursor" => {
                            conn.cursors = true;
                            EdgeField::Cursor
                        }
                        "__typename" => EdgeField::Typename,
                        _ => return None,
                    };
                    edge.push((f.response_key().node.clone(), plan));
                }
                ConnField::Edges(edge)
            }
            "pageInfo" => {
                let mut info = Vec::new();
                for f in flatten(env, &field.selection_set.node, "PageInfo")? {
                    let plan = match f.name.node.as_str() {
                        "hasNextPage" => PageInfoField::HasNextPage,
                        "hasPreviousPage" => PageInfoField::HasPreviousPage,
                        "startCursor" => PageInfoField::StartCursor,
                        "endCursor" => PageInfoField::EndCursor,
                        "__typename" => PageInfoField::Typename,
                        _ => return None,
                    };
                    if matches!(plan, PageInfoField::StartCursor | PageInfoField::EndCursor) {
                        conn.cursors = true;
                    }
                    info.push((f.response_key().node.clone(), plan));
                }
                ConnField::PageInfo(info)
            }
            "totalCount" => ConnField::TotalCount,
            "__typename" => ConnField::Typename,
            _ => return None,
        };
        conn.fields.push((field.response_key().node.clone(), plan));
    }
    Some(conn)
}

/// Plans what each row of `ty` selects.
fn node(env: &Env<'_>, ty: Type, set: &SelectionSet) -> Option<Node> {
    let mut planned = Node::default();
    for field in flatten(env, set, ty.name())? {
        let name = field.name.node.as_str();
        let plan = if name == "__typename" {
            NodeField::Typename
        } else if let Some(scalar) = ty.scalar(name) {
            NodeField::Scalar(scalar)
        } else if let Some(relation) = ty.relation(name) {
            let child = relation.child();
            let listing = child_listing(env, child, field).ok()?;
            let conn = connection(env, child, listing, &field.selection_set.node)?;
            NodeField::Child(relation, Box::new(conn))
        } else if let Some(reference) = ty.reference(name) {
            let target = node(env, reference.target, &field.selection_set.node)?;
            let plain = target
                .fields
                .iter()
                .all(|(_, f)| matches!(f, NodeField::Scalar(_) | NodeField::Typename));
            if !plain {
                return None;
            }
            NodeField::Reference(reference, Box::new(target))
        } else {
            return None;
        };
        planned
            .fields
            .push((field.response_key().node.clone(), plan));
    }
    Some(planned)
}

/// The fields of a selection set on `type_name`, fragments inlined, in
/// order; `None` for what the executor should handle (see the module doc).
fn flatten<'a>(env: &Env<'a>, set: &'a SelectionSet, type_name: &str) -> Option<Vec<&'a Field>> {
    fn walk<'a>(
        env: &Env<'a>,
        set: &'a SelectionSet,
        type_name: &str,
        out: &mut Vec<&'a Field>,
    ) -> Option<()> {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    if !field.node.directives.is_empty() {
                        return None;
                    }
                    out.push(&field.node);
                }
                Selection::FragmentSpread(spread) => {
                    if !spread.node.directives.is_empty() {
                        return None;
                    }
                    let fragment = env.fragments.get(&spread.node.fragment_name.node)?;
                    let fragment = &fragment.node;
                    if fragment.type_condition.node.on.node != type_name
                        || !fragment.directives.is_empty()
                    {
                        return None;
                    }
                    walk(env, &fragment.selection_set.node, type_name, out)?;
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    let on_this = inline
                        .type_condition
                        .as_ref()
                        .is_none_or(|c| c.node.on.node == type_name);
                    if !on_this || !inline.directives.is_empty() {
                        return None;
                    }
                    walk(env, &inline.selection_set.node, type_name, out)?;
                }
            }
        }
        Some(())
    }
    let mut out = Vec::new();
    walk(env, set, type_name, &mut out)?;
    // Nothing left once async-graphql removed `@skip`ped fields: the
    // executor answers such an object with null, and keeps that answer.
    if out.is_empty() {
        return None;
    }
    // The executor merges a response key selected twice; the plan does not.
    for (i, field) in out.iter().enumerate() {
        let key = &field.response_key().node;
        if out[..i].iter().any(|f| &f.response_key().node == key) {
            return None;
        }
    }
    Some(out)
}

/// The value of argument `name` of `field`, variables resolved, parsed as `T`
/// (absent: `T::parse(None)`, as the executor does).
fn argument<T: InputType>(env: &Env<'_>, field: &Field, name: &str) -> Option<T> {
    let value = match field.get_argument(name) {
        Some(value) => Some(
            value
                .node
                .clone()
                .into_const_with(|var| variable(env, &var).ok_or(()))
                .ok()?,
        ),
        None => None,
    };
    T::parse(value).ok()
}

fn variable(env: &Env<'_>, name: &str) -> Option<Value> {
    env.operation
        .node
        .variable_definitions
        .iter()
        .find(|def| def.node.name.node == name)
        .and_then(|def| {
            env.variables
                .get(&def.node.name.node)
                .or_else(|| def.node.default_value())
        })
        .cloned()
}

/// The listing of a nested list field on `child` rows.
fn child_listing(env: &Env<'_>, child: Type, field: &Field) -> Result<Listing, ()> {
    let listing = match child {
        Type::Company => {
            parsed::<Company, CompanyFilter, CompanyOrderField>(env, field, CompanyOrderField::keys)
        }
        Type::Contact => {
            parsed::<Contact, ContactFilter, ContactOrderField>(env, field, ContactOrderField::keys)
        }
        Type::Deal => parsed::<Deal, DealFilter, DealOrderField>(env, field, DealOrderField::keys),
        Type::Ticket => {
            parsed::<Ticket, TicketFilter, TicketOrderField>(env, field, TicketOrderField::keys)
        }
    };
    listing.ok_or(())
}

/// A record type's `orderBy` → sort keys (e.g. `CompanyOrderField::keys`).
type KeysOf<O> = fn(Option<&[<O as OrderField>::Input]>) -> ApiResult<Vec<SortKey>>;

fn parsed<R, F, O>(env: &Env<'_>, field: &Field, keys: KeysOf<O>) -> Option<Listing>
where
    R: Record,
    F: RecordFilter + InputType + std::fmt::Debug,
    O: OrderField,
{
    let filter: Option<F> = argument(env, field, "filter")?;
    let order_by: Option<Vec<O::Input>> = argument(env, field, "orderBy")?;
    let args = ListArgs {
        page: PageArgs {
            first: argument(env, field, "first")?,
            after: argument(env, field, "after")?,
            last: argument(env, field, "last")?,
            before: argument(env, field, "before")?,
        },
        filter: filter.as_ref(),
        keys: keys(order_by.as_deref()).ok()?,
        extra: Condition::all(),
    };
    Listing::of::<R, F>(&args, env.actor, env.backend).ok()
}
