//! Ticket mutations: each converts its input and calls one core operation.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::enums::{TicketPriority, TicketStatus};
use entity::ticket;
use rapport_core::ops::ticket::{self as ops, NewTicket, TicketChanges};
use rapport_macros::connections;

use super::Ticket;
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::external_id::{self, ExternalIdInput};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::write::{patch, patch_id};

/// A new ticket. It starts OPEN.
#[derive(InputObject)]
pub struct CreateTicketInput {
    /// A one-line summary.
    pub subject: String,
    /// The full request.
    pub description: Option<String>,
    /// How urgent it is.
    #[graphql(default_with = "TicketPriority::Normal")]
    pub priority: TicketPriority,
    /// A free-form category, e.g. "billing".
    pub category: Option<String>,
    /// Without `companyId`, the ticket is for the contact's company.
    pub contact_id: Option<ID>,
    /// Must be the contact's company when the contact has one.
    pub company_id: Option<ID>,
    /// The deal it relates to, by its global id.
    pub deal_id: Option<ID>,
    /// The member working on it, by its global id.
    pub assignee_id: Option<ID>,
    /// Its ids in other systems.
    pub external_ids: Option<Vec<ExternalIdInput>>,
    /// Custom field values, by key (see `customFields` for the record type's fields).
    pub custom_fields: Option<Vec<crate::graphql::custom_field::CustomFieldValueInput>>,
}

impl CreateTicketInput {
    /// The core's new ticket (`createTicket`, `createTickets`).
    pub fn into_new(self) -> ApiResult<NewTicket> {
        let id = |id: Option<&ID>, kind, field| ids::decode_opt(id, kind, field);
        Ok(NewTicket {
            subject: self.subject,
            description: self.description,
            priority: self.priority,
            category: self.category,
            contact_id: id(self.contact_id.as_ref(), Kind::Contact, "input.contactId")?,
            company_id: id(self.company_id.as_ref(), Kind::Company, "input.companyId")?,
            deal_id: id(self.deal_id.as_ref(), Kind::Deal, "input.dealId")?,
            assignee_id: id(self.assignee_id.as_ref(), Kind::Member, "input.assigneeId")?,
            external_ids: external_id::given(self.external_ids),
            custom_fields: crate::graphql::custom_field::given(self.custom_fields),
        })
    }
}

/// Changes to a ticket; omitted fields stay, `null` clears. Status and
/// assignee change through `setTicketStatus` and `assignTicket`.
#[derive(InputObject, Default)]
pub struct UpdateTicketInput {
    /// A one-line summary. Left as it is when omitted.
    pub subject: Option<String>,
    /// The full request. Left as it is when omitted.
    pub description: MaybeUndefined<String>,
    /// How urgent it is. Left as it is when omitted.
    pub priority: Option<TicketPriority>,
    /// A free-form category, e.g. "billing". Left as it is when omitted.
    pub category: MaybeUndefined<String>,
    /// A new contact without `companyId` also moves the ticket to the contact's company, if it has one.
    pub contact_id: MaybeUndefined<ID>,
    /// The customer the ticket is for, by its global id. Left as it is when omitted.
    pub company_id: MaybeUndefined<ID>,
    /// The deal it relates to, by its global id. Left as it is when omitted.
    pub deal_id: MaybeUndefined<ID>,
    /// Custom field values to set, by key; `null` clears one, fields not listed stay.
    pub custom_fields: Option<Vec<crate::graphql::custom_field::CustomFieldValueInput>>,
}

/// The result of a ticket mutation.
#[derive(SimpleObject)]
pub struct TicketPayload {
    /// The ticket after the change.
    pub ticket: Ticket,
}

impl TicketPayload {
    /// The payload of a ticket mutation's resulting row.
    pub fn of(row: ticket::Model) -> Self {
        Self {
            ticket: Ticket(Level::single(row)),
        }
    }
}

/// Ticket mutations.
#[derive(Default)]
pub struct TicketMutation;

#[connections]
#[Object]
impl TicketMutation {
    /// Opens a ticket with the workspace's next number.
    async fn create_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateTicketInput,
    ) -> ApiResult<TicketPayload> {
        let (core, actor) = acting(ctx, Area::Tickets)?;
        let new = input.into_new()?;
        Ok(TicketPayload::of(ops::create(core, actor, new).await?))
    }

    /// Changes a ticket. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateTicketInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<TicketPayload> {
        let (core, actor) = acting(ctx, Area::Tickets)?;
        let id = ids::decode(&id, Kind::Ticket, "id")?;
        let changes = TicketChanges {
            subject: input.subject,
            description: patch(input.description),
            priority: input.priority,
            category: patch(input.category),
            contact_id: patch_id(input.contact_id, Kind::Contact, "input.contactId")?,
            company_id: patch_id(input.company_id, Kind::Company, "input.companyId")?,
            deal_id: patch_id(input.deal_id, Kind::Deal, "input.dealId")?,
            custom_fields: input
                .custom_fields
                .map(|given| crate::graphql::custom_field::given(Some(given))),
        };
        let row = ops::update(core, actor, id, changes, expected_version).await?;
        Ok(TicketPayload::of(row))
    }

    /// Gives a ticket to a member, or unassigns it with `assigneeId: null`.
    async fn assign_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The member to assign (global id); null unassigns.")] assignee_id: Option<
            ID,
        >,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<TicketPayload> {
        let (core, actor) = acting(ctx, Area::Tickets)?;
        let assignee_id = ids::decode_opt(assignee_id.as_ref(), Kind::Member, "assigneeId")?;
        let id = ids::decode(&id, Kind::Ticket, "id")?;
        let row = ops::assign(core, actor, id, assignee_id, expected_version).await?;
        Ok(TicketPayload::of(row))
    }

    /// Moves a ticket to `status`. RESOLVED sets `resolvedAt`; OPEN and
    /// PENDING reopen it (clearing `resolvedAt`); CLOSED is final. Setting
    /// the current status again changes nothing.
    async fn set_ticket_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The new status.")] status: TicketStatus,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<TicketPayload> {
        let (core, actor) = acting(ctx, Area::Tickets)?;
        let id = ids::decode(&id, Kind::Ticket, "id")?;
        let row = ops::set_status(core, actor, id, status, expected_version).await?;
        Ok(TicketPayload::of(row))
    }

    /// Soft-deletes a ticket: lists skip it, `restoreTicket` brings it back.
    lifecycle!(delete_ticket: TicketPayload, Tickets, Ticket, ops::delete, true);

    /// Restores a deleted ticket.
    lifecycle!(restore_ticket: TicketPayload, Tickets, Ticket, ops::delete, false);
}
