//! Activities: the timeline of notes, calls, emails, meetings and tasks
//! attached to contacts, companies, deals and tickets.

mod filter;
mod mutation;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::activity;
use entity::enums::ActivityKind;
use rapport_macros::connections;

use super::company::Company;
use super::contact::Contact;
use super::deal::Deal;
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::Row;
use super::list::{self, Record};
use super::member::Member;
use super::ticket::Ticket;

pub use filter::{ActivityFilter, ActivityOrderField};
pub use mutation::{ActivityMutation, ActivityPayload, CreateActivityInput};

/// A timeline entry.
pub struct Activity(pub Row<activity::Model>);

impl Record for Activity {
    type Entity = activity::Entity;
    type Model = activity::Model;
    fn wrap(row: Row<activity::Model>) -> Self {
        Self(row)
    }
}

/// A note, call, email, meeting or task on the timeline of the records it is attached to.
#[connections]
#[Object]
impl Activity {
    /// Its ids in other systems, by source then id.
    async fn external_ids(
        &self,
        ctx: &Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::external_id::ExternalIdValue>> {
        let id = |m: &activity::Model| m.id;
        crate::graphql::external_id::external_ids_of(ctx, &self.0, rapport_core::Kind::Activity, id)
            .await
    }
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Activity, self.0.model().id)
    }
    /// What sort of entry it is.
    field!(kind: ActivityKind);
    /// A one-line summary.
    field!(subject: &str);
    /// The full text: the note, the call summary, the email.
    field!(body: Option<&str>);
    /// When it happened (or is planned to).
    field!(occurred_at: DateTime<Utc>);
    /// When a task is due.
    field!(due_at: Option<DateTime<Utc>>);
    /// When a task was completed; null while it is open.
    field!(completed_at: Option<DateTime<Utc>>);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while the activity is deleted (it can be restored).
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was recorded.
    field!(created_at: DateTime<Utc>);
    /// When it last changed.
    field!(updated_at: DateTime<Utc>);
    /// The contact it is about.
    async fn contact(&self, ctx: &Context<'_>) -> ApiResult<Option<Contact>> {
        list::referenced(ctx, &self.0, "contact", |m: &activity::Model| m.contact_id).await
    }
    /// The company it is about.
    async fn company(&self, ctx: &Context<'_>) -> ApiResult<Option<Company>> {
        list::referenced(ctx, &self.0, "company", |m: &activity::Model| m.company_id).await
    }
    /// The deal it is about.
    async fn deal(&self, ctx: &Context<'_>) -> ApiResult<Option<Deal>> {
        list::referenced(ctx, &self.0, "deal", |m: &activity::Model| m.deal_id).await
    }
    /// The ticket it is about.
    async fn ticket(&self, ctx: &Context<'_>) -> ApiResult<Option<Ticket>> {
        list::referenced(ctx, &self.0, "ticket", |m: &activity::Model| m.ticket_id).await
    }
    /// The member who recorded it.
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "author", |m: &activity::Model| m.author_id).await
    }
    /// Who should do it (tasks).
    async fn assignee(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "assignee", |m: &activity::Model| {
            m.assignee_id
        })
        .await
    }
}

/// Activity queries.
#[derive(Default)]
pub struct ActivityQuery;

#[connections]
#[Object]
impl ActivityQuery {
    /// Activities of the workspace, newest first by default.
    listing!(activities: Activity, ActivityFilter, ActivityOrderField);
}
