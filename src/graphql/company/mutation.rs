//! Company mutations: each converts its input and calls one core operation.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use rapport_core::ops::company::{self, CompanyChanges, NewCompany};
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::Company;
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::external_id::{self, ExternalIdInput};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::write::{patch, patch_id};

/// A new company.
#[derive(InputObject)]
pub struct CreateCompanyInput {
    /// The company's name.
    pub name: String,
    /// A domain or website URL; stored as the bare domain.
    pub domain: Option<String>,
    /// Its industry.
    pub industry: Option<String>,
    /// How many people it employs.
    pub employee_count: Option<i32>,
    /// Yearly revenue, in `annualRevenueCurrency`.
    pub annual_revenue: Option<Decimal>,
    /// ISO 4217; required with `annualRevenue`.
    pub annual_revenue_currency: Option<String>,
    /// City of its main office.
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 country of its main office.
    pub country: Option<String>,
    /// The member responsible for the account, by its global id.
    pub owner_id: Option<ID>,
    /// Its ids in other systems.
    pub external_ids: Option<Vec<ExternalIdInput>>,
    /// Custom field values, by key (see `customFields` for the record type's fields).
    pub custom_fields: Option<Vec<crate::graphql::custom_field::CustomFieldValueInput>>,
}

impl CreateCompanyInput {
    /// The core's new company (`createCompany`, `createCompanies`, `upsertCompany`).
    pub fn into_new(self) -> ApiResult<NewCompany> {
        Ok(NewCompany {
            name: self.name,
            domain: self.domain,
            industry: self.industry,
            employee_count: self.employee_count,
            annual_revenue: self.annual_revenue,
            annual_revenue_currency: self.annual_revenue_currency,
            city: self.city,
            country: self.country,
            owner_id: ids::decode_opt(self.owner_id.as_ref(), Kind::Member, "input.ownerId")?,
            external_ids: external_id::given(self.external_ids),
            custom_fields: crate::graphql::custom_field::given(self.custom_fields),
        })
    }
}

/// Changes to a company; omitted fields stay, `null` clears.
#[derive(InputObject, Default)]
pub struct UpdateCompanyInput {
    /// The company's name. Left as it is when omitted.
    pub name: Option<String>,
    /// Its web domain, lower-cased, without scheme or path. Left as it is when omitted.
    pub domain: MaybeUndefined<String>,
    /// Its industry. Left as it is when omitted.
    pub industry: MaybeUndefined<String>,
    /// How many people it employs. Left as it is when omitted.
    pub employee_count: MaybeUndefined<i32>,
    /// Yearly revenue, in `annualRevenueCurrency`. Left as it is when omitted.
    pub annual_revenue: MaybeUndefined<Decimal>,
    /// ISO 4217 code of `annualRevenue`. Left as it is when omitted.
    pub annual_revenue_currency: MaybeUndefined<String>,
    /// City of its main office. Left as it is when omitted.
    pub city: MaybeUndefined<String>,
    /// ISO 3166-1 alpha-2 country of its main office. Left as it is when omitted.
    pub country: MaybeUndefined<String>,
    /// The member responsible for the account, by its global id. Left as it is when omitted.
    pub owner_id: MaybeUndefined<ID>,
    /// The company's whole set of external ids (omitted: they stay).
    pub external_ids: Option<Vec<ExternalIdInput>>,
    /// Custom field values to set, by key; `null` clears one, fields not listed stay.
    pub custom_fields: Option<Vec<crate::graphql::custom_field::CustomFieldValueInput>>,
}

/// The result of a company mutation.
#[derive(SimpleObject)]
pub struct CompanyPayload {
    /// The company after the change.
    pub company: Company,
}

impl CompanyPayload {
    /// The payload of a company mutation's resulting row.
    pub fn of(row: entity::company::Model) -> Self {
        Self {
            company: Company(Level::single(row)),
        }
    }
}

/// Company mutations.
#[derive(Default)]
pub struct CompanyMutation;

#[connections]
#[Object]
impl CompanyMutation {
    /// Creates a company.
    async fn create_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateCompanyInput,
    ) -> ApiResult<CompanyPayload> {
        let (core, actor) = acting(ctx, Area::Companies)?;
        let new = input.into_new()?;
        Ok(CompanyPayload::of(company::create(core, actor, new).await?))
    }

    /// Changes a company. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateCompanyInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<CompanyPayload> {
        let (core, actor) = acting(ctx, Area::Companies)?;
        let id = ids::decode(&id, Kind::Company, "id")?;
        let changes = CompanyChanges {
            name: input.name,
            domain: patch(input.domain),
            industry: patch(input.industry),
            employee_count: patch(input.employee_count),
            annual_revenue: patch(input.annual_revenue),
            annual_revenue_currency: patch(input.annual_revenue_currency),
            city: patch(input.city),
            country: patch(input.country),
            owner_id: patch_id(input.owner_id, Kind::Member, "input.ownerId")?,
            external_ids: input.external_ids.map(|ids| external_id::given(Some(ids))),
            custom_fields: input
                .custom_fields
                .map(|given| crate::graphql::custom_field::given(Some(given))),
        };
        let row = company::update(core, actor, id, changes, expected_version).await?;
        Ok(CompanyPayload::of(row))
    }

    /// Soft-deletes a company: lists skip it, `restoreCompany` brings it back.
    lifecycle!(delete_company: CompanyPayload, Companies, Company, company::delete, true);

    /// Restores a deleted company.
    lifecycle!(restore_company: CompanyPayload, Companies, Company, company::delete, false);
}
