//! Tracked engagement (`trackEngagement`) and the history of lead scores.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, SubsecRound, Utc};
use entity::enums::EngagementKind;
use entity::{engagement, lead_score_change};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::auth::Area;
use crate::domain::text;
use crate::graphql::contact::Contact;
use crate::graphql::context::{actor, db, writer};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::write::{begin, check_reference, commit, event_for, load_live, now};
use rapport_core::rules::scoring::{Which, recompute};

/// Most entries of a score history returned at once.
const HISTORY_MAX: u64 = 100;

/// One change of a contact's lead score.
#[derive(SimpleObject)]
pub struct LeadScoreChange {
    pub previous: i32,
    pub score: i32,
    /// What moved it: an engagement, a changed field, a changed rule.
    pub reason: String,
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

#[derive(InputObject)]
pub struct TrackEngagementInput {
    pub contact_id: ID,
    pub kind: EngagementKind,
    /// Defaults to now.
    pub occurred_at: Option<DateTime<Utc>>,
    /// What was engaged with: a URL, a campaign, a webinar.
    pub detail: Option<String>,
}

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
        input: TrackEngagementInput,
    ) -> ApiResult<TrackEngagementPayload> {
        let actor = writer(ctx, Area::Contacts)?;
        let contact_id = ids::decode(&input.contact_id, Kind::Contact, "input.contactId")?;
        let detail = text::optional_text(input.detail.as_deref(), 500)
            .map_err(ApiError::invalid("input.detail"))?;
        let txn = begin(ctx).await?;
        let before = check_reference::<Contact>(&txn, actor, Some(contact_id), "input.contactId")
            .await?
            .map_or(0, |c| c.lead_score);
        let at = now();
        engagement::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            contact_id: Set(contact_id),
            kind: Set(input.kind),
            occurred_at: Set(input.occurred_at.map_or(at, |t| t.trunc_subsecs(6))),
            detail: Set(detail),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        let reason = format!("engagement {:?}", input.kind);
        recompute(
            &txn,
            actor.workspace_id,
            Which::Contact(contact_id),
            &reason,
            at,
        )
        .await?;
        let contact = load_live::<Contact>(&txn, actor, contact_id).await?;
        let event = event_for::<Contact>(&contact, "engaged")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(TrackEngagementPayload {
            contact: Contact(Level::single(contact)),
            previous_score: before,
        })
    }
}
