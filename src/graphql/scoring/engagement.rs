//! Tracked engagement (`trackEngagement`) and the history of lead scores.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::EngagementKind;
use entity::lead_score_change;
use rapport_core::ops::engagement::{self, NewEngagement};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::auth::Area;
use crate::graphql::contact::Contact;
use crate::graphql::context::{acting, actor, db};
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;

/// Most entries of a score history returned at once.
const HISTORY_MAX: u64 = 100;

/// One change of a contact's lead score.
#[derive(SimpleObject)]
pub struct LeadScoreChange {
    /// The score before the change.
    pub previous: i32,
    /// The score after the change.
    pub score: i32,
    /// What moved it: an engagement, a changed field, a changed rule.
    pub reason: String,
    /// When it changed.
    pub changed_at: DateTime<Utc>,
}

/// A contact's score changes, newest first (at most `first`, default 20, up to 100).
pub async fn score_history(
    ctx: &Context<'_>,
    contact_id: Uuid,
    first: Option<i32>,
) -> ApiResult<Vec<LeadScoreChange>> {
    let actor = actor(ctx)?;
    let limit = u64::try_from(first.unwrap_or(20).clamp(0, 100)).unwrap_or(HISTORY_MAX);
    let rows = lead_score_change::Entity::find()
        .filter(lead_score_change::Column::WorkspaceId.eq(actor.workspace_id))
        .filter(lead_score_change::Column::ContactId.eq(contact_id))
        .order_by_desc(lead_score_change::Column::ChangedAt)
        .order_by_desc(lead_score_change::Column::Id)
        .limit(limit)
        .all(db(ctx)?)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| LeadScoreChange {
            previous: r.previous,
            score: r.score,
            reason: r.reason,
            changed_at: r.changed_at,
        })
        .collect())
}

/// One tracked behaviour of a contact; its scoring rules add their points.
#[derive(InputObject)]
pub struct TrackEngagementInput {
    /// The contact, by global id.
    pub contact_id: ID,
    /// What the contact did.
    pub kind: EngagementKind,
    /// Defaults to now.
    pub occurred_at: Option<DateTime<Utc>>,
    /// What was engaged with: a URL, a campaign, a webinar.
    pub detail: Option<String>,
    /// The campaign that brought it, by global id: a touch at `occurredAt`
    /// that sets the contact's first touch if it has none and moves its last
    /// touch unless that one is later.
    pub campaign_id: Option<ID>,
}

/// The result of tracking an engagement: the contact with its new score.
#[derive(SimpleObject)]
pub struct TrackEngagementPayload {
    /// The contact, with its new score.
    pub contact: Contact,
    /// The score before this engagement.
    pub previous_score: i32,
}

#[derive(Default)]
pub struct EngagementMutation;

#[Object]
impl EngagementMutation {
    /// Records a contact's page view, email click or webinar sign-up, and
    /// rescores the contact in the same transaction.
    async fn track_engagement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who did what.")] input: TrackEngagementInput,
    ) -> ApiResult<TrackEngagementPayload> {
        let (core, actor) = acting(ctx, Area::Contacts)?;
        let new = NewEngagement {
            contact_id: ids::decode(&input.contact_id, Kind::Contact, "input.contactId")?,
            kind: input.kind,
            occurred_at: input.occurred_at,
            detail: input.detail,
            campaign_id: input
                .campaign_id
                .as_ref()
                .map(|id| ids::decode(id, Kind::Campaign, "input.campaignId"))
                .transpose()?,
        };
        let tracked = engagement::track(core, actor, new).await?;
        Ok(TrackEngagementPayload {
            contact: Contact(Level::single(tracked.contact)),
            previous_score: tracked.previous_score,
        })
    }
}
