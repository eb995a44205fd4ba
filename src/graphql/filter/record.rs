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

    /// A field of this filter itself that `actor` may not filter by.
    fn own_hidden_field(&self, actor: &crate::auth::Actor) -> Option<&'static str> {
        let _ = actor;
        None
    }

    /// A field anywhere in the filter that `actor` may not filter by
    /// (filtering by a hidden value would reveal it). Recursive: call it
    /// only on a filter [`super::limits::check`] accepted.
    fn hidden_field(&self, actor: &crate::auth::Actor) -> Option<&'static str> {
        self.own_hidden_field(actor)
            .or_else(|| self.and()?.iter().find_map(|f| f.hidden_field(actor)))
            .or_else(|| self.or()?.iter().find_map(|f| f.hidden_field(actor)))
            .or_else(|| self.not()?.hidden_field(actor))
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
