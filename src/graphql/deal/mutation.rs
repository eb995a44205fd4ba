//! Deal mutations: create, edit, move between stages, close, delete, and the
//! contacts on a deal. Each converts its input and calls one core operation
//! (`rapport_core::ops::deal`), where the rules live.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::enums::DealContactRole;
use rapport_core::ops::deal::{self, DealChanges, NewDeal, Outcome};
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::Deal;
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::external_id::{self, ExternalIdInput};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::scalars::Date;
use crate::graphql::write::{patch, patch_id};

/// How a deal ends.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealOutcome {
    /// The customer bought.
    Won,
    /// The customer did not buy.
    Lost,
}

/// A contact to put on a new deal.
#[derive(InputObject)]
pub struct DealContactInput {
    /// The contact.
    pub contact_id: ID,
    /// Their part in the deal.
    pub role: DealContactRole,
}

/// A new deal.
#[derive(InputObject)]
pub struct CreateDealInput {
    /// The deal's name.
    pub name: String,
    /// Not negative, with no more decimals than the currency has.
    pub amount: Decimal,
    /// ISO 4217 code, e.g. EUR.
    pub currency: String,
    /// The pipeline it moves through.
    pub pipeline_id: ID,
    /// Its first stage, of `pipelineId`; defaults to the pipeline's first OPEN stage.
    pub stage_id: Option<ID>,
    /// The customer company.
    pub company_id: Option<ID>,
    /// The responsible member; defaults to the caller.
    pub owner_id: Option<ID>,
    /// When it is expected to close.
    pub expected_close_date: Option<Date>,
    /// The people involved, each at most once.
    pub contacts: Option<Vec<DealContactInput>>,
    /// Its ids in other systems.
    pub external_ids: Option<Vec<ExternalIdInput>>,
    /// Custom field values, by key (see `customFields` for the record type's fields).
    pub custom_fields: Option<Vec<crate::graphql::custom_field::CustomFieldValueInput>>,
}

impl CreateDealInput {
    /// The core's new deal (`createDeal`, `createDeals`).
    pub fn into_new(self) -> ApiResult<NewDeal> {
        let mut contacts = Vec::new();
        for (i, c) in self.contacts.unwrap_or_default().into_iter().enumerate() {
            let field = format!("input.contacts.{i}.contactId");
            contacts.push(deal::DealContact {
                contact_id: ids::decode(&c.contact_id, Kind::Contact, &field)?,
                role: c.role,
            });
        }
        Ok(NewDeal {
            name: self.name,
            amount: self.amount,
            currency: self.currency,
            pipeline_id: ids::decode(&self.pipeline_id, Kind::Pipeline, "input.pipelineId")?,
            stage_id: ids::decode_opt(self.stage_id.as_ref(), Kind::Stage, "input.stageId")?,
            company_id: ids::decode_opt(
                self.company_id.as_ref(),
                Kind::Company,
                "input.companyId",
            )?,
            owner_id: ids::decode_opt(self.owner_id.as_ref(), Kind::Member, "input.ownerId")?,
            expected_close_date: self.expected_close_date.map(Into::into),
            contacts,
            external_ids: external_id::given(self.external_ids),
            custom_fields: crate::graphql::custom_field::given(self.custom_fields),
        })
    }
}

/// Changes to a deal; omitted fields stay, `null` clears. Stages change through `moveDeal` and `closeDeal`.
#[derive(InputObject, Default)]
pub struct UpdateDealInput {
    /// A new name.
    pub name: Option<String>,
    /// A new amount, in the (new) currency.
    pub amount: Option<Decimal>,
    /// A new ISO 4217 code; the amount must fit its decimals.
    pub currency: Option<String>,
    /// The customer company.
    pub company_id: MaybeUndefined<ID>,
    /// The responsible member.
    pub owner_id: MaybeUndefined<ID>,
    /// When it is expected to close.
    pub expected_close_date: MaybeUndefined<Date>,
    /// Custom field values to set, by key; `null` clears one, fields not listed stay.
    pub custom_fields: Option<Vec<crate::graphql::custom_field::CustomFieldValueInput>>,
}

/// The result of a deal mutation.
#[derive(SimpleObject)]
pub struct DealPayload {
    /// The deal after the change.
    pub deal: Deal,
}

impl DealPayload {
    /// The payload of a deal mutation's resulting row.
    pub fn of(row: entity::deal::Model) -> Self {
        Self {
            deal: Deal(Level::single(row)),
        }
    }
}

impl From<DealOutcome> for Outcome {
    fn from(outcome: DealOutcome) -> Self {
        match outcome {
            DealOutcome::Won => Outcome::Won,
            DealOutcome::Lost => Outcome::Lost,
        }
    }
}

/// Deal mutations.
#[derive(Default)]
pub struct DealMutation;

#[connections]
#[Object]
impl DealMutation {
    /// Creates a deal in its first stage and records that stage in its history.
    async fn create_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateDealInput,
    ) -> ApiResult<DealPayload> {
        let (core, actor) = acting(ctx, Area::Deals)?;
        let new = input.into_new()?;
        Ok(DealPayload::of(deal::create(core, actor, new).await?))
    }

    /// Changes a deal's details. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateDealInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<DealPayload> {
        let (core, actor) = acting(ctx, Area::Deals)?;
        let id = ids::decode(&id, Kind::Deal, "id")?;
        let changes = DealChanges {
            name: input.name,
            amount: input.amount,
            currency: input.currency,
            company_id: patch_id(input.company_id, Kind::Company, "input.companyId")?,
            owner_id: patch_id(input.owner_id, Kind::Member, "input.ownerId")?,
            expected_close_date: patch(input.expected_close_date.map_value(Into::into)),
            custom_fields: input
                .custom_fields
                .map(|given| crate::graphql::custom_field::given(Some(given))),
        };
        let row = deal::update(core, actor, id, changes, expected_version).await?;
        Ok(DealPayload::of(row))
    }

    /// Moves a deal to another stage of its pipeline. Entering a WON or LOST
    /// stage closes the deal; entering an OPEN stage reopens it. Moving to the
    /// stage it is in changes nothing.
    async fn move_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The stage to move to, by global id; a stage of the same pipeline.")]
        stage_id: ID,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<DealPayload> {
        let (core, actor) = acting(ctx, Area::Deals)?;
        let id = ids::decode(&id, Kind::Deal, "id")?;
        let stage_id = ids::decode(&stage_id, Kind::Stage, "stageId")?;
        let row = deal::stage::move_to(core, actor, id, stage_id, expected_version).await?;
        Ok(DealPayload::of(row))
    }

    /// Closes a deal as won or lost: moves it to its pipeline's first stage of
    /// that kind (refused when there is none) and records `reason`. A deal
    /// already closed that way keeps its stage and gets the new reason.
    async fn close_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "WON or LOST.")] outcome: DealOutcome,
        #[graphql(desc = "A DEAL_WON or DEAL_LOST reason code matching the outcome.")]
        reason: String,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<DealPayload> {
        let (core, actor) = acting(ctx, Area::Deals)?;
        let id = ids::decode(&id, Kind::Deal, "id")?;
        let outcome = outcome.into();
        let row = deal::stage::close(core, actor, id, outcome, &reason, expected_version).await?;
        Ok(DealPayload::of(row))
    }

    /// Soft-deletes a deal: lists skip it, `restoreDeal` brings it back.
    lifecycle!(delete_deal: DealPayload, Deals, Deal, deal::delete, true);

    /// Restores a deleted deal.
    lifecycle!(restore_deal: DealPayload, Deals, Deal, deal::delete, false);

    /// Puts a contact on a deal with a role, or changes the role of one already on it.
    async fn add_deal_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal, by global id.")] deal_id: ID,
        #[graphql(desc = "The contact to add, by global id.")] contact_id: ID,
        #[graphql(desc = "The contact's part in the deal.")] role: DealContactRole,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<DealPayload> {
        let (core, actor) = acting(ctx, Area::Deals)?;
        let deal_id = ids::decode(&deal_id, Kind::Deal, "dealId")?;
        let contact_id = ids::decode(&contact_id, Kind::Contact, "contactId")?;
        let row =
            deal::contacts::add(core, actor, deal_id, contact_id, role, expected_version).await?;
        Ok(DealPayload::of(row))
    }

    /// Takes a contact off a deal.
    async fn remove_deal_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal, by global id.")] deal_id: ID,
        #[graphql(desc = "The contact to remove, by global id.")] contact_id: ID,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<DealPayload> {
        let (core, actor) = acting(ctx, Area::Deals)?;
        let deal_id = ids::decode(&deal_id, Kind::Deal, "dealId")?;
        let contact_id = ids::decode(&contact_id, Kind::Contact, "contactId")?;
        let row =
            deal::contacts::remove(core, actor, deal_id, contact_id, expected_version).await?;
        Ok(DealPayload::of(row))
    }
}
