//! Custom fields: the fields an ADMIN adds to companies, contacts, deals or
//! tickets (`TEXT`, `NUMBER`, `DECIMAL`, `DATE`, `DATETIME`, `BOOLEAN`,
//! `SELECT`, `MULTI_SELECT`, `URL`, `EMAIL`, with options, required,
//! unique), and the checking of the values records carry (see [`values`]).
//!
//! A definition is soft-deleted like a record: its values stay on the
//! records, hidden, and come back if it is restored; its key stays taken.
//! Changing a field's type converts every stored value in the same
//! transaction, or refuses, naming the records that would not convert.

mod convert;
pub mod types;
pub mod values;

use crate::store::Fresh;
use entity::custom_field;
use entity::enums::{CustomFieldRecordType, CustomFieldType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::Value;
use uuid::Uuid;

use super::lifecycle::delete_or_restore;
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::store::{
    Author, Core, check_version, event_for, event_for_new, load_live, now, save_if_unchanged,
};

/// At most this many fields per record type (deleted ones included).
pub const MAX_FIELDS: usize = 100;
/// At most this many options per select field.
const MAX_OPTIONS: usize = 200;
/// Longest key, label and option.
const KEY_MAX: usize = 50;
const LABEL_MAX: usize = 100;
const OPTION_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 1_000;

/// A new custom field.
#[derive(Debug, Clone)]
pub struct NewCustomField {
    pub record_type: CustomFieldRecordType,
    pub key: String,
    pub label: String,
    pub field_type: CustomFieldType,
    pub options: Vec<String>,
    pub required: bool,
    pub unique: bool,
    pub description: Option<String>,
}

/// Changes to a custom field; `None` fields stay. The key and record type
/// never change (values are stored under the key).
#[derive(Debug, Clone, Default)]
pub struct CustomFieldChanges {
    pub label: Option<String>,
    /// A new type converts the stored values (see the module).
    pub field_type: Option<CustomFieldType>,
    /// The whole list; values holding a removed option are refused, as a
    /// type change would be.
    pub options: Option<Vec<String>>,
    pub required: Option<bool>,
    pub unique: Option<bool>,
    pub position: Option<i32>,
    pub description: Option<Option<String>>,
}

/// The options of a definition, as stored.
pub fn options_of(field: &custom_field::Model) -> Vec<String> {
    serde_json::from_value(field.options.clone()).unwrap_or_default()
}

/// The workspace's fields of `record_type` in display order; the deleted
/// ones too with `with_deleted`.
pub async fn definitions<C: ConnectionTrait>(
    conn: &C,
    workspace_id: Uuid,
    record_type: CustomFieldRecordType,
    with_deleted: bool,
) -> CoreResult<Vec<custom_field::Model>> {
    let mut query = custom_field::Entity::find()
        .filter(custom_field::Column::WorkspaceId.eq(workspace_id))
        .filter(custom_field::Column::RecordType.eq(record_type));
    if !with_deleted {
        query = query.filter(custom_field::Column::DeletedAt.is_null());
    }
    Ok(query
        .order_by_asc(custom_field::Column::Position)
        .order_by_asc(custom_field::Column::Id)
        .all(conn)
        .await?)
}

/// Adds a custom field (ADMIN).
pub async fn create(
    core: &Core,
    actor: &Actor,
    new: NewCustomField,
) -> CoreResult<custom_field::Model> {
    actor.require(Area::CustomFields)?;
    let key = check_key(&new.key)?;
    let label =
        text::required_name(&new.label, LABEL_MAX).map_err(CoreError::invalid("input.label"))?;
    let options = check_options(new.field_type, new.options, "input.options")?;
    check_unique_allowed(new.field_type, new.unique, "input.unique")?;
    let description = check_description(new.description)?;
    let txn = core.begin().await?;
    let existing = definitions(&txn, actor.workspace_id, new.record_type, true).await?;
    if let Some(taken) = existing.iter().find(|f| f.key == key) {
        let message = if taken.deleted_at.is_some() {
            "a deleted field has this key: restore it, or choose another key"
        } else {
            "another field of this record type has this key"
        };
        return Err(CoreError::Taken {
            field: "input.key".into(),
            message: message.into(),
        });
    }
    if existing.len() >= MAX_FIELDS {
        return Err(CoreError::bad_input(
            "input.recordType",
            format!("a record type has at most {MAX_FIELDS} custom fields"),
        ));
    }
    if new.required {
        // Records made before the field hold no value; a required field
        // starts out optional for them only if they get one later.
        values::refuse_missing(&txn, actor.workspace_id, new.record_type, &key).await?;
    }
    let at = now();
    let position = existing.iter().map(|f| f.position).max().unwrap_or(0) + 1;
    let row = custom_field::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        record_type: Set(new.record_type),
        key: Set(key),
        label: Set(label),
        field_type: Set(new.field_type),
        options: Set(Value::from(options)),
        required: Set(new.required),
        is_unique: Set(new.unique),
        position: Set(position),
        description: Set(description),
        ..Default::default()
    }
    .fresh(at)
    .insert(&txn)
    .await?;
    let event = event_for_new::<custom_field::Entity>(&row, "created")?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(row)
}

/// Changes custom field `id` (ADMIN); a new type or fewer options convert
/// the stored values first, refusing when any would not convert.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: CustomFieldChanges,
    expected_version: Option<i32>,
) -> CoreResult<custom_field::Model> {
    actor.require(Area::CustomFields)?;
    let txn = core.begin().await?;
    let current = load_live::<custom_field::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let field_type = changes.field_type.unwrap_or(current.field_type);
    let options = match changes.options {
        Some(given) => check_options(field_type, given, "input.options")?,
        None if matches!(
            field_type,
            CustomFieldType::Select | CustomFieldType::MultiSelect
        ) =>
        {
            let kept = options_of(&current);
            check_options(field_type, kept, "input.type")?
        }
        None => Vec::new(),
    };
    let unique = changes.unique.unwrap_or(current.is_unique);
    check_unique_allowed(field_type, unique, "input.unique")?;
    let label = match changes.label {
        Some(label) => {
            text::required_name(&label, LABEL_MAX).map_err(CoreError::invalid("input.label"))?
        }
        None => current.label.clone(),
    };
    let description = match changes.description {
        Some(description) => check_description(description)?,
        None => current.description.clone(),
    };
    let required = changes.required.unwrap_or(current.required);
    if field_type != current.field_type || options != options_of(&current) {
        let made = Author::of(actor).made(now());
        convert::convert_values(&txn, made, &current, field_type, &options).await?;
    }
    if required && !current.required {
        values::refuse_missing(&txn, actor.workspace_id, current.record_type, &current.key).await?;
    }
    if unique && !current.is_unique {
        values::refuse_duplicates(&txn, actor.workspace_id, current.record_type, &current.key)
            .await?;
    }
    let change = custom_field::ActiveModel {
        label: Set(label),
        field_type: Set(field_type),
        options: Set(Value::from(options)),
        required: Set(required),
        is_unique: Set(unique),
        position: Set(changes.position.unwrap_or(current.position)),
        description: Set(description),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row =
        save_if_unchanged::<custom_field::Entity>(&txn, actor, id, current.version, change).await?;
    let event = event_for::<custom_field::Entity>(&row, "updated")?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(row)
}

/// Soft-deletes (`delete`) or restores custom field `id` (ADMIN): deleted,
/// its values are hidden from reads, filters and exports; restored, they
/// show again.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<custom_field::Model> {
    delete_or_restore::<custom_field::Entity>(
        core,
        actor,
        Area::CustomFields,
        id,
        expected_version,
        delete,
    )
    .await
}

/// Whether `key` has a custom field key's form: a lower-case letter, then
/// lower-case letters, digits and `_`, at most 50 (what makes a key safe in
/// SQL and JSON paths).
pub fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && key.len() <= KEY_MAX
}

/// A key, trimmed, refused unless it has a key's form.
fn check_key(raw: &str) -> CoreResult<String> {
    let key = raw.trim();
    if !is_key(key) {
        return Err(CoreError::bad_input(
            "input.key",
            format!(
                "must start with a lower-case letter and hold only lower-case letters, digits and _ (at most {KEY_MAX})"
            ),
        ));
    }
    Ok(key.to_owned())
}

/// The options of a select field: 1 to 200, trimmed, distinct ignoring
/// case, without `;` (which separates them in text); none for other types.
fn check_options(
    field_type: CustomFieldType,
    given: Vec<String>,
    field: &str,
) -> CoreResult<Vec<String>> {
    let select = matches!(
        field_type,
        CustomFieldType::Select | CustomFieldType::MultiSelect
    );
    if !select {
        if given.is_empty() {
            return Ok(given);
        }
        return Err(CoreError::bad_input(
            field,
            "only SELECT and MULTI_SELECT fields have options",
        ));
    }
    if given.is_empty() || given.len() > MAX_OPTIONS {
        return Err(CoreError::bad_input(
            field,
            format!("a select field needs 1 to {MAX_OPTIONS} options"),
        ));
    }
    let mut options: Vec<String> = Vec::with_capacity(given.len());
    for (i, raw) in given.iter().enumerate() {
        let option = text::required_name(raw, OPTION_MAX)
            .map_err(CoreError::invalid(format!("{field}.{i}")))?;
        if option.contains(types::OPTION_SEPARATOR) {
            return Err(CoreError::bad_input(
                format!("{field}.{i}"),
                "must not contain ;",
            ));
        }
        if options
            .iter()
            .any(|o| o.to_lowercase() == option.to_lowercase())
        {
            return Err(CoreError::bad_input(
                format!("{field}.{i}"),
                "is listed twice",
            ));
        }
        options.push(option);
    }
    Ok(options)
}

/// Uniqueness means something for single values only.
fn check_unique_allowed(field_type: CustomFieldType, unique: bool, field: &str) -> CoreResult<()> {
    if unique
        && matches!(
            field_type,
            CustomFieldType::Boolean | CustomFieldType::MultiSelect
        )
    {
        return Err(CoreError::bad_input(
            field,
            "BOOLEAN and MULTI_SELECT fields cannot be unique",
        ));
    }
    Ok(())
}

fn check_description(raw: Option<String>) -> CoreResult<Option<String>> {
    text::optional_text(raw.as_deref(), DESCRIPTION_MAX)
        .map_err(CoreError::invalid("input.description"))
}

/// The live definition of `record_type` named `key`, in the transaction.
pub async fn live_field(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    record_type: CustomFieldRecordType,
    key: &str,
) -> CoreResult<Option<custom_field::Model>> {
    Ok(definitions(txn, workspace_id, record_type, false)
        .await?
        .into_iter()
        .find(|f| f.key == key))
}
