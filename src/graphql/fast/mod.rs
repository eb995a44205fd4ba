//! The fast read path: top-level lists answered without async-graphql's
//! per-field executor.
//!
//! The executor resolves every field of every object through its own future
//! and builds the response tree one value at a time; for a nested read of
//! 10,000 objects that costs more CPU than PostgreSQL spends on the data.
//! Here a top-level list (`companies`, `contacts`, `deals`, `tickets`) whose
//! whole selection is plain fields and nested lists of these four types is
//! planned from the validated query ([`plan`]), loaded with the same
//! one-statement-per-level `PageQuery` as the resolvers, reading only the
//! selected columns ([`run`]), and built straight into the response value.
//!
//! The same rules hold on both paths because the path shares them: the
//! list's condition (workspace scope, soft delete, filter, the role checks on
//! filters and sorting) is `ListArgs::condition`, paging and cursors are
//! `PageArgs::window` and `PageQuery`, and each field reads what its resolver
//! reads. Anything else, and any error, goes to the executor, which then
//! answers (and reports errors) as it always does. `ReadPath::Verify` runs
//! both paths and fails the read when they differ: the API tests run in it.

mod fields;
mod plan;
mod run;

use std::borrow::Cow;
use std::fmt::Debug;
use std::sync::Mutex;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{Context, ContextSelectionSet, OutputType, Positioned, ServerError, Value};
use uuid::Uuid;

use super::context::{actor, db, state};
use super::error::ApiResult;
use super::filter::RecordFilter;
use super::filter::search_forms::Decided;
use super::level::Conn;
use super::list::{self, ListArgs, Record};
use crate::config::ReadPath;

/// A list field's answer: built by the fast path, by the executor, or (to
/// verify) by both.
pub struct Fast<T> {
    built: Mutex<Option<Value>>,
    normal: Option<T>,
}

impl<T: OutputType> OutputType for Fast<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> Result<Value, ServerError> {
        let built = self.built.lock().ok().and_then(|mut built| built.take());
        let Some(normal) = &self.normal else {
            let built =
                built.ok_or_else(|| ServerError::new("the list was answered twice", None))?;
            // Built in the query's order and complete: nothing to redo.
            super::completion::note_shaped(ctx, field);
            return Ok(built);
        };
        // Boxed: the executor's futures for a nested list are large, and
        // held inline here they overflow a worker's stack in debug builds.
        let value = Box::pin(normal.resolve(ctx, field)).await?;
        if let Some(built) = built
            && built != value
        {
            tracing::error!(
                field = %field.node.name.node,
                fast = %built,
                executor = %value,
                "the fast read path disagrees with the executor"
            );
            return Err(ServerError::new(
                "the fast read path disagrees with the executor",
                Some(field.pos),
            ));
        }
        Ok(value)
    }
}

/// A top-level list of `R`: built by the fast path when the configuration
/// and the query allow it, else by the executor from `list::top_level`.
pub async fn top_level<R, F>(ctx: &Context<'_>, args: ListArgs<'_, F>) -> ApiResult<Fast<Conn<R>>>
where
    R: Record,
    F: RecordFilter + Debug,
{
    let state = state(ctx)?;
    let mode = state.config.read_path;
    let built = match mode {
        ReadPath::Executor => None,
        ReadPath::Fast | ReadPath::Verify => Box::pin(build::<R, F>(ctx, &args)).await,
    };
    if built.is_some() {
        crate::metrics::Metrics::inc(&state.metrics.fast_reads);
    }
    let normal = match (mode, &built) {
        (ReadPath::Fast, Some(_)) => None,
        _ => Some(Box::pin(list::top_level(ctx, args)).await?),
    };
    Ok(Fast {
        built: Mutex::new(built),
        normal,
    })
}

/// The list's response value, or `None` to leave it to the executor.
async fn build<R, F>(ctx: &Context<'_>, args: &ListArgs<'_, F>) -> Option<Value>
where
    R: Record,
    F: RecordFilter + Debug,
{
    let ty = fields::Type::of(R::KIND)?;
    let actor = actor(ctx).ok()?;
    let db = db(ctx).ok()?;
    let backend = sea_orm::ConnectionTrait::get_database_backend(db);
    let env = plan::Env {
        fragments: &ctx.query_env.fragments,
        variables: &ctx.query_env.variables,
        operation: &ctx.query_env.operation,
        actor,
        backend,
    };
    let decided = Decided::probe(db, actor.workspace_id, args.filter)
        .await
        .ok()?;
    let listing = decided
        .within(|| plan::Listing::of::<R, F>(args, actor, backend))
        .ok()?;
    let conn = plan::connection(&env, ty, listing, &ctx.item.node.selection_set.node)?;
    match run::load(db, actor, &conn, None).await {
        Ok(mut level) => Some(run::connection(&conn, &mut level, Uuid::nil())),
        Err(error) => {
            tracing::warn!(?error, "fast read failed; the executor answers instead");
            None
        }
    }
}
