//! Contact mutations: each converts its input and calls one core operation.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::enums::LifecycleStage;
use rapport_core::ops::contact::{self, ContactChanges, NewContact};
use rapport_macros::connections;

use super::Contact;
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::external_id::{self, ExternalIdInput};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::scalars::Date;
use crate::graphql::write::{patch, patch_id};

/// A new contact.
#[derive(InputObject)]
pub struct CreateContactInput {
    /// Given name.
    pub first_name: String,
    /// Family name.
    #[graphql(default)]
    pub last_name: String,
    /// Email address, trimmed and lower-cased; unique in the workspace.
    pub email: Option<String>,
    /// Any common format; numbers without `+` are read in `country`'s numbering plan.
    pub phone: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Where the contact stands in the customer lifecycle.
    #[graphql(default_with = "LifecycleStage::Lead")]
    pub lifecycle_stage: LifecycleStage,
    /// City.
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    pub country: Option<String>,
    /// Date of birth.
    pub birthdate: Option<Date>,
    /// The company the contact works for, by its global id.
    pub company_id: Option<ID>,
    /// The member responsible for the contact, by its global id.
    pub owner_id: Option<ID>,
    /// Its ids in other systems.
    pub external_ids: Option<Vec<ExternalIdInput>>,
    /// Custom field values, by key (see `customFields` for the record type's fields).
    pub custom_fields: Option<Vec<crate::graphql::custom_field::CustomFieldValueInput>>,
}

impl CreateContactInput {
    /// The core's new contact (`createContact`, `createContacts`, `upsertContact`).
    pub fn into_new(self) -> ApiResult<NewContact> {
        Ok(NewContact {
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            phone: self.phone,
            job_title: self.job_title,
            lifecycle_stage: self.lifecycle_stage,
            city: self.city,
            country: self.country,
            birthdate: self.birthdate.map(Into::into),
            company_id: ids::decode_opt(
                self.company_id.as_ref(),
                Kind::Company,
                "input.companyId",
            )?,
            owner_id: ids::decode_opt(self.owner_id.as_ref(), Kind::Member, "input.ownerId")?,
            external_ids: external_id::given(self.external_ids),
            custom_fields: crate::graphql::custom_field::given(self.custom_fields),
        })
    }
}

/// Changes to a contact; omitted fields stay, `null` clears.
#[derive(InputObject, Default)]
pub struct UpdateContactInput {
    /// Given name. Left as it is when omitted.
    pub first_name: Option<String>,
    /// Family name. Left as it is when omitted.
    pub last_name: Option<String>,
    /// Email address, trimmed and lower-cased; unique in the workspace. Left as it is when omitted.
    pub email: MaybeUndefined<String>,
    /// Phone number in E.164 form, e.g. +14155552671. Left as it is when omitted.
    pub phone: MaybeUndefined<String>,
    /// Job title. Left as it is when omitted.
    pub job_title: MaybeUndefined<String>,
    /// Where the contact stands in the customer lifecycle. Left as it is when omitted.
    pub lifecycle_stage: Option<LifecycleStage>,
    /// City. Left as it is when omitted.
    pub city: MaybeUndefined<String>,
    /// ISO 3166-1 alpha-2 country. Left as it is when omitted.
    pub country: MaybeUndefined<String>,
    /// Date of birth. Left as it is when omitted.
    pub birthdate: MaybeUndefined<Date>,
    /// The company the contact works for, by its global id. Left as it is when omitted.
    pub company_id: MaybeUndefined<ID>,
    /// The member responsible for the contact, by its global id. Left as it is when omitted.
    pub owner_id: MaybeUndefined<ID>,
    /// The contact's whole set of external ids (omitted: they stay).
    pub external_ids: Option<Vec<ExternalIdInput>>,
    /// Custom field values to set, by key; `null` clears one, fields not listed stay.
    pub custom_fields: Option<Vec<crate::graphql::custom_field::CustomFieldValueInput>>,
}

/// The result of a contact mutation.
#[derive(SimpleObject)]
pub struct ContactPayload {
    /// The contact after the change.
    pub contact: Contact,
}

impl ContactPayload {
    /// The payload of a contact mutation's resulting row.
    pub fn of(row: entity::contact::Model) -> Self {
        Self {
            contact: Contact(Level::single(row)),
        }
    }
}

/// Contact mutations.
#[derive(Default)]
pub struct ContactMutation;

#[connections]
#[Object]
impl ContactMutation {
    /// Creates a contact. The email, when given, must be unused in the workspace.
    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateContactInput,
    ) -> ApiResult<ContactPayload> {
        let (core, actor) = acting(ctx, Area::Contacts)?;
        let new = input.into_new()?;
        Ok(ContactPayload::of(contact::create(core, actor, new).await?))
    }

    /// Changes a contact. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateContactInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<ContactPayload> {
        let (core, actor) = acting(ctx, Area::Contacts)?;
        let id = ids::decode(&id, Kind::Contact, "id")?;
        let changes = ContactChanges {
            first_name: input.first_name,
            last_name: input.last_name,
            email: patch(input.email),
            phone: patch(input.phone),
            job_title: patch(input.job_title),
            lifecycle_stage: input.lifecycle_stage,
            city: patch(input.city),
            country: patch(input.country),
            birthdate: patch(input.birthdate.map_value(Into::into)),
            company_id: patch_id(input.company_id, Kind::Company, "input.companyId")?,
            owner_id: patch_id(input.owner_id, Kind::Member, "input.ownerId")?,
            external_ids: input.external_ids.map(|ids| external_id::given(Some(ids))),
            custom_fields: input
                .custom_fields
                .map(|given| crate::graphql::custom_field::given(Some(given))),
        };
        let row = contact::update(core, actor, id, changes, expected_version).await?;
        Ok(ContactPayload::of(row))
    }

    /// Soft-deletes a contact: lists skip it, `restoreContact` brings it back.
    lifecycle!(delete_contact: ContactPayload, Contacts, Contact, contact::delete, true);

    /// Restores a deleted contact.
    lifecycle!(restore_contact: ContactPayload, Contacts, Contact, contact::delete, false);
}
