//! The shape every mutation shares, for resolvers that still write inline:
//! the core's transaction, guarded write and commit sequence, reached from a
//! request's context.

use async_graphql::Context;
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use super::context::state;
use super::error::{ApiError, ApiResult};
use super::list::Record;
use crate::auth::Actor;
use crate::events::NewEvent;
use entity::event;
use rapport_core::error::CoreError;
use rapport_core::ops::Patch;
use rapport_core::store;
pub use rapport_core::store::{Author, check_version, expect_one_row, now};

/// A transaction on the request's database.
pub async fn begin(ctx: &Context<'_>) -> ApiResult<DatabaseTransaction> {
    Ok(state(ctx)?.core.begin().await?)
}

/// Writes `events` in `txn`, commits, then publishes them.
pub async fn commit(
    ctx: &Context<'_>,
    txn: DatabaseTransaction,
    actor: &Actor,
    events: Vec<NewEvent>,
) -> ApiResult<()> {
    Ok(state(ctx)?
        .core
        .commit(txn, Author::of(actor), events)
        .await?)
}

/// Commits `txn` holding `recorded` and `events` (see the core's `commit_after`).
pub async fn commit_after(
    ctx: &Context<'_>,
    txn: DatabaseTransaction,
    author: Author,
    recorded: Vec<event::Model>,
    events: Vec<NewEvent>,
) -> ApiResult<()> {
    Ok(state(ctx)?
        .core
        .commit_after(txn, author, recorded, events)
        .await?)
}

/// A row of `R` in the actor's workspace, deleted or not, read in `txn`.
pub async fn load_any<R: Record>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<R::Model> {
    Ok(store::load_any::<R::Entity>(txn, actor, id).await?)
}

/// A live (not deleted) row of `R` in the actor's workspace.
pub async fn load_live<R: Record>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<R::Model> {
    Ok(store::load_live::<R::Entity>(txn, actor, id).await?)
}

/// A referenced record must exist, live, in the actor's workspace; otherwise
/// the input `field` is refused.
pub async fn check_reference<R: Record>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Option<Uuid>,
    field: &str,
) -> ApiResult<Option<R::Model>> {
    Ok(store::check_reference::<R::Entity>(txn, actor, id, field).await?)
}

/// Writes `change` to row `id` of `R` only if it is still at `version`.
pub async fn save_if_unchanged<R: Record>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    version: i32,
    change: <R::Entity as sea_orm::EntityTrait>::ActiveModel,
) -> ApiResult<R::Model>
where
    <R::Entity as sea_orm::EntityTrait>::ActiveModel:
        sea_orm::ActiveModelTrait<Entity = R::Entity> + Send,
{
    Ok(store::save_if_unchanged::<R::Entity>(txn, actor, id, version, change).await?)
}

/// Sets `deleted_at` (delete) or clears it (restore), bumping the version
/// only if the row is still at `version`; a concurrent write gets `CONFLICT`.
pub async fn set_deleted<R: Record>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    version: i32,
    deleted: bool,
) -> ApiResult<()> {
    Ok(store::set_deleted::<R::Entity>(txn, actor, id, version, deleted).await?)
}

/// An event about `row` of `R`, with the row as payload.
pub fn event_for<R: Record>(row: &R::Model, verb: &str) -> ApiResult<NewEvent> {
    Ok(store::event_for::<R::Entity>(row, verb)?)
}

/// An event about `row` of `R`, inserted in this transaction with a new id.
pub fn event_for_new<R: Record>(row: &R::Model, verb: &str) -> ApiResult<NewEvent> {
    Ok(store::event_for_new::<R::Entity>(row, verb)?)
}

/// Soft-deletes (`delete`) or restores one record, with its event.
pub async fn delete_or_restore<R: Record>(
    ctx: &Context<'_>,
    actor: &Actor,
    id: &async_graphql::ID,
    expected_version: Option<i32>,
    delete: bool,
) -> ApiResult<R> {
    let id = super::ids::decode(id, R::KIND, "id")?;
    let txn = begin(ctx).await?;
    let row = load_any::<R>(&txn, actor, id).await?;
    <R::Entity as rapport_core::store::Table>::check_write(actor, &row)?;
    match (delete, R::deleted_at(&row)) {
        (true, Some(_)) => return Err(ApiError(CoreError::NotFound(R::KIND.name()))),
        (false, None) => {
            return Err(ApiError::bad_input(
                "id",
                format!("this {} is not deleted", R::KIND.name()),
            ));
        }
        _ => {}
    }
    check_version(expected_version, R::version(&row))?;
    set_deleted::<R>(&txn, actor, id, R::version(&row), delete).await?;
    // Lead scores read company fields and skip deleted records.
    let rescore = match R::KIND {
        super::ids::Kind::Company => Some(super::scoring::Which::Company(id)),
        super::ids::Kind::Contact => Some(super::scoring::Which::Contact(id)),
        _ => None,
    };
    if let Some(which) = rescore {
        let reason = format!(
            "{} {}",
            R::KIND.name(),
            if delete { "deleted" } else { "restored" }
        );
        super::scoring::recompute(&txn, actor.workspace_id, which, &reason, now()).await?;
    }
    let row = load_any::<R>(&txn, actor, id).await?;
    let event = event_for::<R>(&row, if delete { "deleted" } else { "restored" })?;
    commit(ctx, txn, actor, vec![event]).await?;
    Ok(R::wrap(super::level::Level::single(row)))
}

/// A nullable input field as a core patch: omitted keeps, `null` clears.
pub fn patch<T>(input: async_graphql::MaybeUndefined<T>) -> Patch<T> {
    match input {
        async_graphql::MaybeUndefined::Undefined => Patch::Keep,
        async_graphql::MaybeUndefined::Null => Patch::Clear,
        async_graphql::MaybeUndefined::Value(value) => Patch::Set(value),
    }
}

/// A nullable id input field as a core patch, the id decoded as a `kind`.
pub fn patch_id(
    input: async_graphql::MaybeUndefined<async_graphql::ID>,
    kind: super::ids::Kind,
    field: &str,
) -> ApiResult<Patch<Uuid>> {
    patch(input).try_map(|id| super::ids::decode(&id, kind, field))
}

/// The new value of a nullable field: unchanged when the input omitted it,
/// cleared on `null`, replaced on a value.
pub fn merged<T>(input: async_graphql::MaybeUndefined<T>, current: Option<T>) -> Option<T> {
    match input {
        async_graphql::MaybeUndefined::Undefined => current,
        async_graphql::MaybeUndefined::Null => None,
        async_graphql::MaybeUndefined::Value(value) => Some(value),
    }
}
