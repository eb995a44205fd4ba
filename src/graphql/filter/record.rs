//! The composition every record filter shares: `and`/`or`/`not` around its
//! own field conditions.

use async_graphql::InputType;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use super::MAX_FILTER_DEPTH;
use crate::graphql::error::{ApiError, ApiResult};

/// A record filter with `and`/`or`/`not` around its own field conditions.
pub trait RecordFilter: InputType {
    /// The conditions of this filter's own fields (ANDed).
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition>;
    fn and(&self) -> Option<&Vec<Self>>;
    fn or(&self) -> Option<&Vec<Self>>;
    fn not(&self) -> Option<&Self>;

    /// This filter's own `search` text and the table it searches; none for
    /// a record type without one.
    fn search_of(&self) -> Option<(&'static str, &str)> {
        None
    }

    /// A field of this filter itself that `actor` may not filter by.
    fn own_hidden_field(&self, actor: &crate::auth::Actor) -> Option<&'static str> {
        let _ = actor;
        None
    }

    /// The filters of related records under their input paths (`company`,
    /// `deals.some`); none for a record type without relation filters.
    fn relations(&self) -> Vec<(String, &dyn FilterNode)> {
        Vec::new()
    }

    /// A field anywhere in the filter, related records' filters included,
    /// that `actor` may not filter by (filtering by a hidden value would
    /// reveal it). Recursive: call it only on a filter
    /// [`super::limits::check`] accepted.
    fn hidden_field(&self, actor: &crate::auth::Actor) -> Option<&'static str> {
        hidden_in(self, actor)
    }

    /// The whole condition, refusing nesting deeper than [`MAX_FILTER_DEPTH`].
    fn condition(
        &self,
        workspace_id: Uuid,
        backend: sea_orm::DbBackend,
        depth: usize,
    ) -> ApiResult<Condition> {
        if depth > MAX_FILTER_DEPTH {
            return Err(ApiError::bad_input(
                "filter",
                format!("nests deeper than {MAX_FILTER_DEPTH} levels"),
            ));
        }
        let mut c = self.fields(workspace_id, backend)?;
        if let Some(all) = self.and() {
            for f in all {
                c = c.add(f.condition(workspace_id, backend, depth + 1)?);
            }
        }
        if let Some(any) = self.or() {
            let mut either = Condition::any();
            for f in any {
                either = either.add(f.condition(workspace_id, backend, depth + 1)?);
            }
            c = c.add(either);
        }
        if let Some(not) = self.not() {
            c = c.add(not.condition(workspace_id, backend, depth + 1)?.not());
        }
        Ok(c)
    }
}

/// A record filter seen without its type, as the size limits and role checks
/// walk it across relations to filters of other types.
pub trait FilterNode {
    /// How many filters its `and` and `or` arrays hold.
    fn widths(&self) -> [(&'static str, usize); 2];
    /// The filters under `and`, `or` and `not`, with their input paths
    /// relative to this one (`and.0`, `not`).
    fn branches(&self) -> Vec<(String, &dyn FilterNode)>;
    /// See [`RecordFilter::relations`].
    fn related(&self) -> Vec<(String, &dyn FilterNode)>;
    /// See [`RecordFilter::own_hidden_field`].
    fn own_hidden(&self, actor: &crate::auth::Actor) -> Option<&'static str>;
    /// The filter as an input value (with everything under it).
    fn value(&self) -> async_graphql::Value;
}

impl<F: RecordFilter> FilterNode for F {
    fn widths(&self) -> [(&'static str, usize); 2] {
        [
            ("and", self.and().map_or(0, Vec::len)),
            ("or", self.or().map_or(0, Vec::len)),
        ]
    }
    fn branches(&self) -> Vec<(String, &dyn FilterNode)> {
        let mut all: Vec<(String, &dyn FilterNode)> = Vec::new();
        for (name, list) in [("and", self.and()), ("or", self.or())] {
            for (i, f) in list.into_iter().flatten().enumerate() {
                all.push((format!("{name}.{i}"), f));
            }
        }
        if let Some(f) = self.not() {
            all.push(("not".to_owned(), f));
        }
        all
    }
    fn related(&self) -> Vec<(String, &dyn FilterNode)> {
        self.relations()
    }
    fn own_hidden(&self, actor: &crate::auth::Actor) -> Option<&'static str> {
        self.own_hidden_field(actor)
    }
    fn value(&self) -> async_graphql::Value {
        self.to_value()
    }
}

fn hidden_in(node: &dyn FilterNode, actor: &crate::auth::Actor) -> Option<&'static str> {
    node.own_hidden(actor)
        .or_else(|| {
            node.branches()
                .into_iter()
                .find_map(|(_, f)| hidden_in(f, actor))
        })
        .or_else(|| {
            node.related()
                .into_iter()
                .find_map(|(path, f)| narrowed(&path, actor).or_else(|| hidden_in(f, actor)))
        })
}

/// The relation at the head of `path` when it leads to deals, companies or
/// contacts that `actor`'s role reads only some of: whether a related
/// record matches would tell of records it may not read.
fn narrowed(path: &str, actor: &crate::auth::Actor) -> Option<&'static str> {
    use rapport_core::access::Owned;
    let (name, area) = match path.split('.').next()? {
        "company" => ("company", Owned::Companies),
        "contact" => ("contact", Owned::Contacts),
        "contacts" => ("contacts", Owned::Contacts),
        "deal" => ("deal", Owned::Deals),
        "deals" => ("deals", Owned::Deals),
        _ => return None,
    };
    actor.sight.owners(area).is_some().then_some(name)
}

/// Implements [`RecordFilter`]'s `and`/`or`/`not` accessors for a filter struct.
macro_rules! record_filter_composition {
    () => {
        fn and(&self) -> Option<&Vec<Self>> {
            self.and.as_ref()
        }
        fn or(&self) -> Option<&Vec<Self>> {
            self.or.as_ref()
        }
        fn not(&self) -> Option<&Self> {
            self.not.as_deref()
        }
    };
}
pub(crate) use record_filter_composition;
