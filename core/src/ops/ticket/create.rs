//! Opening a ticket: check it and the records it names, then write it with
//! the workspace's next number and its `ticket.opened` event.
//!
//! On PostgreSQL the number, the ticket, the event and its history entry are
//! one statement ([`numbered`]), which keeps the workspace counter row locked
//! for that statement only; a create that names no other record needs no
//! transaction around it at all. SQLite, a single writer anyway, takes the
//! number and writes the rows one statement at a time.

use entity::enums::{CustomFieldRecordType, TicketPriority, TicketStatus};
use entity::{deal, event, member, ticket};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, DbBackend, IntoActiveModel, Set,
};
use uuid::Uuid;

use super::{CATEGORY_MAX, DESCRIPTION_MAX, SUBJECT_MAX, parties};
use crate::Kind;
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::ops::Patch;
use crate::ops::custom_field::{self, values::Given};
use crate::ops::edit::changed_reference;
use crate::ops::external_id::{self, ExternalId};
use crate::rules::stored_figures::{self, Inputs, Owners};
use crate::rules::triggers::fire::on_ticket;
use crate::store::numbered::{self, Numbering, Route};
use crate::store::{Author, Core, claim, event_for_new, now};

/// The record type of tickets' custom fields.
const CUSTOM: CustomFieldRecordType = CustomFieldRecordType::Ticket;

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
    /// Its ids in other systems.
    pub external_ids: Vec<ExternalId>,
    /// Its custom field values, by key.
    pub custom_fields: Given,
}

/// Opens a ticket with the workspace's next number.
pub async fn create(core: &Core, actor: &Actor, new: NewTicket) -> CoreResult<ticket::Model> {
    let postgres = core.db.get_database_backend() == DbBackend::Postgres;
    if !postgres || !new.external_ids.is_empty() || !new.custom_fields.is_empty() {
        // One statement buys nothing on SQLite (a single writer), and
        // external ids and custom values (unique ones are checked against
        // other tickets) need a transaction around the ticket anyway.
        let txn = core.begin().await?;
        let (row, events) = create_in(&txn, actor, new).await?;
        core.commit(txn, Author::of(actor), events).await?;
        return Ok(row);
    }
    let mut draft = draft(actor, &new)?;
    // No values given: only that no field is required needs checking first.
    draft.custom_fields =
        custom_field::values::for_new(&core.db, actor.workspace_id, CUSTOM, Vec::new()).await?;
    create_numbered(core, actor, new, draft).await
}

/// Opens a ticket in the caller's transaction, numbered there, and returns
/// it with its `ticket.opened` event and whatever triggers it fired, for the
/// caller to commit (bulk writes, imports).
pub async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    mut new: NewTicket,
) -> CoreResult<(ticket::Model, Vec<NewEvent>)> {
    let draft = draft(actor, &new)?;
    let given_ids = std::mem::take(&mut new.external_ids);
    let external_ids = external_id::validate(given_ids, "input.externalIds")?;
    let mut draft = link(txn, actor, &new, draft).await?;
    let given = std::mem::take(&mut new.custom_fields);
    draft.custom_fields =
        custom_field::values::for_new(txn, actor.workspace_id, CUSTOM, given).await?;
    let owners = Owners::of(draft.contact_id, draft.company_id);
    let mut model = draft.into_active_model().reset_all();
    model.number = Set(next_number(txn, actor.workspace_id).await?);
    let row = model.insert(txn).await?;
    let (workspace, field) = (actor.workspace_id, "input.externalIds");
    external_id::attach(
        txn,
        workspace,
        Kind::Ticket,
        row.id,
        &external_ids,
        false,
        field,
    )
    .await?;
    stored_figures::refresh(txn, actor.workspace_id, &owners, &[Inputs::Tickets]).await?;
    let mut events = vec![event_for_new::<ticket::Entity>(&row, "opened")?];
    events.extend(on_ticket(txn, &row, row.opened_at).await?);
    Ok((row, events))
}

/// `draft` with the records `new` names, each checked (the contact and
/// company against each other).
async fn link(
    txn: &DatabaseTransaction,
    actor: &Actor,
    new: &NewTicket,
    mut draft: ticket::Model,
) -> CoreResult<ticket::Model> {
    let given = |id: Option<Uuid>| id.map_or(Patch::Keep, Patch::Set);
    (draft.contact_id, draft.company_id) = parties(
        txn,
        actor,
        given(new.contact_id),
        given(new.company_id),
        (None, None),
    )
    .await?;
    draft.deal_id =
        changed_reference::<deal::Entity>(txn, actor, given(new.deal_id), None, "input.dealId")
            .await?;
    draft.assignee_id = changed_reference::<member::Entity>(
        txn,
        actor,
        given(new.assignee_id),
        None,
        "input.assigneeId",
    )
    .await?;
    Ok(draft)
}

/// The ticket `new` describes, checked, before its links and number.
fn draft(actor: &Actor, new: &NewTicket) -> CoreResult<ticket::Model> {
    actor.require(Area::Tickets)?;
    let subject = text::required_name(&new.subject, SUBJECT_MAX)
        .map_err(CoreError::invalid("input.subject"))?;
    let description = text::optional_text(new.description.as_deref(), DESCRIPTION_MAX)
        .map_err(CoreError::invalid("input.description"))?;
    let category = text::optional_text(new.category.as_deref(), CATEGORY_MAX)
        .map_err(CoreError::invalid("input.category"))?;
    let at = now();
    Ok(ticket::Model {
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
        custom_fields: serde_json::json!({}),
        opened_at: at,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        version: 1,
        deleted_at: None,
        created_at: at,
        updated_at: at,
    })
}

/// Opens a ticket on PostgreSQL with its number, event and history in one
/// statement, which holds the workspace's counter row the shortest.
async fn create_numbered(
    core: &Core,
    actor: &Actor,
    new: NewTicket,
    draft: ticket::Model,
) -> CoreResult<ticket::Model> {
    let names_records = new.contact_id.is_some()
        || new.company_id.is_some()
        || new.deal_id.is_some()
        || new.assignee_id.is_some();
    // A request with an Idempotency-Key needs a transaction to commit its claim in.
    if !names_records && !claim::in_scope() {
        // Nothing to read first, so no trigger can fire (they need a contact):
        // the one statement is the whole transaction. It holds no lock yet,
        // so it may queue for the counter row in this process first.
        let admission = core.counter_queue.admit(actor.workspace_id).await;
        let route = if core.citus {
            Route::Delegated
        } else {
            Route::Direct
        };
        let (row, event) = insert_numbered(&core.db, route, actor, draft).await?;
        drop(admission);
        core.publish(&[event]);
        return Ok(row);
    }
    let txn = core.begin().await?;
    let draft = link(&txn, actor, &new, draft).await?;
    let owners = Owners::of(draft.contact_id, draft.company_id);
    let (row, event) = insert_numbered(&txn, Route::Direct, actor, draft).await?;
    stored_figures::refresh(&txn, actor.workspace_id, &owners, &[Inputs::Tickets]).await?;
    let triggered = on_ticket(&txn, &row, row.opened_at).await?;
    core.commit_after(txn, Author::of(actor), vec![event], triggered)
        .await?;
    Ok(row)
}

/// `draft` numbered and written with its `ticket.opened` event and history
/// entry, in one statement on `conn` (PostgreSQL).
async fn insert_numbered<C: ConnectionTrait>(
    conn: &C,
    route: Route,
    actor: &Actor,
    mut draft: ticket::Model,
) -> CoreResult<(ticket::Model, event::Model)> {
    let event = event_for_new::<ticket::Entity>(&draft, "opened")?;
    let model = draft.clone().into_active_model();
    let author = Author::of(actor);
    let (number, stored) = numbered::insert(
        conn,
        route,
        model,
        NUMBERING,
        event,
        author,
        draft.created_at,
    )
    .await?;
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
