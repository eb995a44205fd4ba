//! Edits of optional fields that need a check: a reference that must name a
//! live record, a text that must stay within its limit. Shared by the
//! operations whose updates take nullable references and texts.

use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use super::Patch;
use crate::access::Actor;
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::store::{Table, check_reference};

/// A nullable reference of an update: `Keep` keeps `current`, `Clear`
/// clears, a new id must be a live record of `T` in the workspace
/// (otherwise `field` is refused).
pub async fn changed_reference<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    change: Patch<Uuid>,
    current: Option<Uuid>,
    field: &str,
) -> CoreResult<Option<Uuid>> {
    if let Patch::Set(id) = change {
        check_reference::<T>(txn, actor, Some(id), field).await?;
    }
    Ok(change.apply(current))
}

/// A nullable text of an update: `Keep` keeps `current`, `Clear` clears,
/// a new text is checked like on create (at most `max` characters).
pub fn edited_text(
    change: Patch<String>,
    current: &Option<String>,
    max: usize,
    field: &str,
) -> CoreResult<Option<String>> {
    let value = change.apply(current.clone());
    text::optional_text(value.as_deref(), max).map_err(CoreError::invalid(field))
}
