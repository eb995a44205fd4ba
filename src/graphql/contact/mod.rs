//! Contacts: the people at customers, with identity and descriptive data.

mod archive;
mod erasure;
mod filter;
mod merge;
mod mutation;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::contact;
use entity::enums::{LifecycleStage, TaggableType};
use rapport_macros::connections;

use super::activity::{Activity, ActivityFilter, ActivityOrderField};
use super::calculated::{Figure, Of};
use super::campaign::touch::{Touch, touch_of};
use super::company::Company;
use super::customer_order::{Order, OrderFilter, OrderOrderField};
use super::deal::{Deal, DealFilter, DealOrderField, deals_of_contact};
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::{Conn, Row};
use super::list::{self, Record};
use super::member::Member;
use super::survey::{SurveyResponse, SurveyResponseFilter, SurveyResponseOrderField};
use super::tag::{Tag, tags_of};
use super::ticket::{Ticket, TicketFilter, TicketOrderField};
use crate::graphql::scalars::Date;

pub use archive::{ArchiveContactsResult, ContactArchiveMutation};
pub use erasure::{ContactErasureMutation, EraseContactPayload};
pub use filter::{ContactFilter, ContactOrderField};
pub use merge::{ContactMergeMutation, ContactMergeQuery};
pub use mutation::{ContactMutation, ContactPayload, CreateContactInput};

/// A person at a customer.
pub struct Contact(pub Row<contact::Model>);

impl Record for Contact {
    type Entity = contact::Entity;
    type Model = contact::Model;
    fn wrap(row: Row<contact::Model>) -> Self {
        Self(row)
    }
}

/// A person at a customer: who they are and what they are like.
#[connections]
#[Object]
impl Contact {
    /// Products the contact has not bought, best first, by how often buyers of
    /// what it bought also bought them (co-purchase affinity over placed
    /// orders; see `Product.likelyBuyers`). Live, active products only.
    async fn recommended_products(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, 1 to 50.", default = 5)] first: i32,
    ) -> ApiResult<Vec<crate::graphql::product::affinity::Recommendation>> {
        let buyers = rapport_core::rules::affinity::Buyers::Contacts;
        let id = |m: &contact::Model| m.id;
        crate::graphql::product::affinity::recommended_products(ctx, &self.0, id, buyers, first)
            .await
    }
    /// The documents kept on it, oldest first (one statement per level).
    async fn documents(
        &self,
        ctx: &Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::document::Document>> {
        let id = |m: &contact::Model| m.id;
        crate::graphql::document::documents_of(ctx, &self.0, rapport_core::Kind::Contact, id).await
    }
    /// Its ids in other systems, by source then id.
    async fn external_ids(
        &self,
        ctx: &Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::external_id::ExternalIdValue>> {
        let id = |m: &contact::Model| m.id;
        crate::graphql::external_id::external_ids_of(ctx, &self.0, rapport_core::Kind::Contact, id)
            .await
    }
    /// Support figures: ticket count, open tickets, last ticket, mean resolution time.
    async fn ticket_stats(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<crate::graphql::insight::TicketFigures> {
        crate::graphql::insight::tickets(ctx, &self.0, |m: &contact::Model| m.id, "contact_id")
            .await
    }
    /// 0–100, higher is riskier: satisfaction (0–40), open tickets (0–30)
    /// and time since the last order (0–30); the README has the formula.
    async fn churn_risk(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let figure = Figure::ChurnRisk(Of::Contact);
        let value =
            crate::graphql::calculated::load(ctx, &self.0, |m: &contact::Model| m.id, figure)
                .await?;
        Ok(value.unwrap_or_default())
    }
    /// When it was last touched: the latest activity other than a task,
    /// engagement, order, ticket or survey answer; null if never.
    async fn last_touched_at(&self, ctx: &Context<'_>) -> ApiResult<Option<DateTime<Utc>>> {
        let figure = Figure::LastTouchedAt(Of::Contact);
        let id = |m: &contact::Model| m.id;
        crate::graphql::calculated::load_time(ctx, &self.0, id, figure).await
    }
    /// The percentage (0–100, rounded down) of its key fields that are
    /// filled; the README lists them.
    async fn completeness(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let figure = Figure::Completeness(Of::Contact);
        let id = |m: &contact::Model| m.id;
        let value = crate::graphql::calculated::load(ctx, &self.0, id, figure).await?;
        Ok(value.unwrap_or_default())
    }
    /// Order figures: count, lifetime value per currency, last order.
    async fn order_stats(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<crate::graphql::insight::OrderFigures> {
        crate::graphql::insight::orders(ctx, &self.0, |m: &contact::Model| m.id, "contact_id").await
    }
    /// The latest NPS and CSAT answers.
    async fn satisfaction(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<crate::graphql::insight::SatisfactionFigures> {
        crate::graphql::insight::satisfaction(ctx, &self.0, |m: &contact::Model| m.id, false).await
    }
    /// Orders the contact placed, newest first.
    connection!(orders: Order, OrderFilter, OrderOrderField,
        of |m: &contact::Model| m.id, "contact_id");
    /// The contact's survey answers, newest first.
    connection!(survey_responses: SurveyResponse, SurveyResponseFilter, SurveyResponseOrderField,
        of |m: &contact::Model| m.id, "contact_id");
    /// Who changed it, when and how, newest first (ADMIN and MANAGER).
    history!(Contact);
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Contact, self.0.model().id)
    }
    /// Its custom field values, in the order of the type's fields (fields
    /// without a value, and deleted fields, are left out).
    async fn custom_fields(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::custom_field::CustomFieldValue>> {
        let values = &self.0.model().custom_fields;
        let record_type = entity::enums::CustomFieldRecordType::Contact;
        crate::graphql::custom_field::values_of(ctx, &self.0, record_type, values).await
    }
    /// Given name.
    field!(first_name: &str);
    /// Family name.
    field!(last_name: &str);
    /// First and last name.
    async fn full_name(&self) -> String {
        let m = self.0.model();
        format!("{} {}", m.first_name, m.last_name)
            .trim()
            .to_owned()
    }
    /// Email address, trimmed and lower-cased; unique in the workspace.
    field!(email: Option<&str>);
    /// Phone number in E.164 form, e.g. +14155552671.
    field!(phone: Option<&str>);
    /// Job title.
    field!(job_title: Option<&str>);
    /// The sum of the points of the workspace's scoring rules that match
    /// the contact; kept current on every change to its inputs.
    field!(lead_score: i32);
    /// The campaign that first brought the contact, and when; it stays once
    /// set unless set by hand (`setContactAttribution`).
    async fn first_touch(&self, ctx: &Context<'_>) -> ApiResult<Option<Touch>> {
        let (campaign, at) = (
            |m: &contact::Model| m.first_touch_campaign_id,
            |m: &contact::Model| m.first_touch_at,
        );
        touch_of(ctx, &self.0, "first_touch", campaign, at).await
    }
    /// The campaign of the contact's latest touch (by the time of the touch), and when.
    async fn last_touch(&self, ctx: &Context<'_>) -> ApiResult<Option<Touch>> {
        let (campaign, at) = (
            |m: &contact::Model| m.last_touch_campaign_id,
            |m: &contact::Model| m.last_touch_at,
        );
        touch_of(ctx, &self.0, "last_touch", campaign, at).await
    }
    /// How the lead score changed, newest first (one statement per contact:
    /// meant for a contact's page, not for long lists).
    async fn lead_score_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many changes, newest first; 0 to 100, default 20.")]
        first: Option<i32>,
    ) -> ApiResult<Vec<crate::graphql::scoring::LeadScoreChange>> {
        crate::graphql::scoring::score_history(ctx, self.0.model().id, first).await
    }
    /// Whether the contact may get marketing email.
    field!(email_opt_in: bool);
    /// When the contact opted in.
    field!(email_opt_in_at: Option<DateTime<Utc>>);
    /// Where the consent was given.
    field!(consent_source: Option<&str>);
    /// The GDPR ground recorded with the latest email consent; null when none is recorded.
    field!(consent_legal_basis: Option<entity::enums::LegalBasis>);
    /// When the contact unsubscribed from marketing email; null while subscribed (or never asked).
    field!(unsubscribed_at: Option<DateTime<Utc>>);
    /// Where the contact stands in the customer lifecycle.
    field!(lifecycle_stage: LifecycleStage);
    /// City.
    field!(city: Option<&str>);
    /// ISO 3166-1 alpha-2 country.
    field!(country: Option<&str>);
    /// Date of birth.
    field!(birthdate: Option<Date>);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while the contact is deleted (it can be restored).
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When its identity and descriptive data were erased (`eraseContact`).
    field!(erased_at: Option<DateTime<Utc>>);
    /// The contact this one was merged into; its global id resolves there through `node`.
    async fn merged_into(&self) -> Option<ID> {
        self.0
            .model()
            .merged_into
            .map(|id| ids::encode(Kind::Contact, id))
    }
    /// When it was created.
    field!(created_at: DateTime<Utc>);
    /// When it last changed.
    field!(updated_at: DateTime<Utc>);
    /// The company the contact works for.
    async fn company(&self, ctx: &Context<'_>) -> ApiResult<Option<Company>> {
        list::referenced(ctx, &self.0, "company", |m: &contact::Model| m.company_id).await
    }
    /// The member responsible for the contact.
    async fn owner(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "owner", |m: &contact::Model| m.owner_id).await
    }
    /// Its tags.
    async fn tags(&self, ctx: &Context<'_>) -> ApiResult<Vec<Tag>> {
        tags_of(ctx, &self.0, TaggableType::Contact, |m: &contact::Model| {
            m.id
        })
        .await
    }
    /// Deals the contact takes part in.
    paged!(deals: Conn<Deal>, DealFilter, DealOrderField,
        deals_of_contact(ctx, &self.0, args).await);
    /// Tickets the contact opened.
    connection!(tickets: Ticket, TicketFilter, TicketOrderField,
        of |m: &contact::Model| m.id, "contact_id");
    /// The contact's timeline.
    connection!(activities: Activity, ActivityFilter, ActivityOrderField,
        of |m: &contact::Model| m.id, "contact_id");
}

/// Contact queries.
#[derive(Default)]
pub struct ContactQuery;

#[connections]
#[Object]
impl ContactQuery {
    /// Contacts of the workspace.
    listing!(contacts: Contact, ContactFilter, ContactOrderField, fast);
}
