//! A custom field: a field an ADMIN adds to one record type. Its values
//! live on the records themselves, in their `custom_fields` JSON object
//! under `key`.

use crate::enums::{CustomFieldRecordType, CustomFieldType};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "custom_field")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub record_type: CustomFieldRecordType,
    /// The name values are stored and filtered under: `^[a-z][a-z0-9_]*$`,
    /// unique per record type for good (a deleted field keeps it).
    pub key: String,
    pub label: String,
    pub field_type: CustomFieldType,
    /// The allowed values of SELECT and MULTI_SELECT fields (a JSON array
    /// of strings, in display order); empty for other types.
    pub options: Json,
    /// New records must have a value, and no change may clear it.
    pub required: bool,
    /// No two live records of the type may hold the same value.
    pub is_unique: bool,
    /// Where the field shows among the type's fields (smallest first).
    pub position: i32,
    pub description: Option<String>,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
