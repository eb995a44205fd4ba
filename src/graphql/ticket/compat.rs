//! Checked edits of nullable fields, as activity mutations still call them
//! from GraphQL; the rules are the core's (`ops::edit`). Remove once those
//! mutations call core operations.

use async_graphql::{ID, MaybeUndefined};
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use crate::auth::Actor;
use crate::graphql::error::ApiResult;
use crate::graphql::list::Record;
use crate::graphql::write::{patch, patch_id};
use rapport_core::ops::edit;

/// Decodes and checks a nullable reference of an update: `Undefined` keeps
/// `current`, `Null` clears, a value must be a live record of the workspace.
pub(crate) async fn changed_reference<R: Record>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    change: MaybeUndefined<ID>,
    current: Option<Uuid>,
    field: &str,
) -> ApiResult<Option<Uuid>> {
    let change = patch_id(change, R::KIND, field)?;
    Ok(edit::changed_reference::<R::Entity>(txn, actor, change, current, field).await?)
}

/// A nullable text of an update: `Undefined` keeps `current`, `Null` clears,
/// a value is checked like on create.
pub(crate) fn edited_text(
    change: MaybeUndefined<String>,
    current: &Option<String>,
    max: usize,
    field: &str,
) -> ApiResult<Option<String>> {
    Ok(edit::edited_text(patch(change), current, max, field)?)
}
