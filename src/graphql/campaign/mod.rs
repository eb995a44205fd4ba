//! Campaigns (issue 20): what marketing ran, what it cost, and what it
//! brought by first-touch attribution (`leads`, `customers`, `wonRevenue`,
//! loaded per level in one statement by [`figures`]). The rules of every
//! change live in the core (`rapport_core::ops::campaign`); here are the
//! object, its filter ([`filter`]), the mutations ([`mutation`]) and the
//! attribution fields of contacts and deals ([`touch`]).

mod figures;
mod filter;
mod mutation;
pub mod touch;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::campaign;
use entity::enums::{CampaignChannel, CampaignStatus};
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::context::actor;
use super::deal::MoneyTotal;
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::Row;
use super::list::Record;
use crate::domain::money;
use crate::graphql::scalars::Date;

pub use self::filter::{CampaignFilter, CampaignOrderField};
pub use self::mutation::{CampaignMutation, CampaignPayload};

/// A marketing campaign.
pub struct Campaign(pub Row<campaign::Model>);

impl Record for Campaign {
    type Entity = campaign::Entity;
    type Model = campaign::Model;
    fn wrap(row: Row<campaign::Model>) -> Self {
        Self(row)
    }
}

/// A marketing campaign: a channel, a period, what it cost (in one
/// currency) and what it brought.
#[connections]
#[Object]
impl Campaign {
    /// Who changed it, when and how, newest first (ADMIN and MANAGER).
    history!(Campaign);
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Campaign, self.0.model().id)
    }
    /// Its ids in other systems, by source then id.
    async fn external_ids(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::external_id::ExternalIdValue>> {
        let id = |m: &campaign::Model| m.id;
        crate::graphql::external_id::external_ids_of(ctx, &self.0, Kind::Campaign, id).await
    }
    /// The campaign's name.
    field!(name: &str);
    /// Where it reaches people.
    field!(channel: CampaignChannel);
    /// Where it is in its life.
    field!(status: CampaignStatus);
    /// The first day (included).
    field!(starts_on: Date);
    /// The last day (included); null while open-ended.
    field!(ends_on: Option<Date>);
    /// What was spent on it, in `currency`; null for SUPPORT, which sees no amounts.
    async fn spend(&self, ctx: &Context<'_>) -> ApiResult<Option<Decimal>> {
        let m = self.0.model();
        let visible = actor(ctx)?.sees_amounts();
        Ok(visible.then(|| money::from_e4(m.spend_e4, &m.currency)))
    }
    /// ISO 4217 code of `spend`: a campaign is paid in one currency.
    field!(currency: &str);
    /// What the campaign is meant to achieve, in words.
    field!(goal: Option<&str>);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while it is deleted (it can be restored); null otherwise.
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was recorded.
    field!(created_at: DateTime<Utc>);
    /// When it last changed.
    field!(updated_at: DateTime<Utc>);
    /// Live contacts whose first touch is this campaign.
    async fn leads(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(figures::brought(ctx, &self.0).await?.leads)
    }
    /// Of those leads, the ones on at least one won deal.
    async fn customers(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(figures::brought(ctx, &self.0).await?.customers)
    }
    /// The amounts of won deals whose first touch (inherited from their
    /// contact when created) is this campaign, per currency; null for
    /// SUPPORT, which sees no amounts.
    async fn won_revenue(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<MoneyTotal>>> {
        if !actor(ctx)?.sees_amounts() {
            return Ok(None);
        }
        Ok(Some(figures::brought(ctx, &self.0).await?.won_revenue))
    }
}

/// Campaign queries.
#[derive(Default)]
pub struct CampaignQuery;

#[connections]
#[Object]
impl CampaignQuery {
    /// The workspace's campaigns (latest start first unless `orderBy` says otherwise).
    listing!(campaigns: Campaign, CampaignFilter, CampaignOrderField);
}
