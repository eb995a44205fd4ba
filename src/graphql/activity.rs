//! Activities: the timeline of notes, calls, emails, meetings and tasks
//! attached to contacts, companies, deals and tickets.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, SubsecRound, Utc};
use entity::activity;
use entity::enums::ActivityKind;
use rapport_macros::connections;
use sea_orm::sea_query::{Condition, ExprTrait};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::company::Company;
use super::contact::Contact;
use super::context::writer;
use super::deal::Deal;
use super::error::{ApiError, ApiResult};
use super::filter::{
    DateTimeFilter, EnumFilter, IdFilter, RecordFilter, StringFilter, col,
    record_filter_composition,
};
use super::ids::{self, Kind};
use super::level::{Level, Row};
use super::list::{self, Record};
use super::member::Member;
use super::order::{Ordering, newest_first};
use super::page::{KeyType, SortKey};
use super::ticket::{Ticket, changed_reference, edited_text};
use super::write::{self, begin, check_version, commit, event_for, expect_one_row, load_live, now};
use crate::auth::{Actor, Area};
use crate::domain::text;

/// Longest subject, as the column allows.
const SUBJECT_MAX: usize = 300;
/// Longest body; the column is unbounded, but long email threads should still fit.
const BODY_MAX: usize = 100_000;

/// A timeline entry.
pub struct Activity(pub Row<activity::Model>);

impl Record for Activity {
    type Entity = activity::Entity;
    type Model = activity::Model;
    fn wrap(row: Row<activity::Model>) -> Self {
        Self(row)
    }
}

/// Fields activities can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityOrderField {
    OccurredAt,
    /// Activities without a due date come last.
    DueAt,
    CreatedAt,
}

impl ActivityOrderField {
    fn key(self) -> SortKey {
        let (column, ty, nullable) = match self {
            Self::OccurredAt => ("occurred_at", KeyType::Timestamp, false),
            Self::DueAt => ("due_at", KeyType::Timestamp, true),
            Self::CreatedAt => ("created_at", KeyType::Timestamp, false),
        };
        SortKey {
            table: "activity",
            column,
            ty,
            nullable,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: newest first, as timelines read).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        newest_first(order_by, "activity", Self::key, Self::OccurredAt)
    }
}

/// Which activities to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ActivityFilter {
    pub and: Option<Vec<ActivityFilter>>,
    pub or: Option<Vec<ActivityFilter>>,
    pub not: Option<Box<ActivityFilter>>,
    pub id: Option<IdFilter>,
    pub kind: Option<EnumFilter<ActivityKind>>,
    pub subject: Option<StringFilter>,
    pub contact_id: Option<IdFilter>,
    pub company_id: Option<IdFilter>,
    pub deal_id: Option<IdFilter>,
    pub ticket_id: Option<IdFilter>,
    pub author_id: Option<IdFilter>,
    pub assignee_id: Option<IdFilter>,
    pub occurred_at: Option<DateTimeFilter>,
    pub due_at: Option<DateTimeFilter>,
    /// `{isNull: true}` with `kind: {eq: TASK}` lists open tasks.
    pub completed_at: Option<DateTimeFilter>,
}

impl RecordFilter for ActivityFilter {
    fn fields(&self, _workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("activity", name);
        let mut all = Condition::all();
        let references = [
            (&self.id, "id", Kind::Activity, "filter.id"),
            (
                &self.contact_id,
                "contact_id",
                Kind::Contact,
                "filter.contactId",
            ),
            (
                &self.company_id,
                "company_id",
                Kind::Company,
                "filter.companyId",
            ),
            (&self.deal_id, "deal_id", Kind::Deal, "filter.dealId"),
            (
                &self.ticket_id,
                "ticket_id",
                Kind::Ticket,
                "filter.ticketId",
            ),
            (
                &self.author_id,
                "author_id",
                Kind::Member,
                "filter.authorId",
            ),
            (
                &self.assignee_id,
                "assignee_id",
                Kind::Member,
                "filter.assigneeId",
            ),
        ];
        for (filter, column, kind, field) in references {
            if let Some(f) = filter {
                all = all.add(f.condition(c(column), kind, field)?);
            }
        }
        if let Some(f) = &self.kind {
            all = all.add(f.condition(c("kind")));
        }
        if let Some(f) = &self.subject {
            all = all.add(f.condition(c("subject"), backend));
        }
        for (filter, column) in [
            (&self.occurred_at, "occurred_at"),
            (&self.due_at, "due_at"),
            (&self.completed_at, "completed_at"),
        ] {
            if let Some(f) = filter {
                all = all.add(f.condition(c(column)));
            }
        }
        Ok(all)
    }
    record_filter_composition!();
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

/// A new activity, attached to at least one contact, company, deal or ticket.
#[derive(InputObject)]
pub struct CreateActivityInput {
    pub kind: ActivityKind,
    pub subject: String,
    pub body: Option<String>,
    /// Defaults to now.
    pub occurred_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub contact_id: Option<ID>,
    pub company_id: Option<ID>,
    pub deal_id: Option<ID>,
    pub ticket_id: Option<ID>,
    /// Who should do it (tasks); a member of the workspace.
    pub assignee_id: Option<ID>,
}

/// Changes to an activity; omitted fields stay, `null` clears. It must stay
/// attached to at least one record.
#[derive(InputObject, Default)]
pub struct UpdateActivityInput {
    /// Changing a completed task into another kind clears `completedAt`.
    pub kind: Option<ActivityKind>,
    pub subject: Option<String>,
    pub body: MaybeUndefined<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub due_at: MaybeUndefined<DateTime<Utc>>,
    pub contact_id: MaybeUndefined<ID>,
    pub company_id: MaybeUndefined<ID>,
    pub deal_id: MaybeUndefined<ID>,
    pub ticket_id: MaybeUndefined<ID>,
    pub assignee_id: MaybeUndefined<ID>,
}

/// The result of an activity mutation.
#[derive(SimpleObject)]
pub struct ActivityPayload {
    /// The activity after the change.
    pub activity: Activity,
}

/// The records an activity is attached to.
struct Attachments {
    contact_id: Option<Uuid>,
    company_id: Option<Uuid>,
    deal_id: Option<Uuid>,
    ticket_id: Option<Uuid>,
}

/// Checks every changed reference, and that at least one remains.
async fn attachments(
    txn: &DatabaseTransaction,
    actor: &Actor,
    contact: MaybeUndefined<ID>,
    company: MaybeUndefined<ID>,
    deal: MaybeUndefined<ID>,
    ticket: MaybeUndefined<ID>,
    current: Attachments,
) -> ApiResult<Attachments> {
    let attached = Attachments {
        contact_id: changed_reference::<Contact>(
            txn,
            actor,
            contact,
            current.contact_id,
            "input.contactId",
        )
        .await?,
        company_id: changed_reference::<Company>(
            txn,
            actor,
            company,
            current.company_id,
            "input.companyId",
        )
        .await?,
        deal_id: changed_reference::<Deal>(txn, actor, deal, current.deal_id, "input.dealId")
            .await?,
        ticket_id: changed_reference::<Ticket>(
            txn,
            actor,
            ticket,
            current.ticket_id,
            "input.ticketId",
        )
        .await?,
    };
    if attached.contact_id.is_none()
        && attached.company_id.is_none()
        && attached.deal_id.is_none()
        && attached.ticket_id.is_none()
    {
        return Err(ApiError::bad_input(
            "input",
            "attach the activity to a contact, company, deal or ticket",
        ));
    }
    Ok(attached)
}

/// A client's time at the precision the databases keep, so it reads back equal.
fn stored(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// Writes `model` over `current` only if nobody changed it meanwhile, and reads it back.
async fn guarded_update(
    txn: &DatabaseTransaction,
    actor: &Actor,
    current: &activity::Model,
    mut model: activity::ActiveModel,
) -> ApiResult<activity::Model> {
    model.version = Set(current.version + 1);
    model.updated_at = Set(now());
    let rows = activity::Entity::update_many()
        .set(model)
        .filter(col("activity", "id").eq(current.id))
        .filter(col("activity", "version").eq(current.version))
        .exec(txn)
        .await?
        .rows_affected;
    expect_one_row(rows)?;
    load_live::<Activity>(txn, actor, current.id).await
}

/// Activity mutations.
#[derive(Default)]
pub struct ActivityMutation;

#[Object]
impl ActivityMutation {
    /// Records an activity, authored by the caller.
    async fn create_activity(
        &self,
        ctx: &Context<'_>,
        input: CreateActivityInput,
    ) -> ApiResult<ActivityPayload> {
        let actor = writer(ctx, Area::Activities)?;
        let subject = text::required_name(&input.subject, SUBJECT_MAX)
            .map_err(ApiError::invalid("input.subject"))?;
        let body = text::optional_text(input.body.as_deref(), BODY_MAX)
            .map_err(ApiError::invalid("input.body"))?;
        let given = |id: Option<ID>| id.map_or(MaybeUndefined::Undefined, MaybeUndefined::Value);
        let none = Attachments {
            contact_id: None,
            company_id: None,
            deal_id: None,
            ticket_id: None,
        };
        let txn = begin(ctx).await?;
        let attached = attachments(
            &txn,
            actor,
            given(input.contact_id),
            given(input.company_id),
            given(input.deal_id),
            given(input.ticket_id),
            none,
        )
        .await?;
        let assignee_id =
            ids::decode_opt(input.assignee_id.as_ref(), Kind::Member, "input.assigneeId")?;
        super::write::check_reference::<Member>(&txn, actor, assignee_id, "input.assigneeId")
            .await?;
        let at = now();
        let row = activity::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            kind: Set(input.kind),
            subject: Set(subject),
            body: Set(body),
            occurred_at: Set(input.occurred_at.map_or(at, stored)),
            due_at: Set(input.due_at.map(stored)),
            completed_at: Set(None),
            contact_id: Set(attached.contact_id),
            company_id: Set(attached.company_id),
            deal_id: Set(attached.deal_id),
            ticket_id: Set(attached.ticket_id),
            author_id: Set(Some(actor.member_id)),
            assignee_id: Set(assignee_id),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        let event = event_for::<Activity>(&row, "created")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(ActivityPayload {
            activity: Activity(Level::single(row)),
        })
    }

    /// Changes an activity. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateActivityInput,
        expected_version: Option<i32>,
    ) -> ApiResult<ActivityPayload> {
        let actor = writer(ctx, Area::Activities)?;
        let id = ids::decode(&id, Kind::Activity, "id")?;
        let txn = begin(ctx).await?;
        let current = load_live::<Activity>(&txn, actor, id).await?;
        check_version(expected_version, current.version)?;
        let subject = match &input.subject {
            Some(subject) => text::required_name(subject, SUBJECT_MAX)
                .map_err(ApiError::invalid("input.subject"))?,
            None => current.subject.clone(),
        };
        let body = edited_text(input.body, &current.body, BODY_MAX, "input.body")?;
        let kind = input.kind.unwrap_or(current.kind);
        let mut due_at = current.due_at;
        input.due_at.update_to(&mut due_at);
        let currently = Attachments {
            contact_id: current.contact_id,
            company_id: current.company_id,
            deal_id: current.deal_id,
            ticket_id: current.ticket_id,
        };
        let attached = attachments(
            &txn,
            actor,
            input.contact_id,
            input.company_id,
            input.deal_id,
            input.ticket_id,
            currently,
        )
        .await?;
        let assignee_id = match input.assignee_id {
            MaybeUndefined::Undefined => current.assignee_id,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(id) => {
                let id = ids::decode(&id, Kind::Member, "input.assigneeId")?;
                super::write::check_reference::<Member>(&txn, actor, Some(id), "input.assigneeId")
                    .await?;
                Some(id)
            }
        };
        let model = activity::ActiveModel {
            assignee_id: Set(assignee_id),
            kind: Set(kind),
            subject: Set(subject),
            body: Set(body),
            occurred_at: Set(input.occurred_at.map_or(current.occurred_at, stored)),
            due_at: Set(due_at.map(stored)),
            // Only tasks are completed; another kind has nothing to complete.
            completed_at: Set(current.completed_at.filter(|_| kind == ActivityKind::Task)),
            contact_id: Set(attached.contact_id),
            company_id: Set(attached.company_id),
            deal_id: Set(attached.deal_id),
            ticket_id: Set(attached.ticket_id),
            ..Default::default()
        };
        let row = guarded_update(&txn, actor, &current, model).await?;
        let event = event_for::<Activity>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(ActivityPayload {
            activity: Activity(Level::single(row)),
        })
    }

    /// Marks a task done. Completing a completed task changes nothing.
    async fn complete_task(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<ActivityPayload> {
        let actor = writer(ctx, Area::Activities)?;
        let id = ids::decode(&id, Kind::Activity, "id")?;
        let txn = begin(ctx).await?;
        let current = load_live::<Activity>(&txn, actor, id).await?;
        check_version(expected_version, current.version)?;
        if current.kind != ActivityKind::Task {
            return Err(ApiError::bad_input("id", "only a TASK can be completed"));
        }
        if current.completed_at.is_some() {
            return Ok(ActivityPayload {
                activity: Activity(Level::single(current)),
            });
        }
        let model = activity::ActiveModel {
            completed_at: Set(Some(now())),
            ..Default::default()
        };
        let row = guarded_update(&txn, actor, &current, model).await?;
        let event = event_for::<Activity>(&row, "completed")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(ActivityPayload {
            activity: Activity(Level::single(row)),
        })
    }

    /// Soft-deletes an activity: lists skip it, `restoreActivity` brings it back.
    async fn delete_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<ActivityPayload> {
        let actor = writer(ctx, Area::Activities)?;
        let activity = write::delete_or_restore(ctx, actor, &id, expected_version, true).await?;
        Ok(ActivityPayload { activity })
    }

    /// Restores a deleted activity.
    async fn restore_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<ActivityPayload> {
        let actor = writer(ctx, Area::Activities)?;
        let activity = write::delete_or_restore(ctx, actor, &id, expected_version, false).await?;
        Ok(ActivityPayload { activity })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timelines_default_to_newest_first() {
        let keys = ActivityOrderField::keys(None).unwrap();
        assert_eq!(
            keys.iter().map(|k| (k.column, k.desc)).collect::<Vec<_>>(),
            [("occurred_at", true), ("id", true)]
        );
    }

    #[test]
    fn an_explicit_order_ends_with_the_id() {
        let order = [Ordering {
            field: ActivityOrderField::DueAt,
            direction: super::super::order::OrderDirection::Asc,
        }];
        let keys = ActivityOrderField::keys(Some(&order)).unwrap();
        assert_eq!(
            keys.iter().map(|k| k.column).collect::<Vec<_>>(),
            ["due_at", "id"]
        );
        assert!(keys[0].nullable);
    }
}
