//! Support tickets: numbered per workspace, moving OPEN → PENDING → RESOLVED → CLOSED.

mod filter;
mod mutation;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::enums::{TaggableType, TicketPriority, TicketStatus};
use entity::ticket;
use rapport_macros::connections;

use super::activity::{Activity, ActivityFilter, ActivityOrderField};
use super::company::Company;
use super::contact::Contact;
use super::deal::Deal;
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::Row;
use super::list::{self, Record};
use super::member::Member;
use super::survey::{SurveyResponse, SurveyResponseFilter, SurveyResponseOrderField};
use super::tag::{Tag, tags_of};

pub use filter::{TicketFilter, TicketOrderField};
pub use mutation::{CreateTicketInput, TicketMutation, TicketPayload};

/// A support request.
pub struct Ticket(pub Row<ticket::Model>);

impl Record for Ticket {
    type Entity = ticket::Entity;
    type Model = ticket::Model;
    fn wrap(row: Row<ticket::Model>) -> Self {
        Self(row)
    }
}

/// A support request: what the customer needs and where it stands.
#[connections]
#[Object]
impl Ticket {
    /// The documents kept on it, oldest first (one statement per level).
    async fn documents(
        &self,
        ctx: &Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::document::Document>> {
        let id = |m: &ticket::Model| m.id;
        crate::graphql::document::documents_of(ctx, &self.0, rapport_core::Kind::Ticket, id).await
    }
    /// Its ids in other systems, by source then id.
    async fn external_ids(
        &self,
        ctx: &Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::external_id::ExternalIdValue>> {
        let id = |m: &ticket::Model| m.id;
        crate::graphql::external_id::external_ids_of(ctx, &self.0, rapport_core::Kind::Ticket, id)
            .await
    }
    /// Survey answers about this ticket, newest first.
    connection!(survey_responses: SurveyResponse, SurveyResponseFilter, SurveyResponseOrderField,
        of |m: &ticket::Model| m.id, "ticket_id");
    /// Who changed it, when and how, newest first (ADMIN and MANAGER).
    history!(Ticket);
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Ticket, self.0.model().id)
    }
    /// Its custom field values, in the order of the type's fields (fields
    /// without a value, and deleted fields, are left out).
    async fn custom_fields(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::custom_field::CustomFieldValue>> {
        let values = &self.0.model().custom_fields;
        let record_type = entity::enums::CustomFieldRecordType::Ticket;
        crate::graphql::custom_field::values_of(ctx, &self.0, record_type, values).await
    }
    /// 1, 2, 3… within the workspace, for people to quote ("ticket #42").
    field!(number: i64);
    /// A one-line summary.
    field!(subject: &str);
    /// The full request.
    field!(description: Option<&str>);
    /// Where the ticket is in its life.
    field!(status: TicketStatus);
    /// How urgent it is.
    field!(priority: TicketPriority);
    /// A free-form category, e.g. "billing".
    field!(category: Option<&str>);
    /// When it was opened.
    field!(opened_at: DateTime<Utc>);
    /// When support first responded: the first time the status left OPEN.
    field!(first_response_at: Option<DateTime<Utc>>);
    /// When it was last resolved (or closed without being resolved first); cleared when reopened.
    field!(resolved_at: Option<DateTime<Utc>>);
    /// When it was closed.
    field!(closed_at: Option<DateTime<Utc>>);
    /// Seconds from `openedAt` to `resolvedAt`; null while unresolved.
    async fn resolution_time_seconds(&self) -> Option<i64> {
        let m = self.0.model();
        m.resolved_at
            .map(|resolved| (resolved - m.opened_at).num_seconds())
    }
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while the ticket is deleted (it can be restored).
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was created.
    field!(created_at: DateTime<Utc>);
    /// When it last changed.
    field!(updated_at: DateTime<Utc>);
    /// The person who asked.
    async fn contact(&self, ctx: &Context<'_>) -> ApiResult<Option<Contact>> {
        list::referenced(ctx, &self.0, "contact", |m: &ticket::Model| m.contact_id).await
    }
    /// The customer the ticket is for.
    async fn company(&self, ctx: &Context<'_>) -> ApiResult<Option<Company>> {
        list::referenced(ctx, &self.0, "company", |m: &ticket::Model| m.company_id).await
    }
    /// The deal it relates to.
    async fn deal(&self, ctx: &Context<'_>) -> ApiResult<Option<Deal>> {
        list::referenced(ctx, &self.0, "deal", |m: &ticket::Model| m.deal_id).await
    }
    /// The member working on it.
    async fn assignee(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "assignee", |m: &ticket::Model| m.assignee_id).await
    }
    /// Its tags.
    async fn tags(&self, ctx: &Context<'_>) -> ApiResult<Vec<Tag>> {
        tags_of(ctx, &self.0, TaggableType::Ticket, |m: &ticket::Model| m.id).await
    }
    /// Its timeline: replies, calls, notes and tasks, newest first by default.
    connection!(activities: Activity, ActivityFilter, ActivityOrderField,
        of |m: &ticket::Model| m.id, "ticket_id");
}

/// Ticket queries.
#[derive(Default)]
pub struct TicketQuery;

#[connections]
#[Object]
impl TicketQuery {
    /// Tickets of the workspace.
    listing!(tickets: Ticket, TicketFilter, TicketOrderField, fast);
}
