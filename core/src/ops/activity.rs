//! Activities: the timeline of notes, calls, emails, meetings and tasks
//! attached to contacts, companies, deals and tickets.

use crate::store::Fresh;
use chrono::{DateTime, SubsecRound, Utc};
use entity::enums::ActivityKind;
use entity::{activity, company, contact, deal, member, ticket};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use uuid::Uuid;

use super::Patch;
use super::external_id::{self, ExternalId};
use super::lifecycle::delete_or_restore;
use crate::Kind;
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::rules::stored_figures::{self, Inputs, Owners};
use crate::store::{
    Core, Table, check_reference, check_version, event_for_new, load_live, now, save_if_unchanged,
};

/// Longest subject, as the column allows.
const SUBJECT_MAX: usize = 300;
/// Longest body; the column is unbounded, but long email threads should still fit.
const BODY_MAX: usize = 100_000;

/// A new activity, attached to at least one contact, company, deal or ticket.
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub kind: ActivityKind,
    pub subject: String,
    pub body: Option<String>,
    /// Defaults to now.
    pub occurred_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    /// Who should do it (tasks); a member of the workspace.
    pub assignee_id: Option<Uuid>,
    /// Its ids in other systems.
    pub external_ids: Vec<ExternalId>,
}

/// Changes to an activity; `None` and `Patch::Keep` fields stay. It must
/// stay attached to at least one record.
#[derive(Debug, Clone, Default)]
pub struct ActivityChanges {
    /// Changing a completed task into another kind clears `completed_at`.
    pub kind: Option<ActivityKind>,
    pub subject: Option<String>,
    pub body: Patch<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub due_at: Patch<DateTime<Utc>>,
    pub contact_id: Patch<Uuid>,
    pub company_id: Patch<Uuid>,
    pub deal_id: Patch<Uuid>,
    pub ticket_id: Patch<Uuid>,
    pub assignee_id: Patch<Uuid>,
}

/// Records an activity, authored by the actor.
pub async fn create(core: &Core, actor: &Actor, new: NewActivity) -> CoreResult<activity::Model> {
    core.alone(actor, async |txn| create_in(txn, actor, new).await)
        .await
}

/// Records an activity in the caller's transaction and returns it with its
/// `activity.created` event, for the caller to commit (bulk writes, imports).
pub async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    new: NewActivity,
) -> CoreResult<(activity::Model, NewEvent)> {
    actor.require(Area::Activities)?;
    let external_ids = external_id::validate(new.external_ids, "input.externalIds")?;
    let subject = text::required_name(&new.subject, SUBJECT_MAX)
        .map_err(CoreError::invalid("input.subject"))?;
    let body = text::optional_text(new.body.as_deref(), BODY_MAX)
        .map_err(CoreError::invalid("input.body"))?;
    let given = |id: Option<Uuid>| id.map_or(Patch::Keep, Patch::Set);
    let attached = Attachments::default()
        .change(
            txn,
            actor,
            [
                given(new.contact_id),
                given(new.company_id),
                given(new.deal_id),
                given(new.ticket_id),
            ],
        )
        .await?;
    check_reference::<member::Entity>(txn, actor, new.assignee_id, "input.assigneeId").await?;
    let at = now();
    let row = activity::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        kind: Set(new.kind),
        subject: Set(subject),
        body: Set(body),
        occurred_at: Set(new.occurred_at.map_or(at, stored)),
        due_at: Set(new.due_at.map(stored)),
        completed_at: Set(None),
        contact_id: Set(attached.contact_id),
        company_id: Set(attached.company_id),
        deal_id: Set(attached.deal_id),
        ticket_id: Set(attached.ticket_id),
        author_id: Set(Some(actor.member_id)),
        assignee_id: Set(new.assignee_id),
        ..Default::default()
    }
    .fresh(at)
    .insert(txn)
    .await?;
    let owners = Owners::of(row.contact_id, row.company_id);
    stored_figures::refresh(txn, actor.workspace_id, &owners, &[Inputs::Touches]).await?;
    let (workspace, field) = (actor.workspace_id, "input.externalIds");
    external_id::attach(
        txn,
        workspace,
        Kind::Activity,
        row.id,
        &external_ids,
        false,
        field,
    )
    .await?;
    let event = event_for_new::<activity::Entity>(&row, "created")?;
    Ok((row, event))
}

/// Changes activity `id`; with `expected_version`, refuses (`CONFLICT`) if
/// it changed since.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: ActivityChanges,
    expected_version: Option<i32>,
) -> CoreResult<activity::Model> {
    actor.require(Area::Activities)?;
    let txn = core.begin().await?;
    let current = load_live::<activity::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let subject = match &changes.subject {
        Some(subject) => text::required_name(subject, SUBJECT_MAX)
            .map_err(CoreError::invalid("input.subject"))?,
        None => current.subject.clone(),
    };
    // The body as it will be is checked like on create.
    let body = text::optional_text(
        changes.body.apply(current.body.clone()).as_deref(),
        BODY_MAX,
    )
    .map_err(CoreError::invalid("input.body"))?;
    let kind = changes.kind.unwrap_or(current.kind);
    let due_at = changes.due_at.apply(current.due_at);
    let attached = Attachments::of(&current)
        .change(
            &txn,
            actor,
            [
                changes.contact_id,
                changes.company_id,
                changes.deal_id,
                changes.ticket_id,
            ],
        )
        .await?;
    let assignee_id = changed::<member::Entity>(
        &txn,
        actor,
        changes.assignee_id,
        current.assignee_id,
        "input.assigneeId",
    )
    .await?;
    let model = activity::ActiveModel {
        assignee_id: Set(assignee_id),
        kind: Set(kind),
        subject: Set(subject),
        body: Set(body),
        occurred_at: Set(changes.occurred_at.map_or(current.occurred_at, stored)),
        due_at: Set(due_at.map(stored)),
        // Only tasks are completed; another kind has nothing to complete.
        completed_at: Set(current.completed_at.filter(|_| kind == ActivityKind::Task)),
        contact_id: Set(attached.contact_id),
        company_id: Set(attached.company_id),
        deal_id: Set(attached.deal_id),
        ticket_id: Set(attached.ticket_id),
        ..Default::default()
    };
    let row = save(&txn, actor, &current, model).await?;
    core.finish::<activity::Entity>(txn, actor, row, "updated")
        .await
}

/// Marks task `id` done. Completing a completed task changes nothing.
pub async fn complete_task(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> CoreResult<activity::Model> {
    actor.require(Area::Activities)?;
    let txn = core.begin().await?;
    let current = load_live::<activity::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    if current.kind != ActivityKind::Task {
        return Err(CoreError::bad_input("id", "only a TASK can be completed"));
    }
    if current.completed_at.is_some() {
        // Nothing to write: the transaction ends unused (dropping it rolls back).
        return Ok(current);
    }
    let model = activity::ActiveModel {
        completed_at: Set(Some(now())),
        ..Default::default()
    };
    let row = save(&txn, actor, &current, model).await?;
    core.finish::<activity::Entity>(txn, actor, row, "completed")
        .await
}

/// Soft-deletes (`delete`) or restores activity `id`.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<activity::Model> {
    delete_or_restore::<activity::Entity>(
        core,
        actor,
        Area::Activities,
        id,
        expected_version,
        delete,
    )
    .await
}

/// The records an activity is attached to.
#[derive(Default)]
struct Attachments {
    contact_id: Option<Uuid>,
    company_id: Option<Uuid>,
    deal_id: Option<Uuid>,
    ticket_id: Option<Uuid>,
}

impl Attachments {
    fn of(row: &activity::Model) -> Self {
        Attachments {
            contact_id: row.contact_id,
            company_id: row.company_id,
            deal_id: row.deal_id,
            ticket_id: row.ticket_id,
        }
    }

    /// Applies the changes (contact, company, deal, ticket), checking every
    /// new reference, and that at least one attachment remains.
    async fn change(
        self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        [contact, company, deal, ticket]: [Patch<Uuid>; 4],
    ) -> CoreResult<Self> {
        let attached = Attachments {
            contact_id: changed::<contact::Entity>(
                txn,
                actor,
                contact,
                self.contact_id,
                "input.contactId",
            )
            .await?,
            company_id: changed::<company::Entity>(
                txn,
                actor,
                company,
                self.company_id,
                "input.companyId",
            )
            .await?,
            deal_id: changed::<deal::Entity>(txn, actor, deal, self.deal_id, "input.dealId")
                .await?,
            ticket_id: changed::<ticket::Entity>(
                txn,
                actor,
                ticket,
                self.ticket_id,
                "input.ticketId",
            )
            .await?,
        };
        if attached.contact_id.is_none()
            && attached.company_id.is_none()
            && attached.deal_id.is_none()
            && attached.ticket_id.is_none()
        {
            return Err(CoreError::bad_input(
                "input",
                "attach the activity to a contact, company, deal or ticket",
            ));
        }
        Ok(attached)
    }
}

/// A nullable reference after `change`; a new one must be a live record of
/// the workspace (the current one is not checked again: it may have been
/// deleted since, which must not block unrelated edits).
async fn changed<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    change: Patch<Uuid>,
    current: Option<Uuid>,
    field: &str,
) -> CoreResult<Option<Uuid>> {
    if let Patch::Set(id) = change {
        check_reference::<T>(txn, actor, Some(id), field).await?;
    }
    Ok(change.apply(current))
}

/// A client's time at the precision the databases keep, so it reads back equal.
fn stored(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// Writes `model` over `current` only if nobody changed it meanwhile, and reads it back.
async fn save(
    txn: &DatabaseTransaction,
    actor: &Actor,
    current: &activity::Model,
    mut model: activity::ActiveModel,
) -> CoreResult<activity::Model> {
    model.version = Set(current.version + 1);
    model.updated_at = Set(now());
    let row = save_if_unchanged::<activity::Entity>(txn, actor, current.id, current.version, model)
        .await?;
    let touch = |a: &activity::Model| (a.kind, a.occurred_at, a.contact_id, a.company_id);
    let moved = touch(&row) != touch(current);
    if moved {
        let owners =
            Owners::of(current.contact_id, current.company_id).and(row.contact_id, row.company_id);
        stored_figures::refresh(txn, actor.workspace_id, &owners, &[Inputs::Touches]).await?;
    }
    Ok(row)
}
