//! Custom fields (issue 17, item 5): the definitions (`customFields`,
//! `createCustomField`…, ADMIN), the values records show
//! (`customFields { key value }` on companies, contacts, deals and
//! tickets), the values inputs take, and the filters on them. The rules
//! live in the core (`rapport_core::ops::custom_field`).

mod mutation;

use std::sync::Arc;

use async_graphql::types::Json;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::custom_field;
use entity::enums::{CustomFieldRecordType, CustomFieldType};
use rapport_core::ops::custom_field::{definitions, options_of, values::Given};

use super::context::{actor, db};
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::Row;

pub use self::mutation::CustomFieldMutation;
pub use super::filter::custom::CustomFieldFilter;

/// A field an ADMIN added to one record type.
pub struct CustomField(pub custom_field::Model);

/// A field an ADMIN added to one record type: its values are set on the
/// records' create and update inputs (`customFields`), read as their
/// `customFields`, and filtered with `filter.customFields`.
#[Object]
impl CustomField {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::CustomField, self.0.id)
    }
    /// The records it belongs to.
    async fn record_type(&self) -> CustomFieldRecordType {
        self.0.record_type
    }
    /// The name values are set, read and filtered under; never changes.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// The name shown to people.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// What it holds.
    #[graphql(name = "type")]
    async fn field_type(&self) -> CustomFieldType {
        self.0.field_type
    }
    /// The allowed values of SELECT and MULTI_SELECT fields, in display order.
    async fn options(&self) -> Vec<String> {
        options_of(&self.0)
    }
    /// New records must have a value, and no change may clear it.
    async fn required(&self) -> bool {
        self.0.required
    }
    /// No two live records of the type may hold the same value.
    async fn unique(&self) -> bool {
        self.0.is_unique
    }
    /// Where it shows among the type's fields (smallest first).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// What it is for.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Bumped by every change (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was deleted (its values are hidden until it is restored).
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One custom field value of a record.
#[derive(SimpleObject)]
pub struct CustomFieldValue {
    /// The field's key.
    pub key: String,
    /// The field's label.
    pub label: String,
    /// The field's type, which says what `value` holds.
    #[graphql(name = "type")]
    pub field_type: CustomFieldType,
    /// The value: a string (TEXT, DATE as `YYYY-MM-DD`, DATETIME in RFC 3339
    /// UTC, SELECT, URL, EMAIL), a number (NUMBER, DECIMAL), a boolean, or a
    /// list of strings (MULTI_SELECT).
    pub value: Json<serde_json::Value>,
}

/// A value to set on a record's custom field.
#[derive(InputObject)]
pub struct CustomFieldValueInput {
    /// The field's key.
    pub key: String,
    /// The value, as JSON of the field's type (text forms are accepted too:
    /// `"42"` for a NUMBER, `"a; b"` for a MULTI_SELECT); `null` clears it.
    pub value: Option<Json<serde_json::Value>>,
}

/// The core's form of given values.
pub fn given(input: Option<Vec<CustomFieldValueInput>>) -> Given {
    input
        .unwrap_or_default()
        .into_iter()
        .map(|v| (v.key, v.value.map_or(serde_json::Value::Null, |j| j.0)))
        .collect()
}

/// The values of the record in `row`, in the order of its type's live
/// fields; the fields are read once per level of the query.
pub async fn values_of<M: Send + Sync + 'static>(
    ctx: &Context<'_>,
    row: &Row<M>,
    record_type: CustomFieldRecordType,
    values: &serde_json::Value,
) -> ApiResult<Vec<CustomFieldValue>> {
    let (conn, workspace) = (db(ctx)?, actor(ctx)?.workspace_id);
    let fields: Arc<Vec<custom_field::Model>> = row
        .level
        .load("customFields".into(), |_| async move {
            Ok(definitions(conn, workspace, record_type, false).await?)
        })
        .await?;
    Ok(fields
        .iter()
        .filter_map(|field| {
            let value = values.get(&field.key)?;
            Some(CustomFieldValue {
                key: field.key.clone(),
                label: field.label.clone(),
                field_type: field.field_type,
                value: Json(value.clone()),
            })
        })
        .collect())
}

/// Reading the definitions.
#[derive(Default)]
pub struct CustomFieldQuery;

#[Object]
impl CustomFieldQuery {
    /// The custom fields of a record type, in display order (every role
    /// reads them, to show and fill the records' values).
    async fn custom_fields(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The records whose fields to list.")] record_type: CustomFieldRecordType,
        #[graphql(
            desc = "Also the deleted fields (their values stay hidden until one is restored).",
            default
        )]
        include_deleted: bool,
    ) -> ApiResult<Vec<CustomField>> {
        let workspace = actor(ctx)?.workspace_id;
        let rows = definitions(db(ctx)?, workspace, record_type, include_deleted).await?;
        Ok(rows.into_iter().map(CustomField).collect())
    }
}
