//! Support tickets: numbered per workspace, moving OPEN → PENDING → RESOLVED → CLOSED.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::{TaggableType, TicketPriority, TicketStatus};
use entity::ticket;
use rapport_core::error::CoreError;
use rapport_macros::connections;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::activity::{Activity, ActivityFilter, ActivityOrderField};
use super::company::Company;
use super::contact::Contact;
use super::context::writer;
use super::deal::Deal;
use super::error::{ApiError, ApiResult};
use super::filter::{
    DateTimeFilter, EnumFilter, IdFilter, IntFilter, RecordFilter, StringFilter, TagFilter, col,
    record_filter_composition,
};
use super::ids::{self, Kind};
use super::level::{Conn, Level, Row};
use super::list::{self, Record};
use super::member::Member;
use super::order::{Ordering, sort_keys};
use super::page::{KeyType, PageArgs, SortKey};
use super::tag::{Tag, tags_of};
use super::write::{
    self, begin, check_reference, check_version, commit, event_for, expect_one_row, load_any,
    load_live, now,
};
use crate::auth::{Actor, Area};
use crate::domain::text;

mod create;

/// Longest subject, as the column allows.
const SUBJECT_MAX: usize = 300;
/// Longest category, as the column allows.
const CATEGORY_MAX: usize = 100;
/// Longest description; the column is unbounded, but a ticket is not a document store.
const DESCRIPTION_MAX: usize = 50_000;

/// A support request.
pub struct Ticket(pub Row<ticket::Model>);

impl Record for Ticket {
    type Entity = ticket::Entity;
    type Model = ticket::Model;
    fn wrap(row: Row<ticket::Model>) -> Self {
        Self(row)
    }
}

/// Fields tickets can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketOrderField {
    /// The ticket number (creation order within the workspace).
    Number,
    OpenedAt,
    /// Unresolved tickets come last.
    ResolvedAt,
    CreatedAt,
    UpdatedAt,
}

impl TicketOrderField {
    fn key(self) -> SortKey {
        let (column, ty, nullable) = match self {
            Self::Number => ("number", KeyType::BigInt, false),
            Self::OpenedAt => ("opened_at", KeyType::Timestamp, false),
            Self::ResolvedAt => ("resolved_at", KeyType::Timestamp, true),
            Self::CreatedAt => ("created_at", KeyType::Timestamp, false),
            Self::UpdatedAt => ("updated_at", KeyType::Timestamp, false),
        };
        SortKey {
            table: "ticket",
            column,
            ty,
            nullable,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: by number).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(
            order_by,
            "ticket",
            Self::key,
            &[Self::Number.key(), SortKey::id("ticket")],
        )
    }
}

/// Which tickets to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TicketFilter {
    pub and: Option<Vec<TicketFilter>>,
    pub or: Option<Vec<TicketFilter>>,
    pub not: Option<Box<TicketFilter>>,
    pub id: Option<IdFilter>,
    pub number: Option<IntFilter>,
    pub subject: Option<StringFilter>,
    pub status: Option<EnumFilter<TicketStatus>>,
    pub priority: Option<EnumFilter<TicketPriority>>,
    pub category: Option<StringFilter>,
    pub contact_id: Option<IdFilter>,
    pub company_id: Option<IdFilter>,
    pub deal_id: Option<IdFilter>,
    pub assignee_id: Option<IdFilter>,
    pub opened_at: Option<DateTimeFilter>,
    pub resolved_at: Option<DateTimeFilter>,
    pub created_at: Option<DateTimeFilter>,
    pub updated_at: Option<DateTimeFilter>,
    pub tags: Option<TagFilter>,
}

impl RecordFilter for TicketFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("ticket", name);
        let mut all = Condition::all();
        for (filter, column) in [(&self.subject, "subject"), (&self.category, "category")] {
            if let Some(f) = filter {
                all = all.add(f.condition(c(column), backend));
            }
        }
        let references = [
            (&self.id, "id", Kind::Ticket, "filter.id"),
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
        if let Some(f) = &self.number {
            all = all.add(f.condition(c("number")));
        }
        if let Some(f) = &self.status {
            all = all.add(f.condition(c("status")));
        }
        if let Some(f) = &self.priority {
            all = all.add(f.condition(c("priority")));
        }
        let times = [
            (&self.opened_at, "opened_at"),
            (&self.resolved_at, "resolved_at"),
            (&self.created_at, "created_at"),
            (&self.updated_at, "updated_at"),
        ];
        for (filter, column) in times {
            if let Some(f) = filter {
                all = all.add(f.condition(c(column)));
            }
        }
        if let Some(f) = &self.tags {
            all = all.add(f.condition(workspace_id, TaggableType::Ticket, c("id")));
        }
        Ok(all)
    }
    record_filter_composition!();
}

/// A support request: what the customer needs and where it stands.
#[connections]
#[connections]
#[Object]
impl Ticket {
    /// Survey answers about this ticket, newest first.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn survey_responses(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<crate::graphql::survey::SurveyResponseFilter>,
        order_by: Option<
            Vec<crate::graphql::order::Ordering<crate::graphql::survey::SurveyResponseOrderField>>,
        >,
    ) -> ApiResult<Conn<crate::graphql::survey::SurveyResponse>> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        crate::graphql::survey::responses_of(
            ctx,
            &self.0,
            "surveyResponses",
            |m: &ticket::Model| m.id,
            "ticket_id",
            page,
            filter,
            order_by,
        )
        .await
    }
    /// Who changed it, when and how, newest first (ADMIN and MANAGER).
    #[graphql(complexity = "crate::graphql::page::cost(first, None, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<
        async_graphql::connection::Connection<
            String,
            crate::graphql::history::HistoryEntry,
            async_graphql::connection::EmptyFields,
            async_graphql::connection::EmptyFields,
        >,
    > {
        crate::graphql::history::history(
            ctx,
            crate::graphql::ids::Kind::Ticket,
            self.0.model().id,
            first,
            after,
        )
        .await
    }
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Ticket, self.0.model().id)
    }
    /// 1, 2, 3… within the workspace, for people to quote ("ticket #42").
    async fn number(&self) -> i64 {
        self.0.model().number
    }
    /// A one-line summary.
    async fn subject(&self) -> &str {
        &self.0.model().subject
    }
    /// The full request.
    async fn description(&self) -> Option<&str> {
        self.0.model().description.as_deref()
    }
    /// Where the ticket is in its life.
    async fn status(&self) -> TicketStatus {
        self.0.model().status
    }
    /// How urgent it is.
    async fn priority(&self) -> TicketPriority {
        self.0.model().priority
    }
    /// A free-form category, e.g. "billing".
    async fn category(&self) -> Option<&str> {
        self.0.model().category.as_deref()
    }
    /// When it was opened.
    async fn opened_at(&self) -> DateTime<Utc> {
        self.0.model().opened_at
    }
    /// When support first responded: the first time the status left OPEN.
    async fn first_response_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().first_response_at
    }
    /// When it was last resolved (or closed without being resolved first); cleared when reopened.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().resolved_at
    }
    /// When it was closed.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().closed_at
    }
    /// Seconds from `openedAt` to `resolvedAt`; null while unresolved.
    async fn resolution_time_seconds(&self) -> Option<i64> {
        let m = self.0.model();
        m.resolved_at
            .map(|resolved| (resolved - m.opened_at).num_seconds())
    }
    /// Incremented by every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.model().version
    }
    /// Set while the ticket is deleted (it can be restored).
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().deleted_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.model().updated_at
    }
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

/// A new ticket. It starts OPEN.
#[derive(InputObject)]
pub struct CreateTicketInput {
    pub subject: String,
    pub description: Option<String>,
    #[graphql(default_with = "TicketPriority::Normal")]
    pub priority: TicketPriority,
    pub category: Option<String>,
    /// Without `companyId`, the ticket is for the contact's company.
    pub contact_id: Option<ID>,
    /// Must be the contact's company when the contact has one.
    pub company_id: Option<ID>,
    pub deal_id: Option<ID>,
    pub assignee_id: Option<ID>,
}

/// Changes to a ticket; omitted fields stay, `null` clears. Status and
/// assignee change through `setTicketStatus` and `assignTicket`.
#[derive(InputObject, Default)]
pub struct UpdateTicketInput {
    pub subject: Option<String>,
    pub description: MaybeUndefined<String>,
    pub priority: Option<TicketPriority>,
    pub category: MaybeUndefined<String>,
    /// A new contact without `companyId` also moves the ticket to the contact's company, if it has one.
    pub contact_id: MaybeUndefined<ID>,
    pub company_id: MaybeUndefined<ID>,
    pub deal_id: MaybeUndefined<ID>,
}

/// The result of a ticket mutation.
#[derive(SimpleObject)]
pub struct TicketPayload {
    /// The ticket after the change.
    pub ticket: Ticket,
}

impl TicketPayload {
    fn of(row: ticket::Model) -> Self {
        Self {
            ticket: Ticket(Level::single(row)),
        }
    }
}

/// Decodes and checks a nullable reference of an update: `Undefined` keeps
/// `current`, `Null` clears, a value must be a live record of the workspace.
pub(super) async fn changed_reference<R: Record>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    change: MaybeUndefined<ID>,
    current: Option<Uuid>,
    field: &str,
) -> ApiResult<Option<Uuid>> {
    match change {
        MaybeUndefined::Undefined => Ok(current),
        MaybeUndefined::Null => Ok(None),
        MaybeUndefined::Value(id) => {
            let id = ids::decode(&id, R::KIND, field)?;
            check_reference::<R>(txn, actor, Some(id), field).await?;
            Ok(Some(id))
        }
    }
}

/// The contact and company a ticket ends up with, checked against each other.
/// Only a change to either is checked, so that a contact who later moved to
/// another company does not block unrelated edits.
async fn parties(
    txn: &DatabaseTransaction,
    actor: &Actor,
    contact: MaybeUndefined<ID>,
    company: MaybeUndefined<ID>,
    current: (Option<Uuid>, Option<Uuid>),
) -> ApiResult<(Option<Uuid>, Option<Uuid>)> {
    if contact.is_undefined() && company.is_undefined() {
        return Ok(current);
    }
    let contact_row = match &contact {
        MaybeUndefined::Value(id) => {
            let id = ids::decode(id, Kind::Contact, "input.contactId")?;
            check_reference::<Contact>(txn, actor, Some(id), "input.contactId").await?
        }
        MaybeUndefined::Null => None,
        // The current contact may be deleted since; then there is nothing to match.
        MaybeUndefined::Undefined => match current.0 {
            Some(id) => match load_any::<Contact>(txn, actor, id).await {
                Ok(row) => Some(row),
                Err(ApiError(CoreError::NotFound(_))) => None,
                Err(e) => return Err(e),
            },
            None => None,
        },
    };
    let contact_company = contact_row.as_ref().and_then(|c| c.company_id);
    let company_id = match company {
        MaybeUndefined::Undefined if contact.is_value() => contact_company.or(current.1),
        company => {
            changed_reference::<Company>(txn, actor, company, current.1, "input.companyId").await?
        }
    };
    if let (Some(works_for), Some(company_id)) = (contact_company, company_id)
        && works_for != company_id
    {
        return Err(ApiError::bad_input(
            "input.companyId",
            "the contact works for another company",
        ));
    }
    Ok((contact_row.map(|c| c.id), company_id))
}

/// The next ticket number of the workspace. The UPDATE locks the workspace
/// row until the transaction ends, which serialises concurrent creators, so
/// numbers are never handed out twice and a rolled-back create leaves no gap.
async fn next_number(txn: &DatabaseTransaction, workspace_id: Uuid) -> ApiResult<i64> {
    let stmt = Query::update()
        .table("workspace")
        .value("ticket_seq", Expr::col("ticket_seq").add(1))
        .and_where(Expr::col("id").eq(workspace_id))
        .returning_col("ticket_seq")
        .to_owned();
    let row = txn
        .query_one(&stmt)
        .await?
        .ok_or_else(|| CoreError::Internal("the actor's workspace is missing".into()))?;
    Ok(row.try_get::<i64>("", "ticket_seq")?)
}

/// Writes `model` over `current` only if nobody changed it meanwhile, and reads it back.
async fn guarded_update(
    txn: &DatabaseTransaction,
    actor: &Actor,
    current: &ticket::Model,
    mut model: ticket::ActiveModel,
) -> ApiResult<ticket::Model> {
    model.version = Set(current.version + 1);
    model.updated_at = Set(now());
    let rows = ticket::Entity::update_many()
        .set(model)
        .filter(col("ticket", "id").eq(current.id))
        .filter(col("ticket", "version").eq(current.version))
        .exec(txn)
        .await?
        .rows_affected;
    expect_one_row(rows)?;
    load_live::<Ticket>(txn, actor, current.id).await
}

/// A live ticket by global id in a new transaction, refused (`CONFLICT`)
/// unless it is at `expected_version` when that is given.
async fn load_for_change(
    ctx: &Context<'_>,
    actor: &Actor,
    id: &ID,
    expected_version: Option<i32>,
) -> ApiResult<(DatabaseTransaction, ticket::Model)> {
    let id = ids::decode(id, Kind::Ticket, "id")?;
    let txn = begin(ctx).await?;
    let current = load_live::<Ticket>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    Ok((txn, current))
}

/// Commits the change to `row` with its `ticket.<verb>` event.
async fn finish(
    ctx: &Context<'_>,
    txn: DatabaseTransaction,
    actor: &Actor,
    row: ticket::Model,
    verb: &str,
) -> ApiResult<TicketPayload> {
    let event = event_for::<Ticket>(&row, verb)?;
    commit(ctx, txn, actor, vec![event]).await?;
    Ok(TicketPayload::of(row))
}

/// A nullable text of an update: `Undefined` keeps `current`, `Null` clears,
/// a value is checked like on create.
pub(super) fn edited_text(
    change: MaybeUndefined<String>,
    current: &Option<String>,
    max: usize,
    field: &str,
) -> ApiResult<Option<String>> {
    let mut value = current.clone();
    change.update_to(&mut value);
    text::optional_text(value.as_deref(), max).map_err(ApiError::invalid(field))
}

/// The timestamps a status change sets. `firstResponseAt` is set the first
/// time the status leaves OPEN; closing an unresolved ticket also resolves it,
/// so that every closed ticket has a resolution time.
fn status_change(
    current: &ticket::Model,
    status: TicketStatus,
    at: DateTime<Utc>,
) -> ApiResult<ticket::ActiveModel> {
    if current.status == TicketStatus::Closed {
        return Err(ApiError::bad_input(
            "status",
            "a closed ticket cannot change status: open a new ticket",
        ));
    }
    let mut model = ticket::ActiveModel {
        status: Set(status),
        ..Default::default()
    };
    if current.first_response_at.is_none() && status != TicketStatus::Open {
        model.first_response_at = Set(Some(at));
    }
    match status {
        TicketStatus::Open | TicketStatus::Pending => model.resolved_at = Set(None),
        TicketStatus::Resolved => model.resolved_at = Set(Some(at)),
        TicketStatus::Closed => {
            model.resolved_at = Set(Some(current.resolved_at.unwrap_or(at)));
            model.closed_at = Set(Some(at));
        }
    }
    Ok(model)
}

/// Ticket mutations.
#[derive(Default)]
pub struct TicketMutation;

#[Object]
impl TicketMutation {
    /// Opens a ticket with the workspace's next number.
    async fn create_ticket(
        &self,
        ctx: &Context<'_>,
        input: CreateTicketInput,
    ) -> ApiResult<TicketPayload> {
        let actor = writer(ctx, Area::Tickets)?;
        create::create(ctx, actor, input).await
    }

    /// Changes a ticket. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateTicketInput,
        expected_version: Option<i32>,
    ) -> ApiResult<TicketPayload> {
        let actor = writer(ctx, Area::Tickets)?;
        let (txn, current) = load_for_change(ctx, actor, &id, expected_version).await?;
        let subject = match &input.subject {
            Some(subject) => text::required_name(subject, SUBJECT_MAX)
                .map_err(ApiError::invalid("input.subject"))?,
            None => current.subject.clone(),
        };
        let description = edited_text(
            input.description,
            &current.description,
            DESCRIPTION_MAX,
            "input.description",
        )?;
        let category = edited_text(
            input.category,
            &current.category,
            CATEGORY_MAX,
            "input.category",
        )?;
        let current_parties = (current.contact_id, current.company_id);
        let (contact_id, company_id) = parties(
            &txn,
            actor,
            input.contact_id,
            input.company_id,
            current_parties,
        )
        .await?;
        let deal_id =
            changed_reference::<Deal>(&txn, actor, input.deal_id, current.deal_id, "input.dealId")
                .await?;
        let model = ticket::ActiveModel {
            subject: Set(subject),
            description: Set(description),
            priority: Set(input.priority.unwrap_or(current.priority)),
            category: Set(category),
            contact_id: Set(contact_id),
            company_id: Set(company_id),
            deal_id: Set(deal_id),
            ..Default::default()
        };
        let row = guarded_update(&txn, actor, &current, model).await?;
        finish(ctx, txn, actor, row, "updated").await
    }

    /// Gives a ticket to a member, or unassigns it with `assigneeId: null`.
    async fn assign_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        assignee_id: Option<ID>,
        expected_version: Option<i32>,
    ) -> ApiResult<TicketPayload> {
        let actor = writer(ctx, Area::Tickets)?;
        let assignee_id = ids::decode_opt(assignee_id.as_ref(), Kind::Member, "assigneeId")?;
        let (txn, current) = load_for_change(ctx, actor, &id, expected_version).await?;
        check_reference::<Member>(&txn, actor, assignee_id, "assigneeId").await?;
        let model = ticket::ActiveModel {
            assignee_id: Set(assignee_id),
            ..Default::default()
        };
        let row = guarded_update(&txn, actor, &current, model).await?;
        finish(ctx, txn, actor, row, "assigned").await
    }

    /// Moves a ticket to `status`. RESOLVED sets `resolvedAt`; OPEN and
    /// PENDING reopen it (clearing `resolvedAt`); CLOSED is final. Setting
    /// the current status again changes nothing.
    async fn set_ticket_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: TicketStatus,
        expected_version: Option<i32>,
    ) -> ApiResult<TicketPayload> {
        let actor = writer(ctx, Area::Tickets)?;
        let (txn, current) = load_for_change(ctx, actor, &id, expected_version).await?;
        if current.status == status {
            return Ok(TicketPayload::of(current));
        }
        let model = status_change(&current, status, now())?;
        let row = guarded_update(&txn, actor, &current, model).await?;
        let verb = match status {
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
            TicketStatus::Open | TicketStatus::Pending => "status_changed",
        };
        finish(ctx, txn, actor, row, verb).await
    }

    /// Soft-deletes a ticket: lists skip it, `restoreTicket` brings it back.
    async fn delete_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<TicketPayload> {
        let actor = writer(ctx, Area::Tickets)?;
        let ticket = write::delete_or_restore(ctx, actor, &id, expected_version, true).await?;
        Ok(TicketPayload { ticket })
    }

    /// Restores a deleted ticket.
    async fn restore_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<TicketPayload> {
        let actor = writer(ctx, Area::Tickets)?;
        let ticket = write::delete_or_restore(ctx, actor, &id, expected_version, false).await?;
        Ok(TicketPayload { ticket })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(status: TicketStatus) -> ticket::Model {
        let at = now();
        ticket::Model {
            id: Uuid::now_v7(),
            workspace_id: Uuid::now_v7(),
            number: 1,
            subject: "Printer on fire".into(),
            description: None,
            status,
            priority: TicketPriority::Normal,
            category: None,
            contact_id: None,
            company_id: None,
            deal_id: None,
            assignee_id: None,
            opened_at: at,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            version: 1,
            deleted_at: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn leaving_open_records_the_first_response_once() {
        let at = now();
        let model = status_change(&ticket(TicketStatus::Open), TicketStatus::Pending, at).unwrap();
        assert_eq!(model.first_response_at, Set(Some(at)));
        let mut answered = ticket(TicketStatus::Pending);
        answered.first_response_at = Some(at);
        let model = status_change(&answered, TicketStatus::Resolved, now()).unwrap();
        assert!(model.first_response_at.is_not_set());
        assert!(matches!(
            model.resolved_at,
            sea_orm::ActiveValue::Set(Some(_))
        ));
    }

    #[test]
    fn reopening_clears_the_resolution_and_closing_is_final() {
        let mut resolved = ticket(TicketStatus::Resolved);
        resolved.resolved_at = Some(now());
        assert_eq!(
            status_change(&resolved, TicketStatus::Open, now())
                .unwrap()
                .resolved_at,
            Set(None)
        );
        assert!(status_change(&ticket(TicketStatus::Closed), TicketStatus::Open, now()).is_err());
    }
}
