//! Contact mutations: each converts its input and calls one core operation.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::NaiveDate;
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
use crate::graphql::write::{patch, patch_id};

/// A new contact.
#[derive(InputObject)]
pub struct CreateContactInput {
    pub first_name: String,
    #[graphql(default)]
    pub last_name: String,
    pub email: Option<String>,
    /// Any common format; numbers without `+` are read in `country`'s numbering plan.
    pub phone: Option<String>,
    pub job_title: Option<String>,
    #[graphql(default_with = "LifecycleStage::Lead")]
    pub lifecycle_stage: LifecycleStage,
    pub city: Option<String>,
    pub country: Option<String>,
    pub birthdate: Option<NaiveDate>,
    pub company_id: Option<ID>,
    pub owner_id: Option<ID>,
    /// Its ids in other systems.
    pub external_ids: Option<Vec<ExternalIdInput>>,
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
            birthdate: self.birthdate,
            company_id: ids::decode_opt(
                self.company_id.as_ref(),
                Kind::Company,
                "input.companyId",
            )?,
            owner_id: ids::decode_opt(self.owner_id.as_ref(), Kind::Member, "input.ownerId")?,
            external_ids: external_id::given(self.external_ids),
        })
    }
}

/// Changes to a contact; omitted fields stay, `null` clears.
#[derive(InputObject, Default)]
pub struct UpdateContactInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub job_title: MaybeUndefined<String>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub city: MaybeUndefined<String>,
    pub country: MaybeUndefined<String>,
    pub birthdate: MaybeUndefined<NaiveDate>,
    pub company_id: MaybeUndefined<ID>,
    pub owner_id: MaybeUndefined<ID>,
    /// The contact's whole set of external ids (omitted: they stay).
    pub external_ids: Option<Vec<ExternalIdInput>>,
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
        input: CreateContactInput,
    ) -> ApiResult<ContactPayload> {
        let (core, actor) = acting(ctx, Area::Contacts)?;
        let new = input.into_new()?;
        Ok(ContactPayload::of(contact::create(core, actor, new).await?))
    }

    /// Changes a contact. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateContactInput,
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
            birthdate: patch(input.birthdate),
            company_id: patch_id(input.company_id, Kind::Company, "input.companyId")?,
            owner_id: patch_id(input.owner_id, Kind::Member, "input.ownerId")?,
            external_ids: input.external_ids.map(|ids| external_id::given(Some(ids))),
        };
        let row = contact::update(core, actor, id, changes, expected_version).await?;
        Ok(ContactPayload::of(row))
    }

    /// Soft-deletes a contact: lists skip it, `restoreContact` brings it back.
    lifecycle!(delete_contact: ContactPayload, Contacts, Contact, contact::delete, true);

    /// Restores a deleted contact.
    lifecycle!(restore_contact: ContactPayload, Contacts, Contact, contact::delete, false);
}
