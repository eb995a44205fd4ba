//! Tracked engagement: a contact's page view, email click or webinar
//! sign-up, which moves the contact's lead score.

use chrono::{DateTime, SubsecRound, Utc};
use entity::enums::EngagementKind;
use entity::{contact, engagement};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use uuid::Uuid;

use super::attribution;
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::rules::scoring::{Which, recompute};
use crate::rules::stored_figures::{self, Inputs, Owners};
use crate::store::{Author, Core, check_reference, event_for, load_live, now};

/// Longest detail.
const DETAIL_MAX: usize = 500;

/// One engagement of a contact.
#[derive(Debug, Clone)]
pub struct NewEngagement {
    pub contact_id: Uuid,
    pub kind: EngagementKind,
    /// Defaults to now.
    pub occurred_at: Option<DateTime<Utc>>,
    /// What was engaged with: a URL, a campaign, a webinar.
    pub detail: Option<String>,
    /// The campaign that brought the engagement: a touch (see
    /// [`attribution`](super::attribution)) at `occurred_at`.
    pub campaign_id: Option<Uuid>,
}

/// The contact after an engagement, and its score before.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub contact: contact::Model,
    pub previous_score: i32,
    /// The engagement recorded.
    pub engagement_id: Uuid,
}

/// Records an engagement and rescores the contact in the same transaction.
pub async fn track(core: &Core, actor: &Actor, new: NewEngagement) -> CoreResult<Tracked> {
    let txn = core.begin().await?;
    let (tracked, event) = track_in(&txn, actor, new).await?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(tracked)
}

/// [`track`] in the caller's transaction (a web form's submission): what
/// was tracked and the contact's event, for the caller to commit.
pub async fn track_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    new: NewEngagement,
) -> CoreResult<(Tracked, NewEvent)> {
    actor.require(Area::Contacts)?;
    let detail = text::optional_text(new.detail.as_deref(), DETAIL_MAX)
        .map_err(CoreError::invalid("input.detail"))?;
    let contact_id = new.contact_id;
    let engaged =
        check_reference::<contact::Entity>(txn, actor, Some(contact_id), "input.contactId").await?;
    let before = engaged.as_ref().map_or(0, |c| c.lead_score);
    let company_id = engaged.and_then(|c| c.company_id);
    let at = now();
    let occurred_at = new.occurred_at.map_or(at, |t| t.trunc_subsecs(6));
    let engagement_id = crate::store::new_id();
    engagement::ActiveModel {
        id: Set(engagement_id),
        workspace_id: Set(actor.workspace_id),
        contact_id: Set(contact_id),
        kind: Set(new.kind),
        occurred_at: Set(occurred_at),
        detail: Set(detail),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(txn)
    .await?;
    let owners = Owners::of(Some(contact_id), company_id);
    stored_figures::refresh(txn, actor.workspace_id, &owners, &[Inputs::Touches]).await?;
    let reason = format!("engagement {:?}", new.kind);
    recompute(
        txn,
        actor.workspace_id,
        Which::Contact(contact_id),
        &reason,
        at,
    )
    .await?;
    let mut contact = load_live::<contact::Entity>(txn, actor, contact_id).await?;
    if let Some(campaign_id) = new.campaign_id {
        let field = "input.campaignId";
        contact = attribution::touch(txn, actor, &contact, campaign_id, occurred_at, field).await?;
    }
    let event = event_for::<contact::Entity>(&contact, "engaged")?;
    let tracked = Tracked {
        contact,
        previous_score: before,
        engagement_id,
    };
    Ok((tracked, event))
}
