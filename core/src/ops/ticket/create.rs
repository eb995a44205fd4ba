//! Opening a ticket: check it and the records it names, then write it with
//! the workspace's next number and its `ticket.opened` event.
//!
//! On PostgreSQL the number, the ticket, the event and its history entry are
//! one statement ([`numbered`]), which keeps the workspace counter row locked
//! for that statement only; a create that names no other record needs no
//! transaction around it at all. SQLite, a single writer anyway, takes the
//! number and writes the rows one statement at a time.

use entity::enums::{TicketPriority, TicketStatus};
use entity::{deal, event, member, ticket};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, DbBackend, IntoActiveModel, Set,
};
use uuid::Uuid;

use super::{CATEGORY_MAX, DESCRIPTION_MAX, SUBJECT_MAX, parties};
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::ops::Patch;
use crate::ops::edit::changed_reference;
use crate::rules::stored_figures::{self, Inputs, Owners};
use crate::rules::triggers::fire::on_ticket;
use crate::store::numbered::{self, Numbering};
use crate::store::{Author, Core, claim, event_for_new, now};

/// Where a ticket's number comes from.
const NUMBERING: Numbering = Numbering {
    counter: "ticket_seq",
    column: "number",
};

/// A new ticket. It starts OPEN.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub subject: String,
    pub description: Option<String>,
    pub priority: TicketPriority,
    pub category: Option<String>,
    /// Without `company_id`, the ticket is for the contact's company.
    pub contact_id: Option<Uuid>,
    /// Must be the contact's company when the contact has one.
    pub company_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
}

/// Opens a ticket with the workspace's next number.
pub async fn create(core: &Core, actor: &Actor, new: NewTicket) -> CoreResult<ticket::Model> {
    actor.require(Area::Tickets)?;
    let subject = text::required_name(&new.subject, SUBJECT_MAX)
        .map_err(CoreError::invalid("input.subject"))?;
    let description = text::optional_text(new.description.as_deref(), DESCRIPTION_MAX)
        .map_err(CoreError::invalid("input.description"))?;
    let category = text::optional_text(new.category.as_deref(), CATEGORY_MAX)
        .map_err(CoreError::invalid("input.category"))?;
    let at = now();
    let mut draft = ticket::Model {
        id: crate::store::new_id(),
        workspace_id: actor.workspace_id,
        number: 0,
        subject,
        description,
        status: TicketStatus::Open,
        priority: new.priority,
        category,
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
    };
    let postgres = core.db.get_database_backend() == DbBackend::Postgres;
    let names_records = new.contact_id.is_some()
        || new.company_id.is_some()
        || new.deal_id.is_some()
        || new.assignee_id.is_some();
    // A request with an Idempotency-Key needs a transaction to commit its claim in.
    if postgres && !names_records && !claim::in_scope() {
        // Nothing to read first, so no trigger can fire (they need a contact):
        // the one statement is the whole transaction. It holds no lock yet,
        // so it may queue for the counter row in this process first.
        let admission = core.counter_queue.admit(actor.workspace_id).await;
        let (row, event) = insert_numbered(&core.db, actor, draft).await?;
        drop(admission);
        core.publish(&[event]);
        return Ok(row);
    }
    let txn = core.begin().await?;
    let given = |id: Option<Uuid>| id.map_or(Patch::Keep, Patch::Set);
    (draft.contact_id, draft.company_id) = parties(
        &txn,
        actor,
        given(new.contact_id),
        given(new.company_id),
        (None, None),
    )
    .await?;
    draft.deal_id =
        changed_reference::<deal::Entity>(&txn, actor, given(new.deal_id), None, "input.dealId")
            .await?;
    draft.assignee_id = changed_reference::<member::Entity>(
        &txn,
        actor,
        given(new.assignee_id),
        None,
        "input.assigneeId",
    )
    .await?;
    let owners = Owners::of(draft.contact_id, draft.company_id);
    if postgres {
        let (row, event) = insert_numbered(&txn, actor, draft).await?;
        stored_figures::refresh(&txn, actor.workspace_id, &owners, &[Inputs::Tickets]).await?;
        let triggered = on_ticket(&txn, &row, row.opened_at).await?;
        core.commit_after(txn, Author::of(actor), vec![event], triggered)
            .await?;
        return Ok(row);
    }
    let mut model = draft.into_active_model().reset_all();
    model.number = Set(next_number(&txn, actor.workspace_id).await?);
    let row = model.insert(&txn).await?;
    stored_figures::refresh(&txn, actor.workspace_id, &owners, &[Inputs::Tickets]).await?;
    let mut events = vec![event_for_new::<ticket::Entity>(&row, "opened")?];
    events.extend(on_ticket(&txn, &row, row.opened_at).await?);
    core.commit(txn, Author::of(actor), events).await?;
    Ok(row)
}

/// `draft` numbered and written with its `ticket.opened` event and history
/// entry, in one statement on `conn` (PostgreSQL).
async fn insert_numbered<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    mut draft: ticket::Model,
) -> CoreResult<(ticket::Model, event::Model)> {
    let event = event_for_new::<ticket::Entity>(&draft, "opened")?;
    let model = draft.clone().into_active_model();
    let author = Author::of(actor);
    let (number, stored) =
        numbered::insert(conn, model, NUMBERING, event, author, draft.created_at).await?;
    draft.number = number;
    Ok((draft, stored))
}

/// The next ticket number of the workspace (SQLite). The UPDATE locks the
/// workspace row until the transaction ends, which serialises concurrent
/// creators, so numbers are never handed out twice and a rolled-back create
/// leaves no gap.
async fn next_number(txn: &DatabaseTransaction, workspace_id: Uuid) -> CoreResult<i64> {
    let stmt = Query::update()
        .table("workspace")
        .value(NUMBERING.counter, Expr::col(NUMBERING.counter).add(1))
        .and_where(Expr::col("id").eq(workspace_id))
        .returning_col(NUMBERING.counter)
        .to_owned();
    let row = txn
        .query_one(&stmt)
        .await?
        .ok_or_else(|| CoreError::Internal("the actor's workspace is missing".into()))?;
    Ok(row.try_get::<i64>("", NUMBERING.counter)?)
}
