//! Attribution as the API shows it: `Contact.firstTouch` / `lastTouch`,
//! the same on `Deal` (copied from its contact at creation), and the
//! hand-set `setContactAttribution`. The rules live in
//! `rapport_core::ops::attribution`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use rapport_core::ops::Patch;
use rapport_core::ops::attribution::{self, SetAttribution, Touch as CoreTouch};
use uuid::Uuid;

use super::Campaign;
use crate::auth::Area;
use crate::graphql::contact::Contact;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::{Level, Row};
use crate::graphql::list;

/// A campaign's touch of a contact.
#[derive(SimpleObject)]
pub struct Touch {
    /// The campaign; null when it has been deleted since.
    pub campaign: Option<Campaign>,
    /// When it touched the contact.
    pub at: DateTime<Utc>,
}

/// The touch of `row` read by `campaign` and `at`, its campaign loaded for
/// the row's whole level at once (`field` names the load).
pub async fn touch_of<P: Send + Sync + 'static>(
    ctx: &Context<'_>,
    row: &Row<P>,
    field: &str,
    campaign: fn(&P) -> Option<Uuid>,
    at: fn(&P) -> Option<DateTime<Utc>>,
) -> ApiResult<Option<Touch>> {
    let Some(at) = at(row.model()) else {
        return Ok(None);
    };
    let campaign = list::referenced(ctx, row, field, campaign).await?;
    Ok(Some(Touch { campaign, at }))
}

/// A touch set by hand.
#[derive(InputObject)]
pub struct TouchInput {
    /// The campaign, by global id.
    pub campaign_id: ID,
    /// When it touched the contact; now when omitted.
    pub at: Option<DateTime<Utc>>,
}

/// A contact's attribution set by hand: omitted touches stay, `null`
/// clears one.
#[derive(InputObject, Default)]
pub struct SetContactAttributionInput {
    /// The first touch. Set by hand it moves even when one is set already.
    pub first_touch: MaybeUndefined<TouchInput>,
    /// The last touch.
    pub last_touch: MaybeUndefined<TouchInput>,
}

/// The result of `setContactAttribution`.
#[derive(SimpleObject)]
pub struct SetContactAttributionPayload {
    /// The contact as the mutation left it.
    pub contact: Contact,
}

/// `input` as a core patch; `field` names it in errors.
fn touch_patch(input: MaybeUndefined<TouchInput>, field: &str) -> ApiResult<Patch<CoreTouch>> {
    Ok(match input {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(touch) => Patch::Set(CoreTouch {
            campaign_id: ids::decode(&touch.campaign_id, Kind::Campaign, field)?,
            at: touch.at.unwrap_or_else(Utc::now),
        }),
    })
}

#[derive(Default)]
pub struct AttributionMutation;

#[Object]
impl AttributionMutation {
    /// Sets a contact's first and/or last touch by hand (whoever may edit
    /// contacts). Deals already created keep the attribution they copied.
    async fn set_contact_attribution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contact's global id.")] contact_id: ID,
        #[graphql(desc = "The touches to set or clear.")] input: SetContactAttributionInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<SetContactAttributionPayload> {
        let (core, actor) = acting(ctx, Area::Contacts)?;
        let contact_id = ids::decode(&contact_id, Kind::Contact, "contactId")?;
        let set = SetAttribution {
            first: touch_patch(input.first_touch, "input.firstTouch.campaignId")?,
            last: touch_patch(input.last_touch, "input.lastTouch.campaignId")?,
        };
        let row = attribution::set(core, actor, contact_id, set, expected_version).await?;
        Ok(SetContactAttributionPayload {
            contact: Contact(Level::single(row)),
        })
    }
}
