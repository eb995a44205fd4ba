//! Support tickets: numbered per workspace, moving OPEN → PENDING → RESOLVED
//! → CLOSED. Opening one is [`create`]; the other changes are here.

mod create;

use chrono::{DateTime, Utc};
use entity::enums::{TicketPriority, TicketStatus};
use entity::{company, contact, deal, member, ticket};
use sea_orm::{DatabaseTransaction, Set};
use uuid::Uuid;

use super::Patch;
use super::edit::{changed_reference, edited_text};
use super::lifecycle::delete_or_restore;
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::rules::stored_figures::{self, Inputs, Owners};
use crate::store::{
    Author, Core, check_reference, check_version, event_for, load_any, load_live, now,
    save_if_unchanged,
};

pub use create::{NewTicket, create, create_in};

/// Longest subject, as the column allows.
const SUBJECT_MAX: usize = 300;
/// Longest category, as the column allows.
const CATEGORY_MAX: usize = 100;
/// Longest description; the column is unbounded, but a ticket is not a document store.
const DESCRIPTION_MAX: usize = 50_000;

/// Changes to a ticket; `Keep` and `None` fields stay. Status and assignee
/// change through [`set_status`] and [`assign`].
#[derive(Debug, Clone, Default)]
pub struct TicketChanges {
    pub subject: Option<String>,
    pub description: Patch<String>,
    pub priority: Option<TicketPriority>,
    pub category: Patch<String>,
    /// A new contact without a company change also moves the ticket to the
    /// contact's company, if it has one.
    pub contact_id: Patch<Uuid>,
    pub company_id: Patch<Uuid>,
    pub deal_id: Patch<Uuid>,
    /// With `Some`, these custom field values (others stay).
    pub custom_fields: Option<super::custom_field::values::Given>,
}

/// Changes ticket `id`; with `expected_version`, refuses (`CONFLICT`) if it
/// changed since.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: TicketChanges,
    expected_version: Option<i32>,
) -> CoreResult<ticket::Model> {
    actor.require(Area::Tickets)?;
    let (txn, current) = load_for_change(core, actor, id, expected_version).await?;
    let subject = match &changes.subject {
        Some(subject) => text::required_name(subject, SUBJECT_MAX)
            .map_err(CoreError::invalid("input.subject"))?,
        None => current.subject.clone(),
    };
    let description = edited_text(
        changes.description,
        &current.description,
        DESCRIPTION_MAX,
        "input.description",
    )?;
    let category = edited_text(
        changes.category,
        &current.category,
        CATEGORY_MAX,
        "input.category",
    )?;
    let current_parties = (current.contact_id, current.company_id);
    let (contact_id, company_id) = parties(
        &txn,
        actor,
        changes.contact_id,
        changes.company_id,
        current_parties,
    )
    .await?;
    let deal_id = changed_reference::<deal::Entity>(
        &txn,
        actor,
        changes.deal_id,
        current.deal_id,
        "input.dealId",
    )
    .await?;
    let (ws, given) = (actor.workspace_id, changes.custom_fields);
    let custom = entity::enums::CustomFieldRecordType::Ticket;
    let custom_fields = super::custom_field::values::for_change(
        &txn,
        ws,
        custom,
        id,
        &current.custom_fields,
        given,
    )
    .await?;
    let model = ticket::ActiveModel {
        custom_fields: custom_fields.map_or(sea_orm::NotSet, Set),
        subject: Set(subject),
        description: Set(description),
        priority: Set(changes.priority.unwrap_or(current.priority)),
        category: Set(category),
        contact_id: Set(contact_id),
        company_id: Set(company_id),
        deal_id: Set(deal_id),
        ..Default::default()
    };
    let row = guarded_update(&txn, actor, &current, model).await?;
    if (row.contact_id, row.company_id) != current_parties {
        let owners =
            Owners::of(current.contact_id, current.company_id).and(row.contact_id, row.company_id);
        stored_figures::refresh(&txn, actor.workspace_id, &owners, &[Inputs::Tickets]).await?;
    }
    finish(core, txn, actor, row, "updated").await
}

/// Gives ticket `id` to member `assignee_id`, or unassigns it with `None`.
pub async fn assign(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    assignee_id: Option<Uuid>,
    expected_version: Option<i32>,
) -> CoreResult<ticket::Model> {
    actor.require(Area::Tickets)?;
    let (txn, current) = load_for_change(core, actor, id, expected_version).await?;
    check_reference::<member::Entity>(&txn, actor, assignee_id, "assigneeId").await?;
    let model = ticket::ActiveModel {
        assignee_id: Set(assignee_id),
        ..Default::default()
    };
    let row = guarded_update(&txn, actor, &current, model).await?;
    finish(core, txn, actor, row, "assigned").await
}

/// Moves ticket `id` to `status`. RESOLVED sets `resolved_at`; OPEN and
/// PENDING reopen it (clearing `resolved_at`); CLOSED is final. Setting the
/// current status again changes nothing (and commits nothing).
pub async fn set_status(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    status: TicketStatus,
    expected_version: Option<i32>,
) -> CoreResult<ticket::Model> {
    let txn = core.begin().await?;
    let (row, event) = set_status_in(&txn, actor, id, status, expected_version).await?;
    if let Some(event) = event {
        core.commit(txn, Author::of(actor), vec![event]).await?;
    }
    Ok(row)
}

/// Moves ticket `id` to `status` in the caller's transaction; returns it
/// with its event, none when it already had that status.
pub async fn set_status_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    status: TicketStatus,
    expected_version: Option<i32>,
) -> CoreResult<(ticket::Model, Option<NewEvent>)> {
    actor.require(Area::Tickets)?;
    let current = load_live::<ticket::Entity>(txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    if current.status == status {
        return Ok((current, None));
    }
    let model = status_change(&current, status, now())?;
    let row = guarded_update(txn, actor, &current, model).await?;
    let owners = Owners::of(row.contact_id, row.company_id);
    stored_figures::refresh(txn, actor.workspace_id, &owners, &[Inputs::Tickets]).await?;
    let verb = match status {
        TicketStatus::Resolved => "resolved",
        TicketStatus::Closed => "closed",
        TicketStatus::Open | TicketStatus::Pending => "status_changed",
    };
    let event = event_for::<ticket::Entity>(&row, verb)?;
    Ok((row, Some(event)))
}

/// Soft-deletes (`delete`) or restores ticket `id`.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<ticket::Model> {
    delete_or_restore::<ticket::Entity>(core, actor, Area::Tickets, id, expected_version, delete)
        .await
}

/// The contact and company a ticket ends up with, checked against each other.
/// Only a change to either is checked, so that a contact who later moved to
/// another company does not block unrelated edits.
async fn parties(
    txn: &DatabaseTransaction,
    actor: &Actor,
    contact: Patch<Uuid>,
    company: Patch<Uuid>,
    current: (Option<Uuid>, Option<Uuid>),
) -> CoreResult<(Option<Uuid>, Option<Uuid>)> {
    if contact == Patch::Keep && company == Patch::Keep {
        return Ok(current);
    }
    let new_contact = matches!(contact, Patch::Set(_));
    let contact_row = match contact {
        Patch::Set(id) => {
            check_reference::<contact::Entity>(txn, actor, Some(id), "input.contactId").await?
        }
        Patch::Clear => None,
        // The current contact may be deleted since; then there is nothing to match.
        Patch::Keep => match current.0 {
            Some(id) => match load_any::<contact::Entity>(txn, actor, id).await {
                Ok(row) => Some(row),
                Err(CoreError::NotFound(_)) => None,
                Err(e) => return Err(e),
            },
            None => None,
        },
    };
    let contact_company = contact_row.as_ref().and_then(|c| c.company_id);
    let company_id = match company {
        Patch::Keep if new_contact => contact_company.or(current.1),
        company => {
            changed_reference::<company::Entity>(txn, actor, company, current.1, "input.companyId")
                .await?
        }
    };
    if let (Some(works_for), Some(company_id)) = (contact_company, company_id)
        && works_for != company_id
    {
        return Err(CoreError::bad_input(
            "input.companyId",
            "the contact works for another company",
        ));
    }
    Ok((contact_row.map(|c| c.id), company_id))
}

/// Writes `model` over `current` only if nobody changed it meanwhile, and reads it back.
async fn guarded_update(
    txn: &DatabaseTransaction,
    actor: &Actor,
    current: &ticket::Model,
    mut model: ticket::ActiveModel,
) -> CoreResult<ticket::Model> {
    model.version = Set(current.version + 1);
    model.updated_at = Set(now());
    save_if_unchanged::<ticket::Entity>(txn, actor, current.id, current.version, model).await
}

/// Live ticket `id` in a new transaction, refused (`CONFLICT`) unless it is
/// at `expected_version` when that is given.
async fn load_for_change(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> CoreResult<(DatabaseTransaction, ticket::Model)> {
    let txn = core.begin().await?;
    let current = load_live::<ticket::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    Ok((txn, current))
}

/// Commits the change to `row` with its `ticket.<verb>` event.
async fn finish(
    core: &Core,
    txn: DatabaseTransaction,
    actor: &Actor,
    row: ticket::Model,
    verb: &str,
) -> CoreResult<ticket::Model> {
    let event = event_for::<ticket::Entity>(&row, verb)?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(row)
}

/// The timestamps a status change sets. `first_response_at` is set the first
/// time the status leaves OPEN; closing an unresolved ticket also resolves it,
/// so that every closed ticket has a resolution time.
fn status_change(
    current: &ticket::Model,
    status: TicketStatus,
    at: DateTime<Utc>,
) -> CoreResult<ticket::ActiveModel> {
    if current.status == TicketStatus::Closed {
        return Err(CoreError::bad_input(
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
            custom_fields: serde_json::json!({}),
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
