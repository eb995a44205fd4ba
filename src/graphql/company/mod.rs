//! Companies: the organisations a workspace sells to and supports.

mod filter;
mod merge;
mod mutation;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::company;
use entity::enums::TaggableType;
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::activity::{Activity, ActivityFilter, ActivityOrderField};
use super::calculated::{Figure, Of};
use super::contact::{Contact, ContactFilter, ContactOrderField};
use super::deal::{Deal, DealFilter, DealOrderField};
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::Row;
use super::list::{self, Record};
use super::member::Member;
use super::tag::{Tag, tags_of};
use super::ticket::{Ticket, TicketFilter, TicketOrderField};
use crate::domain::money;
use crate::graphql::scalars::Date;

pub use filter::{CompanyFilter, CompanyOrderField};
pub use merge::{CompanyMergeMutation, CompanyMergeQuery};
pub use mutation::{CompanyMutation, CompanyPayload, CreateCompanyInput};

/// A customer organisation.
pub struct Company(pub Row<company::Model>);

impl Record for Company {
    type Entity = company::Entity;
    type Model = company::Model;
    fn wrap(row: Row<company::Model>) -> Self {
        Self(row)
    }
}

/// A customer organisation: who it is and what it is like.
#[connections]
#[Object]
impl Company {
    /// Products the company has not bought, best first, by how often buyers of
    /// what it bought also bought them (co-purchase affinity over placed
    /// orders; see `Product.likelyBuyers`). Live, active products only.
    async fn recommended_products(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, 1 to 50.", default = 5)] first: i32,
    ) -> ApiResult<Vec<crate::graphql::product::affinity::Recommendation>> {
        let buyers = rapport_core::rules::affinity::Buyers::Companies;
        let id = |m: &company::Model| m.id;
        crate::graphql::product::affinity::recommended_products(ctx, &self.0, id, buyers, first)
            .await
    }
    /// The documents kept on it, oldest first (one statement per level).
    async fn documents(
        &self,
        ctx: &Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::document::Document>> {
        let id = |m: &company::Model| m.id;
        crate::graphql::document::documents_of(ctx, &self.0, rapport_core::Kind::Company, id).await
    }
    /// Its ids in other systems, by source then id.
    async fn external_ids(
        &self,
        ctx: &Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::external_id::ExternalIdValue>> {
        let id = |m: &company::Model| m.id;
        crate::graphql::external_id::external_ids_of(ctx, &self.0, rapport_core::Kind::Company, id)
            .await
    }
    /// Support figures: ticket count, open tickets, last ticket, mean resolution time.
    async fn ticket_stats(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<crate::graphql::insight::TicketFigures> {
        crate::graphql::insight::tickets(ctx, &self.0, |m: &company::Model| m.id, "company_id")
            .await
    }
    /// Order figures: count, lifetime value per currency, last order.
    async fn order_stats(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<crate::graphql::insight::OrderFigures> {
        crate::graphql::insight::orders(ctx, &self.0, |m: &company::Model| m.id, "company_id").await
    }
    /// The latest NPS and CSAT answers of the company's contacts.
    async fn satisfaction(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<crate::graphql::insight::SatisfactionFigures> {
        crate::graphql::insight::satisfaction(ctx, &self.0, |m: &company::Model| m.id, true).await
    }
    /// Orders recorded for the company (an order by one of its contacts counts for the company it had then), newest first.
    connection!(orders: crate::graphql::customer_order::Order,
        crate::graphql::customer_order::OrderFilter, crate::graphql::customer_order::OrderOrderField,
        of |m: &company::Model| m.id, "company_id");
    /// Who changed it, when and how, newest first (ADMIN and MANAGER).
    history!(Company);
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Company, self.0.model().id)
    }
    /// Its custom field values, in the order of the type's fields (fields
    /// without a value, and deleted fields, are left out).
    async fn custom_fields(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::custom_field::CustomFieldValue>> {
        let values = &self.0.model().custom_fields;
        let record_type = entity::enums::CustomFieldRecordType::Company;
        crate::graphql::custom_field::values_of(ctx, &self.0, record_type, values).await
    }
    /// The company's name.
    field!(name: &str);
    /// Its web domain, lower-cased, without scheme or path.
    field!(domain: Option<&str>);
    /// Its industry.
    field!(industry: Option<&str>);
    /// How many people it employs.
    field!(employee_count: Option<i32>);
    /// Yearly revenue, in `annualRevenueCurrency`.
    async fn annual_revenue(&self) -> Option<Decimal> {
        let m = self.0.model();
        m.annual_revenue_e4
            .map(|v| money::from_e4(v, m.annual_revenue_currency.as_deref().unwrap_or("USD")))
    }
    /// ISO 4217 code of `annualRevenue`.
    field!(annual_revenue_currency: Option<&str>);
    /// City of its main office.
    field!(city: Option<&str>);
    /// 0–100, higher is riskier, over the company's contacts' answers, its
    /// tickets and its orders; the README has the formula.
    async fn churn_risk(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let figure = Figure::ChurnRisk(Of::Company);
        let value =
            crate::graphql::calculated::load(ctx, &self.0, |m: &company::Model| m.id, figure)
                .await?;
        Ok(value.unwrap_or_default())
    }
    /// The highest lead score among its live contacts; 0 without contacts,
    /// the score a contact starts with.
    async fn lead_score(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let figure = Figure::CompanyLeadScore;
        let value =
            crate::graphql::calculated::load(ctx, &self.0, |m: &company::Model| m.id, figure)
                .await?;
        Ok(value.unwrap_or_default())
    }
    /// When it was last touched: the latest activity other than a task,
    /// engagement, order, ticket or survey answer; null if never.
    async fn last_touched_at(&self, ctx: &Context<'_>) -> ApiResult<Option<DateTime<Utc>>> {
        let figure = Figure::LastTouchedAt(Of::Company);
        let id = |m: &company::Model| m.id;
        crate::graphql::calculated::load_time(ctx, &self.0, id, figure).await
    }
    /// The percentage (0–100, rounded down) of its key fields that are
    /// filled; the README lists them.
    async fn completeness(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let figure = Figure::Completeness(Of::Company);
        let id = |m: &company::Model| m.id;
        let value = crate::graphql::calculated::load(ctx, &self.0, id, figure).await?;
        Ok(value.unwrap_or_default())
    }
    /// The competitor it buys from today.
    field!(current_vendor: Option<&str>);
    /// When its contract with `currentVendor` ends.
    field!(vendor_contract_ends_on: Option<Date>);
    /// When it stopped being a customer; null while it is one.
    field!(churned_at: Option<DateTime<Utc>>);
    /// Why it left: a CUSTOMER_EXIT reason code.
    field!(exit_reason: Option<&str>);
    /// ISO 3166-1 alpha-2 country of its main office.
    field!(country: Option<&str>);
    /// The member responsible for the account.
    async fn owner(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "owner", |m: &company::Model| m.owner_id).await
    }
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while the company is deleted (it can be restored).
    field!(deleted_at: Option<DateTime<Utc>>);
    /// The company this one was merged into; its global id resolves there through `node`.
    async fn merged_into(&self) -> Option<ID> {
        self.0
            .model()
            .merged_into
            .map(|id| ids::encode(Kind::Company, id))
    }
    /// When it was created.
    field!(created_at: DateTime<Utc>);
    /// When it last changed.
    field!(updated_at: DateTime<Utc>);
    /// Its tags.
    async fn tags(&self, ctx: &Context<'_>) -> ApiResult<Vec<Tag>> {
        tags_of(ctx, &self.0, TaggableType::Company, |m: &company::Model| {
            m.id
        })
        .await
    }
    /// The people who work there.
    connection!(contacts: Contact, ContactFilter, ContactOrderField,
        of |m: &company::Model| m.id, "company_id");
    /// Its deals.
    connection!(deals: Deal, DealFilter, DealOrderField,
        of |m: &company::Model| m.id, "company_id");
    /// Its support tickets.
    connection!(tickets: Ticket, TicketFilter, TicketOrderField,
        of |m: &company::Model| m.id, "company_id");
    /// Its timeline: notes, calls, emails, meetings and tasks.
    connection!(activities: Activity, ActivityFilter, ActivityOrderField,
        of |m: &company::Model| m.id, "company_id");
}

/// Company queries.
#[derive(Default)]
pub struct CompanyQuery;

#[connections]
#[Object]
impl CompanyQuery {
    /// Companies of the workspace.
    listing!(companies: Company, CompanyFilter, CompanyOrderField, fast);
}
