//! `createTicket`: check the input and the records it names, then write the
//! ticket with the workspace's next number and its `ticket.opened` event.
//!
//! On PostgreSQL the number, the ticket, the event and its history entry are
//! one statement ([`numbered`]), which keeps the workspace counter row locked
//! for that statement only; a create that names no other record needs no
//! transaction around it at all. SQLite, a single writer anyway, takes the
//! number and writes the rows one statement at a time.

use async_graphql::{Context, ID, MaybeUndefined};
use entity::enums::TicketStatus;
use entity::{event, ticket};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, IntoActiveModel, Set};
use uuid::Uuid;

use super::{
    CATEGORY_MAX, CreateTicketInput, DESCRIPTION_MAX, SUBJECT_MAX, Ticket, TicketPayload,
    changed_reference, next_number, parties,
};
use crate::auth::Actor;
use crate::domain::text;
use crate::graphql::context::state;
use crate::graphql::deal::Deal;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::member::Member;
use crate::graphql::triggers::fire::on_ticket;
use crate::graphql::write::{Author, begin, commit, event_for_new, now};
use rapport_core::store::numbered::{self, Numbering};

/// Where a ticket's number comes from.
const NUMBERING: Numbering = Numbering {
    counter: "ticket_seq",
    column: "number",
};

pub(super) async fn create(
    ctx: &Context<'_>,
    actor: &Actor,
    input: CreateTicketInput,
) -> ApiResult<TicketPayload> {
    let subject = text::required_name(&input.subject, SUBJECT_MAX)
        .map_err(ApiError::invalid("input.subject"))?;
    let description = text::optional_text(input.description.as_deref(), DESCRIPTION_MAX)
        .map_err(ApiError::invalid("input.description"))?;
    let category = text::optional_text(input.category.as_deref(), CATEGORY_MAX)
        .map_err(ApiError::invalid("input.category"))?;
    let at = now();
    let mut draft = ticket::Model {
        id: Uuid::now_v7(),
        workspace_id: actor.workspace_id,
        number: 0,
        subject,
        description,
        status: TicketStatus::Open,
        priority: input.priority,
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
    let state = state(ctx)?;
    let postgres = state.db.get_database_backend() == DbBackend::Postgres;
    let names_records = input.contact_id.is_some()
        || input.company_id.is_some()
        || input.deal_id.is_some()
        || input.assignee_id.is_some();
    // A request with an Idempotency-Key needs a transaction to commit its claim in.
    if postgres && !names_records && !rapport_core::store::claim::in_scope() {
        // Nothing to read first, so no trigger can fire (they need a contact):
        // the one statement is the whole transaction. It holds no lock yet,
        // so it may queue for the counter row in this process first.
        let admission = state.counter_queue.admit(actor.workspace_id).await;
        let (row, event) = insert_numbered(&state.db, actor, draft).await?;
        drop(admission);
        state.core.publish(&[event]);
        return Ok(TicketPayload::of(row));
    }
    let txn = begin(ctx).await?;
    let given = |id: Option<ID>| id.map_or(MaybeUndefined::Undefined, MaybeUndefined::Value);
    let parties = parties(
        &txn,
        actor,
        given(input.contact_id),
        given(input.company_id),
        (None, None),
    )
    .await?;
    (draft.contact_id, draft.company_id) = parties;
    draft.deal_id =
        changed_reference::<Deal>(&txn, actor, given(input.deal_id), None, "input.dealId").await?;
    draft.assignee_id = changed_reference::<Member>(
        &txn,
        actor,
        given(input.assignee_id),
        None,
        "input.assigneeId",
    )
    .await?;
    if postgres {
        let (row, event) = insert_numbered(&txn, actor, draft).await?;
        let triggered = on_ticket(&txn, &row, row.opened_at).await?;
        state
            .core
            .commit_after(txn, Author::of(actor), vec![event], triggered)
            .await?;
        return Ok(TicketPayload::of(row));
    }
    let mut model = draft.into_active_model().reset_all();
    model.number = Set(next_number(&txn, actor.workspace_id).await?);
    let row = model.insert(&txn).await?;
    let mut events = vec![event_for_new::<Ticket>(&row, "opened")?];
    events.extend(on_ticket(&txn, &row, row.opened_at).await?);
    commit(ctx, txn, actor, events).await?;
    Ok(TicketPayload::of(row))
}

/// `draft` numbered and written with its `ticket.opened` event and history
/// entry, in one statement on `conn` (PostgreSQL).
async fn insert_numbered<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    mut draft: ticket::Model,
) -> ApiResult<(ticket::Model, event::Model)> {
    let event = event_for_new::<Ticket>(&draft, "opened")?;
    let model = draft.clone().into_active_model();
    let author = Author::of(actor);
    let (number, stored) =
        numbered::insert(conn, model, NUMBERING, event, author, draft.created_at).await?;
    draft.number = number;
    Ok((draft, stored))
}
