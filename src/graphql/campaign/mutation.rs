//! Campaign mutations (ADMIN and MANAGER): each converts its input and calls
//! one core operation (`rapport_core::ops::campaign`), where the rules live.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::enums::{CampaignChannel, CampaignStatus};
use rapport_core::ops::campaign::{self, CampaignChanges, NewCampaign};
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::Campaign;
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::external_id::{self, ExternalIdInput};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::scalars::Date;
use crate::graphql::write::patch;

/// A new campaign.
#[derive(InputObject)]
pub struct CreateCampaignInput {
    /// The campaign's name (1 to 200 characters).
    pub name: String,
    /// Where it reaches people.
    pub channel: CampaignChannel,
    /// Where it is in its life; PLANNED when omitted.
    #[graphql(default_with = "CampaignStatus::Planned")]
    pub status: CampaignStatus,
    /// The first day (included).
    pub starts_on: Date,
    /// The last day (included), not before `startsOn`; omit while open-ended.
    pub ends_on: Option<Date>,
    /// What was spent, in `currency`: zero or more, with at most as many
    /// decimals as the currency has; 0 when omitted.
    #[graphql(default)]
    pub spend: Decimal,
    /// ISO 4217 code of `spend`.
    pub currency: String,
    /// What the campaign is meant to achieve, in words (up to 1,000 characters).
    pub goal: Option<String>,
    /// Its ids in other systems: a contact or engagement import names it by
    /// one of them (`campaignExternalId`, in the import's source).
    pub external_ids: Option<Vec<ExternalIdInput>>,
}

/// Changes to a campaign; omitted fields stay, `null` clears `endsOn` and `goal`.
#[derive(InputObject, Default)]
pub struct UpdateCampaignInput {
    /// The campaign's name. Left as it is when omitted.
    pub name: Option<String>,
    /// Where it reaches people. Left as it is when omitted.
    pub channel: Option<CampaignChannel>,
    /// Where it is in its life. Left as it is when omitted.
    pub status: Option<CampaignStatus>,
    /// The first day (included). Left as it is when omitted.
    pub starts_on: Option<Date>,
    /// The last day (included); `null` makes the campaign open-ended.
    pub ends_on: MaybeUndefined<Date>,
    /// What was spent, in `currency`. Left as it is when omitted.
    pub spend: Option<Decimal>,
    /// ISO 4217 code of `spend`. Left as it is when omitted.
    pub currency: Option<String>,
    /// What the campaign is meant to achieve; `null` clears it.
    pub goal: MaybeUndefined<String>,
    /// Its whole set of ids in other systems (ids not listed go). Left as
    /// they are when omitted.
    pub external_ids: Option<Vec<ExternalIdInput>>,
}

/// The result of a campaign mutation.
#[derive(SimpleObject)]
pub struct CampaignPayload {
    /// The Campaign as the mutation left it.
    pub campaign: Campaign,
}

impl CampaignPayload {
    fn of(row: entity::campaign::Model) -> Self {
        Self {
            campaign: Campaign(Level::single(row)),
        }
    }
}

#[derive(Default)]
pub struct CampaignMutation;

#[connections]
#[Object]
impl CampaignMutation {
    /// Records a campaign (ADMIN and MANAGER).
    async fn create_campaign(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateCampaignInput,
    ) -> ApiResult<CampaignPayload> {
        let (core, actor) = acting(ctx, Area::Campaigns)?;
        let new = NewCampaign {
            name: input.name,
            channel: input.channel,
            status: input.status,
            starts_on: input.starts_on.into(),
            ends_on: input.ends_on.map(Into::into),
            spend: input.spend,
            currency: input.currency,
            goal: input.goal,
            external_ids: external_id::given(input.external_ids),
        };
        Ok(CampaignPayload::of(
            campaign::create(core, actor, new).await?,
        ))
    }

    /// Changes a campaign (ADMIN and MANAGER).
    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateCampaignInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<CampaignPayload> {
        let (core, actor) = acting(ctx, Area::Campaigns)?;
        let id = ids::decode(&id, Kind::Campaign, "id")?;
        let changes = CampaignChanges {
            name: input.name,
            channel: input.channel,
            status: input.status,
            starts_on: input.starts_on.map(Into::into),
            ends_on: patch(input.ends_on.map_value(Into::into)),
            spend: input.spend,
            currency: input.currency,
            goal: patch(input.goal),
            external_ids: input.external_ids.map(|ids| external_id::given(Some(ids))),
        };
        let row = campaign::update(core, actor, id, changes, expected_version).await?;
        Ok(CampaignPayload::of(row))
    }

    /// Soft-deletes a campaign; contacts and deals keep pointing at it.
    lifecycle!(delete_campaign: CampaignPayload, Campaigns, Campaign, campaign::delete, true);

    /// Restores a deleted campaign.
    lifecycle!(restore_campaign: CampaignPayload, Campaigns, Campaign, campaign::delete, false);
}
