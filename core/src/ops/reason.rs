//! The workspace's lists of standardised reasons: why deals are won and
//! lost, why customers leave, why a survey scored as it did. Once a list has
//! entries, records of that kind accept only its active codes, so reports
//! can count reasons instead of reading free text. Other operations check
//! their codes with [`check_code`] and [`check_listed`].

use crate::store::Fresh;
use entity::enums::ReasonKind;
use entity::reason;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::lifecycle::delete_or_restore;
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::store::{Core, check_version, load_live, now, save_if_unchanged, scope};

/// Longest reason code.
pub const CODE_MAX: usize = 100;

/// Longest label.
const LABEL_MAX: usize = 200;

/// A new entry of one of the lists.
#[derive(Debug, Clone)]
pub struct NewReason {
    pub kind: ReasonKind,
    pub code: String,
    pub label: String,
}

/// Changes to a reason; the kind and code stay, as records carry them.
#[derive(Debug, Clone, Default)]
pub struct ReasonChanges {
    pub label: Option<String>,
    /// `false` retires the reason, `true` reactivates it.
    pub active: Option<bool>,
}

/// A reason code's shape: upper-case letters, digits and underscores.
pub fn code_shape(raw: &str, field: &str) -> CoreResult<String> {
    let code = raw.trim();
    let valid = !code.is_empty()
        && code.len() <= CODE_MAX
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(code.to_owned())
    } else {
        Err(CoreError::bad_input(
            field,
            "a reason code is like PRICE_TOO_HIGH (A–Z, 0–9, _)",
        ))
    }
}

/// Checks `code` for a record: its shape, and, when the workspace keeps a
/// list of `kind`, that it is one of the list's active codes.
pub async fn check_code<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    kind: ReasonKind,
    raw: &str,
    field: &str,
) -> CoreResult<String> {
    let code = code_shape(raw, field)?;
    check_listed(db, actor, kind, &code, field).await?;
    Ok(code)
}

/// When the workspace keeps a list of `kind`, refuses a `code` that is not
/// one of its active entries.
pub async fn check_listed<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    kind: ReasonKind,
    code: &str,
    field: &str,
) -> CoreResult<()> {
    let list = || {
        reason::Entity::find()
            .filter(scope::<reason::Entity>(actor.workspace_id))
            .filter(reason::Column::Kind.eq(kind))
    };
    if list().count(db).await? == 0 {
        return Ok(());
    }
    let found = list()
        .filter(reason::Column::Code.eq(code))
        .filter(reason::Column::Active.eq(true))
        .count(db)
        .await?;
    if found == 0 {
        return Err(CoreError::bad_input(
            field,
            format!("{code} is not an active reason of the workspace's {kind:?} list"),
        ));
    }
    Ok(())
}

/// Adds a reason to one of the workspace's lists (ADMIN and MANAGER).
pub async fn create(core: &Core, actor: &Actor, new: NewReason) -> CoreResult<reason::Model> {
    actor.require(Area::Settings)?;
    let code = code_shape(&new.code, "input.code")?;
    let label =
        text::required_name(&new.label, LABEL_MAX).map_err(CoreError::invalid("input.label"))?;
    let txn = core.begin().await?;
    // Deleted entries count: a code comes back by restoring it, not twice.
    let taken = reason::Entity::find()
        .filter(reason::Column::WorkspaceId.eq(actor.workspace_id))
        .filter(reason::Column::Kind.eq(new.kind))
        .filter(reason::Column::Code.eq(code.as_str()))
        .count(&txn)
        .await?;
    if taken > 0 {
        return Err(CoreError::bad_input(
            "input.code",
            "the list already has this code (restore or reactivate it)",
        ));
    }
    let at = now();
    let row = reason::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        kind: Set(new.kind),
        code: Set(code),
        label: Set(label),
        active: Set(true),
        ..Default::default()
    }
    .fresh(at)
    .insert(&txn)
    .await?;
    core.finish::<reason::Entity>(txn, actor, row, "created")
        .await
}

/// Relabels reason `id`, or retires or reactivates it.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: ReasonChanges,
    expected_version: Option<i32>,
) -> CoreResult<reason::Model> {
    actor.require(Area::Settings)?;
    let txn = core.begin().await?;
    let current = load_live::<reason::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let label = match &changes.label {
        Some(label) => {
            text::required_name(label, LABEL_MAX).map_err(CoreError::invalid("input.label"))?
        }
        None => current.label.clone(),
    };
    let change = reason::ActiveModel {
        label: Set(label),
        active: Set(changes.active.unwrap_or(current.active)),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row = save_if_unchanged::<reason::Entity>(&txn, actor, id, current.version, change).await?;
    core.finish::<reason::Entity>(txn, actor, row, "updated")
        .await
}

/// Soft-deletes (`delete`) or restores reason `id`.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<reason::Model> {
    delete_or_restore::<reason::Entity>(core, actor, Area::Settings, id, expected_version, delete)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_one_shape() {
        assert_eq!(code_shape(" PRICE_2 ", "f").unwrap(), "PRICE_2");
        assert!(code_shape("price", "f").is_err());
        assert!(code_shape("", "f").is_err());
        assert!(code_shape("_X", "f").is_err());
    }
}
