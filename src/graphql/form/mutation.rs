//! ADMIN's writes of web forms: create, replace, delete and restore.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::enums::LegalBasis;
use entity::form;
use rapport_core::ops::form::{self as forms, FormSettings};

use super::{Form, FormFieldInput};
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;

/// A form's settings, whole: on update they replace the old ones.
#[derive(InputObject)]
pub struct FormInput {
    /// What the form is called (inside the CRM).
    pub name: String,
    /// Its inputs, in order; one must be a required CONTACT_EMAIL.
    pub fields: Vec<FormFieldInput>,
    /// The consent wording beside a checkbox; with it, `legalBasis` is required.
    pub consent_text: Option<String>,
    /// The GDPR ground recorded when a visitor ticks the consent box.
    pub legal_basis: Option<LegalBasis>,
    /// Members who take new contacts in turn (round-robin); empty leaves them unowned.
    #[graphql(default)]
    pub owner_ids: Vec<ID>,
    /// Origins (`https://example.com`) whose pages may post the form.
    #[graphql(default)]
    pub allowed_origins: Vec<String>,
    /// Where a browser goes after a plain HTML submission; unset, it gets a thank-you page.
    pub redirect_url: Option<String>,
    /// The campaign each submission touches: a new lead's first touch, every
    /// submitter's last (see attribution).
    pub campaign_id: Option<ID>,
}

impl FormInput {
    fn settings(self) -> ApiResult<FormSettings> {
        let owner_ids = self
            .owner_ids
            .iter()
            .map(|id| ids::decode(id, Kind::Member, "input.ownerIds"))
            .collect::<Result<Vec<_>, _>>()?;
        let campaign_id = self
            .campaign_id
            .as_ref()
            .map(|id| ids::decode(id, Kind::Campaign, "input.campaignId"))
            .transpose()?;
        Ok(FormSettings {
            name: self.name,
            fields: self.fields.into_iter().map(Into::into).collect(),
            consent_text: self.consent_text,
            legal_basis: self.legal_basis,
            owner_ids,
            allowed_origins: self.allowed_origins,
            redirect_url: self.redirect_url,
            campaign_id,
        })
    }
}

/// The result of a form mutation.
#[derive(SimpleObject)]
pub struct FormPayload {
    /// The Form as the mutation left it.
    pub form: Form,
}

fn payload(row: form::Model) -> FormPayload {
    FormPayload {
        form: Form(Level::single(row)),
    }
}

#[derive(Default)]
pub struct FormMutation;

#[Object]
impl FormMutation {
    /// Adds a web form (ADMIN); its public submissions act as you.
    async fn create_form(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new form's settings.")] input: FormInput,
    ) -> ApiResult<FormPayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        // The role before the input: a refused caller learns nothing of it.
        forms::require_admin(actor)?;
        Ok(payload(
            forms::create(core, actor, input.settings()?).await?,
        ))
    }

    /// Replaces a form's settings (ADMIN); its key and URL stay.
    async fn update_form(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The form's whole new settings; they replace the old ones.")]
        input: FormInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<FormPayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        // The role before the input: a refused caller learns nothing of it.
        forms::require_admin(actor)?;
        let id = ids::decode(&id, Kind::Form, "id")?;
        let settings = input.settings()?;
        Ok(payload(
            forms::update(core, actor, id, settings, expected_version).await?,
        ))
    }

    /// Deletes a form (ADMIN; restorable): its URL answers 404 meanwhile.
    async fn delete_form(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<FormPayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        // The role before the input: a refused caller learns nothing of it.
        forms::require_admin(actor)?;
        let id = ids::decode(&id, Kind::Form, "id")?;
        Ok(payload(
            forms::delete(core, actor, id, expected_version, true).await?,
        ))
    }

    /// Restores a deleted form (ADMIN).
    async fn restore_form(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<FormPayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        // The role before the input: a refused caller learns nothing of it.
        forms::require_admin(actor)?;
        let id = ids::decode(&id, Kind::Form, "id")?;
        Ok(payload(
            forms::delete(core, actor, id, expected_version, false).await?,
        ))
    }
}
