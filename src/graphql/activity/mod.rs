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
pub use mutation::{ActivityMutation, ActivityPayload};

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
#[Object]
impl Activity {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Activity, self.0.model().id)
    }
    /// What sort of entry it is.
    async fn kind(&self) -> ActivityKind {
        self.0.model().kind
    }
    /// A one-line summary.
    async fn subject(&self) -> &str {
        &self.0.model().subject
    }
    /// The full text: the note, the call summary, the email.
    async fn body(&self) -> Option<&str> {
        self.0.model().body.as_deref()
    }
    /// When it happened (or is planned to).
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.model().occurred_at
    }
    /// When a task is due.
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().due_at
    }
    /// When a task was completed; null while it is open.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().completed_at
    }
    /// Incremented by every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.model().version
    }
    /// Set while the activity is deleted (it can be restored).
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().deleted_at
    }
    /// When it was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.model().updated_at
    }
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
