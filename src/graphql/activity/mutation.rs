//! Activity mutations: each converts its input and calls one core operation.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::ActivityKind;
use rapport_core::ops::activity::{self, ActivityChanges, NewActivity};
use rapport_macros::connections;

use super::Activity;
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::external_id::{self, ExternalIdInput};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::write::{patch, patch_id};

/// A new activity, attached to at least one contact, company, deal or ticket.
#[derive(InputObject)]
pub struct CreateActivityInput {
    /// What sort of entry it is.
    pub kind: ActivityKind,
    /// A one-line summary.
    pub subject: String,
    /// The full text: the note, the call summary, the email.
    pub body: Option<String>,
    /// Defaults to now.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When a task is due.
    pub due_at: Option<DateTime<Utc>>,
    /// The contact it is about, by its global id.
    pub contact_id: Option<ID>,
    /// The company it is about, by its global id.
    pub company_id: Option<ID>,
    /// The deal it is about, by its global id.
    pub deal_id: Option<ID>,
    /// The ticket it is about, by its global id.
    pub ticket_id: Option<ID>,
    /// Who should do it (tasks); a member of the workspace.
    pub assignee_id: Option<ID>,
    /// Its ids in other systems.
    pub external_ids: Option<Vec<ExternalIdInput>>,
}

impl CreateActivityInput {
    /// The core's new activity (`createActivity`, `createActivities`).
    pub fn into_new(self) -> ApiResult<NewActivity> {
        let id = |id: Option<ID>, kind, field| ids::decode_opt(id.as_ref(), kind, field);
        Ok(NewActivity {
            kind: self.kind,
            subject: self.subject,
            body: self.body,
            occurred_at: self.occurred_at,
            due_at: self.due_at,
            contact_id: id(self.contact_id, Kind::Contact, "input.contactId")?,
            company_id: id(self.company_id, Kind::Company, "input.companyId")?,
            deal_id: id(self.deal_id, Kind::Deal, "input.dealId")?,
            ticket_id: id(self.ticket_id, Kind::Ticket, "input.ticketId")?,
            assignee_id: id(self.assignee_id, Kind::Member, "input.assigneeId")?,
            external_ids: external_id::given(self.external_ids),
        })
    }
}

/// Changes to an activity; omitted fields stay, `null` clears. It must stay
/// attached to at least one record.
#[derive(InputObject, Default)]
pub struct UpdateActivityInput {
    /// Changing a completed task into another kind clears `completedAt`.
    pub kind: Option<ActivityKind>,
    /// A one-line summary. Left as it is when omitted.
    pub subject: Option<String>,
    /// The full text: the note, the call summary, the email. Left as it is when omitted.
    pub body: MaybeUndefined<String>,
    /// When it happened (or is planned to). Left as it is when omitted.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When a task is due. Left as it is when omitted.
    pub due_at: MaybeUndefined<DateTime<Utc>>,
    /// The contact it is about, by its global id. Left as it is when omitted.
    pub contact_id: MaybeUndefined<ID>,
    /// The company it is about, by its global id. Left as it is when omitted.
    pub company_id: MaybeUndefined<ID>,
    /// The deal it is about, by its global id. Left as it is when omitted.
    pub deal_id: MaybeUndefined<ID>,
    /// The ticket it is about, by its global id. Left as it is when omitted.
    pub ticket_id: MaybeUndefined<ID>,
    /// Who should do it (tasks), by its global id. Left as it is when omitted.
    pub assignee_id: MaybeUndefined<ID>,
}

/// The result of an activity mutation.
#[derive(SimpleObject)]
pub struct ActivityPayload {
    /// The activity after the change.
    pub activity: Activity,
}

impl ActivityPayload {
    /// The payload of an activity mutation's resulting row.
    pub fn of(row: entity::activity::Model) -> Self {
        Self {
            activity: Activity(Level::single(row)),
        }
    }
}

/// Activity mutations.
#[derive(Default)]
pub struct ActivityMutation;

#[connections]
#[Object]
impl ActivityMutation {
    /// Records an activity, authored by the caller.
    async fn create_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateActivityInput,
    ) -> ApiResult<ActivityPayload> {
        let (core, actor) = acting(ctx, Area::Activities)?;
        let new = input.into_new()?;
        Ok(ActivityPayload::of(
            activity::create(core, actor, new).await?,
        ))
    }

    /// Changes an activity. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateActivityInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<ActivityPayload> {
        let (core, actor) = acting(ctx, Area::Activities)?;
        let id = ids::decode(&id, Kind::Activity, "id")?;
        let changes = ActivityChanges {
            kind: input.kind,
            subject: input.subject,
            body: patch(input.body),
            occurred_at: input.occurred_at,
            due_at: patch(input.due_at),
            contact_id: patch_id(input.contact_id, Kind::Contact, "input.contactId")?,
            company_id: patch_id(input.company_id, Kind::Company, "input.companyId")?,
            deal_id: patch_id(input.deal_id, Kind::Deal, "input.dealId")?,
            ticket_id: patch_id(input.ticket_id, Kind::Ticket, "input.ticketId")?,
            assignee_id: patch_id(input.assignee_id, Kind::Member, "input.assigneeId")?,
        };
        let row = activity::update(core, actor, id, changes, expected_version).await?;
        Ok(ActivityPayload::of(row))
    }

    /// Marks a task done. Completing a completed task changes nothing.
    async fn complete_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task, by global id.")] id: ID,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<ActivityPayload> {
        let (core, actor) = acting(ctx, Area::Activities)?;
        let id = ids::decode(&id, Kind::Activity, "id")?;
        let row = activity::complete_task(core, actor, id, expected_version).await?;
        Ok(ActivityPayload::of(row))
    }

    /// Soft-deletes an activity: lists skip it, `restoreActivity` brings it back.
    lifecycle!(delete_activity: ActivityPayload, Activities, Activity, activity::delete, true);

    /// Restores a deleted activity.
    lifecycle!(restore_activity: ActivityPayload, Activities, Activity, activity::delete, false);
}
