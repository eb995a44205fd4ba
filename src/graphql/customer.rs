//! The customer facts of a company that sales acts on: the competitor's
//! contract it could be won from, and its exit when it stops buying. The
//! rules are the core's (`ops::customer`).

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use rapport_macros::connections;

use crate::graphql::scalars::Date;
use rapport_core::ops::customer;

use super::company::{Company, CompanyPayload};
use super::context::acting;
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::Level;
use crate::auth::Area;

fn payload(row: entity::company::Model) -> CompanyPayload {
    CompanyPayload {
        company: Company(Level::single(row)),
    }
}

#[derive(Default)]
pub struct CustomerMutation;

#[connections]
#[Object]
impl CustomerMutation {
    /// Records the competitor a company buys from and when that contract
    /// ends (null for both clears it). A `CONTRACT_ENDING` trigger watches
    /// the date.
    async fn set_company_competitor_contract(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The competitor it buys from; null clears both.")] current_vendor: Option<
            String,
        >,
        #[graphql(desc = "When that contract ends.")] contract_ends_on: Option<Date>,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<CompanyPayload> {
        let (core, actor) = acting(ctx, Area::Companies)?;
        let id = ids::decode(&id, Kind::Company, "id")?;
        let vendor = current_vendor.as_deref();
        let row = customer::set_competitor_contract(
            core,
            actor,
            id,
            vendor,
            contract_ends_on.map(Into::into),
            expected_version,
        )
        .await?;
        Ok(payload(row))
    }

    /// Records that a company stopped being a customer, why (a CUSTOMER_EXIT
    /// reason) and when (default now).
    async fn record_company_exit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "A CUSTOMER_EXIT reason code.")] reason: String,
        #[graphql(desc = "When the customer left; default now.")] churned_at: Option<DateTime<Utc>>,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<CompanyPayload> {
        let (core, actor) = acting(ctx, Area::Companies)?;
        let id = ids::decode(&id, Kind::Company, "id")?;
        let row =
            customer::record_exit(core, actor, id, &reason, churned_at, expected_version).await?;
        Ok(payload(row))
    }

    /// Takes back a recorded exit: the company is a customer again.
    by_id!(undo_company_exit: CompanyPayload, Companies, Company,
        payload(customer::undo_exit(core, actor, id, expected_version).await?));
}
