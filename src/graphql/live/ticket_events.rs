//! `ticketEvents`: what happens to tickets, and the activities logged on them.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, Subscription};
use chrono::{DateTime, Utc};
use entity::enums::{TicketPriority, TicketStatus};
use entity::{activity, event, ticket};
use futures_util::{Stream, StreamExt};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{encode_cursor, events, payload_record, reads_activity};
use crate::graphql::activity::Activity;
use crate::graphql::context::{actor, state};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::member::Member;
use crate::graphql::ticket::Ticket;
use rapport_core::store::owned_by;

/// What happened to a ticket.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketEventKind {
    /// It was opened.
    Opened,
    /// Subject, description, priority, category or links changed.
    Updated,
    /// It moved between OPEN and PENDING.
    StatusChanged,
    /// Its assignee changed.
    Assigned,
    /// A note, call, email, meeting or task was logged on it (`activity`).
    ActivityAdded,
    /// An activity on it was edited or completed (`activity`).
    ActivityUpdated,
    /// It was resolved.
    Resolved,
    /// It was closed.
    Closed,
    /// It was deleted (it can be restored).
    Deleted,
    /// It was restored after a delete.
    Restored,
}

impl TicketEventKind {
    fn of(kind: &str) -> Option<Self> {
        Some(match kind {
            "ticket.opened" => Self::Opened,
            "ticket.updated" => Self::Updated,
            "ticket.status_changed" => Self::StatusChanged,
            "ticket.assigned" => Self::Assigned,
            "ticket.resolved" => Self::Resolved,
            "ticket.closed" => Self::Closed,
            "ticket.deleted" => Self::Deleted,
            "ticket.restored" => Self::Restored,
            "activity.created" => Self::ActivityAdded,
            "activity.updated" | "activity.completed" => Self::ActivityUpdated,
            _ => return None,
        })
    }
}

/// Which ticket events to receive; every given condition must hold (on the
/// ticket as it is after the change).
#[derive(InputObject, Debug, Clone, Default)]
pub struct TicketEventFilter {
    /// Any of these statuses.
    pub status: Option<Vec<TicketStatus>>,
    /// Any of these priorities.
    pub priority: Option<Vec<TicketPriority>>,
    /// Only tickets assigned to this member (global id).
    pub assignee_id: Option<ID>,
    /// Only tickets of this company (global id).
    pub company_id: Option<ID>,
}

/// The filter with its ids decoded.
struct Matcher {
    status: Option<Vec<TicketStatus>>,
    priority: Option<Vec<TicketPriority>>,
    assignee_id: Option<Uuid>,
    company_id: Option<Uuid>,
}

impl Matcher {
    fn new(filter: TicketEventFilter) -> ApiResult<Self> {
        let decode =
            |id: Option<ID>, kind, field| id.map(|id| ids::decode(&id, kind, field)).transpose();
        Ok(Self {
            assignee_id: decode(filter.assignee_id, Kind::Member, "filter.assigneeId")?,
            company_id: decode(filter.company_id, Kind::Company, "filter.companyId")?,
            status: filter.status,
            priority: filter.priority,
        })
    }

    fn matches(&self, t: &ticket::Model) -> bool {
        self.status.as_ref().is_none_or(|s| s.contains(&t.status))
            && self
                .priority
                .as_ref()
                .is_none_or(|p| p.contains(&t.priority))
            && self.assignee_id.is_none_or(|id| t.assignee_id == Some(id))
            && self.company_id.is_none_or(|id| t.company_id == Some(id))
    }
}

/// One change to a ticket or to an activity on it.
pub struct TicketEvent {
    event: Arc<event::Model>,
    kind: TicketEventKind,
    ticket: ticket::Model,
    activity: Option<activity::Model>,
}

/// Something that happened to a ticket.
#[Object]
impl TicketEvent {
    /// Pass as `after` to resume right after this event.
    async fn cursor(&self) -> String {
        encode_cursor(self.event.seq)
    }

    /// What happened to the ticket.
    async fn kind(&self) -> TicketEventKind {
        self.kind
    }

    /// The ticket: as it was right after a ticket change; as it is now for an activity.
    async fn ticket(&self) -> Ticket {
        Ticket(Level::single(self.ticket.clone()))
    }

    /// The activity, for ACTIVITY_ADDED and ACTIVITY_UPDATED.
    async fn activity(&self) -> Option<Activity> {
        self.activity
            .clone()
            .map(|row| Activity(Level::single(row)))
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.event.created_at
    }

    /// Who made the change.
    async fn actor(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        super::event_actor(ctx, &self.event).await
    }
}

/// Decodes a ticket-channel event; an activity's ticket is read from the
/// database (its event carries the activity only). An activity a narrowed
/// reader does not read (`narrowed`) is left out.
async fn decode(
    db: DatabaseConnection,
    e: Arc<event::Model>,
    narrowed: Option<Condition>,
) -> Option<TicketEvent> {
    let kind = TicketEventKind::of(&e.kind)?;
    let (ticket, activity) = if e.record_type == "Activity" {
        let activity = payload_record::<activity::Model>(&e, "activity")?;
        if let Some(read) = narrowed
            && !reads_activity(&db, read, e.workspace_id, activity.id).await
        {
            return None;
        }
        let ticket = ticket::Entity::find()
            .filter(ticket::Column::WorkspaceId.eq(e.workspace_id))
            .filter(ticket::Column::Id.eq(activity.ticket_id?))
            .one(&db)
            .await
            .inspect_err(|error| tracing::warn!(%error, "ticket of an activity event unreadable"))
            .ok()??;
        (ticket, Some(activity))
    } else {
        (payload_record::<ticket::Model>(&e, "ticket")?, None)
    };
    Some(TicketEvent {
        event: e,
        kind,
        ticket,
        activity,
    })
}

#[derive(Default)]
pub struct TicketSubscription;

#[Subscription]
impl TicketSubscription {
    /// Tickets opened, updated, assigned, moved between statuses, resolved,
    /// closed, deleted or restored, and activities logged on them, in commit
    /// order. With `after`, first replays every event after that cursor.
    async fn ticket_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the events of tickets matching this filter.")] filter: Option<
            TicketEventFilter,
        >,
        #[graphql(
            desc = "An event cursor (`eventCursor`, or an event's `cursor`): replays the events after it from the log, then continues live, with no gap. Without it, only events from now on."
        )]
        after: Option<String>,
    ) -> Result<impl Stream<Item = TicketEvent> + use<>, ApiError> {
        let actor = actor(ctx)?;
        let matcher = Matcher::new(filter.unwrap_or_default())?;
        let db = state(ctx)?.db.clone();
        // Activities on tickets are read with what they are about, as
        // everywhere; tickets themselves are not narrowed.
        let narrowed = owned_by::<activity::Entity>(actor, "activity");
        let stream = events(ctx, actor.workspace_id, after).await?;
        Ok(stream
            .filter(|e| std::future::ready(e.topic == "ticket"))
            // Boxed: the decoding future holds a database query, and held
            // inline it would be part of every idle subscriber's stream.
            .filter_map(move |e| Box::pin(decode(db.clone(), e, narrowed.clone())))
            .filter(move |event| std::future::ready(matcher.matches(&event.ticket))))
    }
}
