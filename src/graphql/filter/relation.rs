//! Filters that reach related records: `company: { … }` (to-one) and
//! `deals: { some | every | none: { … } }` (to-many). Each is an `EXISTS`
//! subquery correlated with the row being filtered, inside the statement that
//! pages it, so a relation filter costs no extra statement and pages stay
//! keyset-bounded. The related table is scoped to the workspace and its live
//! rows; the correlation column is indexed with `workspace_id` first.
//!
//! No alias is needed: a nested filter's columns name their own table, and SQL
//! resolves a name to the innermost query reading that table, which is the
//! related one; the correlation names the table one level out, and no relation
//! joins a table to itself.

use async_graphql::InputObject;
use sea_orm::DbBackend;
use sea_orm::sea_query::{CaseStatement, Condition, Expr, ExprTrait, Query};
use uuid::Uuid;

use super::{FilterNode, RecordFilter, col};
use crate::graphql::contact::ContactFilter;
use crate::graphql::deal::DealFilter;
use crate::graphql::error::ApiResult;
use crate::graphql::ticket::TicketFilter;

/// How many relations one filter may cross from the filtered record
/// (`company.deals.some.tickets.some` is three).
pub const MAX_RELATION_HOPS: usize = 3;

/// Conditions on the records of a to-many relation. Deleted records do not
/// count.
#[derive(InputObject, Debug, Clone, PartialEq, Eq, Hash)]
#[graphql(concrete(name = "ContactsRelationFilter", params(ContactFilter)))]
#[graphql(concrete(name = "DealsRelationFilter", params(DealFilter)))]
#[graphql(concrete(name = "TicketsRelationFilter", params(TicketFilter)))]
pub struct ManyFilter<F: RecordFilter> {
    /// At least one related record matches.
    pub some: Option<Box<F>>,
    /// Every related record matches (also true when there is none).
    pub every: Option<Box<F>>,
    /// No related record matches (also true when there is none).
    pub none: Option<Box<F>>,
}

/// How a related table joins the filtered row.
pub struct Link {
    /// The related table.
    table: &'static str,
    /// Its column equal to `outer`.
    column: &'static str,
    /// The filtered row's column.
    outer: Expr,
    /// A table of pairs between the two (`deal_contact`): its column naming
    /// the related record and its column naming the filtered one.
    through: Option<(&'static str, &'static str, &'static str)>,
}

impl Link {
    /// The record `outer` (a foreign key of the filtered row) points at.
    pub fn to_one(table: &'static str, outer: Expr) -> Self {
        Self {
            table,
            column: "id",
            outer,
            through: None,
        }
    }

    /// The records of `table` whose `column` points at the filtered row,
    /// itself a row of `parent`.
    pub fn to_many(table: &'static str, column: &'static str, parent: &'static str) -> Self {
        Self {
            table,
            column,
            outer: col(parent, "id"),
            through: None,
        }
    }

    /// The records of `table` paired with the filtered row (a row of
    /// `parent`) in `pairs`, whose `related` column names the record of
    /// `table` and `own` the filtered row.
    pub fn paired(
        table: &'static str,
        pairs: &'static str,
        related: &'static str,
        own: &'static str,
        parent: &'static str,
    ) -> Self {
        Self {
            table,
            column: "id",
            outer: col(parent, "id"),
            through: Some((pairs, related, own)),
        }
    }

    /// `EXISTS` a live related row of the workspace meeting `condition`.
    ///
    /// Through a table of pairs, the subquery starts from the filtered row's
    /// pairs and joins each to its record. Written as the record's
    /// `id IN (SELECT … pairs of the row)`, PostgreSQL could not make it a
    /// join: "contacts without deals" tested every contact against every
    /// deal of the workspace, running the inner query per pair (1.4 s for a
    /// page at 50,000 deals, 4 ms now; BENCHMARKS.md, "generic plans").
    fn exists(&self, workspace_id: Uuid, condition: Condition) -> Expr {
        let table = self.table;
        let mut query = Query::select();
        query.expr(Expr::val(1));
        match self.through {
            None => {
                query
                    .from(table)
                    .and_where(col(table, self.column).eq(self.outer.clone()));
            }
            Some((pairs, related, own)) => {
                let on = Condition::all()
                    .add(col(table, self.column).equals((pairs, related)))
                    .add(col(table, "workspace_id").equals((pairs, "workspace_id")));
                query
                    .from(pairs)
                    .inner_join(table, on)
                    .and_where(col(pairs, "workspace_id").eq(workspace_id))
                    .and_where(col(pairs, own).eq(self.outer.clone()));
            }
        }
        Expr::exists(
            query
                .and_where(col(table, "workspace_id").eq(workspace_id))
                .and_where(col(table, "deleted_at").is_null())
                .cond_where(condition)
                .to_owned(),
        )
    }
}

/// The filtered row has a related record (through `link`) that `filter`
/// matches.
pub fn to_one<F: RecordFilter>(
    filter: &F,
    link: Link,
    workspace_id: Uuid,
    backend: DbBackend,
) -> ApiResult<Condition> {
    let matching = filter.condition(workspace_id, backend, 0)?;
    Ok(Condition::all().add(link.exists(workspace_id, matching)))
}

impl<F: RecordFilter> ManyFilter<F> {
    /// The condition on the filtered row for each of `some`, `every`, `none`.
    pub fn condition(
        &self,
        link: Link,
        workspace_id: Uuid,
        backend: DbBackend,
    ) -> ApiResult<Condition> {
        let mut all = Condition::all();
        if let Some(f) = &self.some {
            let matching = f.condition(workspace_id, backend, 0)?;
            all = all.add(link.exists(workspace_id, matching));
        }
        if let Some(f) = &self.none {
            let matching = f.condition(workspace_id, backend, 0)?;
            all = all.add(link.exists(workspace_id, matching).not());
        }
        if let Some(f) = &self.every {
            let matching = f.condition(workspace_id, backend, 0)?;
            if !matching.is_empty() {
                // `NOT (condition)` would let a row whose condition is NULL
                // (a missing value) pass as matching; the CASE counts it as
                // the failure it is.
                let verdict: Expr = CaseStatement::new().case(matching, 0).finally(1).into();
                let fails = verdict.eq(1);
                all = all.add(link.exists(workspace_id, Condition::all().add(fails)).not());
            }
        }
        Ok(all)
    }

    /// The nested filters under their input paths (`deals.some`).
    pub fn nodes(&self, name: &str) -> Vec<(String, &dyn FilterNode)> {
        [
            ("some", &self.some),
            ("every", &self.every),
            ("none", &self.none),
        ]
        .into_iter()
        .filter_map(|(which, f)| {
            let node: &dyn FilterNode = f.as_deref()?;
            Some((format!("{name}.{which}"), node))
        })
        .collect()
    }
}

/// A to-one relation filter under its input path.
pub fn one_node<'a, F: RecordFilter>(
    name: &str,
    filter: &'a Option<Box<F>>,
) -> Option<(String, &'a dyn FilterNode)> {
    let node: &dyn FilterNode = filter.as_deref()?;
    Some((name.to_owned(), node))
}
