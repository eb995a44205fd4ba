//! Custom field mutations (ADMIN): each converts its input and calls one
//! core operation (`rapport_core::ops::custom_field`).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::enums::{CustomFieldRecordType, CustomFieldType};
use rapport_core::ops::custom_field::{self, CustomFieldChanges, NewCustomField};

use super::CustomField;
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};

/// A new custom field.
#[derive(InputObject)]
pub struct CreateCustomFieldInput {
    /// The records it belongs to.
    pub record_type: CustomFieldRecordType,
    /// The name values are stored under: a lower-case letter, then
    /// lower-case letters, digits and `_` (at most 50); never changes.
    pub key: String,
    /// The name shown to people (1 to 100 characters).
    pub label: String,
    /// What it holds.
    #[graphql(name = "type")]
    pub field_type: CustomFieldType,
    /// The allowed values of a SELECT or MULTI_SELECT field (1 to 200, distinct ignoring case, without `;`).
    #[graphql(default)]
    pub options: Vec<String>,
    /// New records must have a value (refused while live records lack one).
    #[graphql(default)]
    pub required: bool,
    /// No two live records may hold the same value (not for BOOLEAN or MULTI_SELECT).
    #[graphql(default)]
    pub unique: bool,
    /// What it is for.
    pub description: Option<String>,
}

/// Changes to a custom field; omitted fields stay.
#[derive(InputObject, Default)]
pub struct UpdateCustomFieldInput {
    /// The name shown to people.
    pub label: Option<String>,
    /// A new type: every stored value converts, or the change is refused
    /// naming the records whose values would not.
    #[graphql(name = "type")]
    pub field_type: Option<CustomFieldType>,
    /// The whole list of options; values holding a removed option refuse the change.
    pub options: Option<Vec<String>>,
    /// Whether new records must have a value.
    pub required: Option<bool>,
    /// Whether values must be unique among live records.
    pub unique: Option<bool>,
    /// Where it shows among the type's fields (smallest first).
    pub position: Option<i32>,
    /// What it is for; `null` clears it.
    pub description: MaybeUndefined<String>,
}

/// The result of a custom field mutation.
#[derive(SimpleObject)]
pub struct CustomFieldPayload {
    /// The field as the mutation left it.
    pub custom_field: CustomField,
}

fn payload(row: entity::custom_field::Model) -> CustomFieldPayload {
    CustomFieldPayload {
        custom_field: CustomField(row),
    }
}

/// Custom field mutations.
#[derive(Default)]
pub struct CustomFieldMutation;

#[Object]
impl CustomFieldMutation {
    /// Adds a custom field to a record type (ADMIN).
    async fn create_custom_field(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new field.")] input: CreateCustomFieldInput,
    ) -> ApiResult<CustomFieldPayload> {
        let (core, actor) = acting(ctx, Area::CustomFields)?;
        let new = NewCustomField {
            record_type: input.record_type,
            key: input.key,
            label: input.label,
            field_type: input.field_type,
            options: input.options,
            required: input.required,
            unique: input.unique,
            description: input.description,
        };
        Ok(payload(custom_field::create(core, actor, new).await?))
    }

    /// Changes a custom field (ADMIN). A new type or fewer options convert
    /// the stored values in the same transaction, or refuse.
    async fn update_custom_field(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the field.")] id: ID,
        #[graphql(desc = "The changes; omitted fields stay.")] input: UpdateCustomFieldInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the field has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<CustomFieldPayload> {
        let (core, actor) = acting(ctx, Area::CustomFields)?;
        let id = ids::decode(&id, Kind::CustomField, "id")?;
        let changes = CustomFieldChanges {
            label: input.label,
            field_type: input.field_type,
            options: input.options,
            required: input.required,
            unique: input.unique,
            position: input.position,
            description: match input.description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(Some(d)),
            },
        };
        let row = custom_field::update(core, actor, id, changes, expected_version).await?;
        Ok(payload(row))
    }

    /// Deletes a custom field (ADMIN): its values are hidden from reads,
    /// filters and exports, and its key stays taken; `restoreCustomField`
    /// brings both back.
    async fn delete_custom_field(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the field.")] id: ID,
        #[graphql(desc = "When given, refuses (`CONFLICT`) if the field changed since.")]
        expected_version: Option<i32>,
    ) -> ApiResult<CustomFieldPayload> {
        let (core, actor) = acting(ctx, Area::CustomFields)?;
        let id = ids::decode(&id, Kind::CustomField, "id")?;
        let row = custom_field::delete(core, actor, id, expected_version, true).await?;
        Ok(payload(row))
    }

    /// Restores a deleted custom field and its values (ADMIN).
    async fn restore_custom_field(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the field.")] id: ID,
        #[graphql(desc = "When given, refuses (`CONFLICT`) if the field changed since.")]
        expected_version: Option<i32>,
    ) -> ApiResult<CustomFieldPayload> {
        let (core, actor) = acting(ctx, Area::CustomFields)?;
        let id = ids::decode(&id, Kind::CustomField, "id")?;
        let row = custom_field::delete(core, actor, id, expected_version, false).await?;
        Ok(payload(row))
    }
}
