//! Attribution: which campaign first brought a contact (first touch) and
//! which touched it last (last touch), each with the time of the touch.
//!
//! The rules, in one place for every door (engagement tracking, imports,
//! the hand-set mutation):
//! - a touch sets the first touch only while there is none: once set it
//!   never moves, unless someone sets it by hand;
//! - a touch moves the last touch when it is not older than the current
//!   one (touches may arrive out of order, e.g. from an import);
//! - a deal copies its contact's attribution when it is created and keeps
//!   it (see [`copy_to_deal`]), so the revenue a campaign brought does not
//!   move when the contact is touched again later.

use chrono::{DateTime, SubsecRound, Utc};
use entity::{campaign, contact, deal};
use sea_orm::{DatabaseTransaction, Set};
use uuid::Uuid;

use super::Patch;
use crate::access::{Actor, Area};
use crate::error::CoreResult;
use crate::store::{Core, check_reference, check_version, load_live, now, save_if_unchanged};

/// One touch: a campaign, and when it touched the contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Touch {
    pub campaign_id: Uuid,
    pub at: DateTime<Utc>,
}

/// A contact's attribution set by hand; `Keep` leaves a touch as it is,
/// `Clear` removes it.
#[derive(Debug, Clone, Default)]
pub struct SetAttribution {
    pub first: Patch<Touch>,
    pub last: Patch<Touch>,
}

/// The contact's touches after `touch`, or `None` when nothing changes.
fn after_touch(row: &contact::Model, touch: Touch) -> Option<(Touch, Touch)> {
    let first = match (row.first_touch_campaign_id, row.first_touch_at) {
        (Some(campaign_id), Some(at)) => Touch { campaign_id, at },
        _ => touch,
    };
    let last = match (row.last_touch_campaign_id, row.last_touch_at) {
        (Some(campaign_id), Some(at)) if at > touch.at => Touch { campaign_id, at },
        _ => touch,
    };
    let unchanged = Some(first.campaign_id) == row.first_touch_campaign_id
        && Some(first.at) == row.first_touch_at
        && Some(last.campaign_id) == row.last_touch_campaign_id
        && Some(last.at) == row.last_touch_at;
    (!unchanged).then_some((first, last))
}

/// Records a touch of contact `contact` by a campaign inside the caller's
/// transaction (the caller writes the contact's event). The campaign must be
/// live in the workspace, else `field` is refused.
pub async fn touch(
    txn: &DatabaseTransaction,
    actor: &Actor,
    contact: &contact::Model,
    campaign_id: Uuid,
    at: DateTime<Utc>,
    field: &str,
) -> CoreResult<contact::Model> {
    check_reference::<campaign::Entity>(txn, actor, Some(campaign_id), field).await?;
    let touch = Touch {
        campaign_id,
        at: at.trunc_subsecs(6),
    };
    let Some((first, last)) = after_touch(contact, touch) else {
        return Ok(contact.clone());
    };
    let change = touches(contact, Patch::Set(first), Patch::Set(last));
    save_if_unchanged::<contact::Entity>(txn, actor, contact.id, contact.version, change).await
}

/// Sets contact `contact_id`'s touches by hand (whoever may edit contacts):
/// the only way a first touch moves once set.
pub async fn set(
    core: &Core,
    actor: &Actor,
    contact_id: Uuid,
    set: SetAttribution,
    expected_version: Option<i32>,
) -> CoreResult<contact::Model> {
    actor.require(Area::Contacts)?;
    let txn = core.begin().await?;
    let current = load_live::<contact::Entity>(&txn, actor, contact_id).await?;
    check_version(expected_version, current.version)?;
    for (patch, field) in [
        (&set.first, "input.firstTouch.campaignId"),
        (&set.last, "input.lastTouch.campaignId"),
    ] {
        if let Patch::Set(touch) = patch {
            check_reference::<campaign::Entity>(&txn, actor, Some(touch.campaign_id), field)
                .await?;
        }
    }
    let at = |patch: Patch<Touch>| match patch {
        Patch::Set(t) => Patch::Set(Touch {
            at: t.at.trunc_subsecs(6),
            ..t
        }),
        other => other,
    };
    let change = touches(&current, at(set.first), at(set.last));
    let row =
        save_if_unchanged::<contact::Entity>(&txn, actor, contact_id, current.version, change)
            .await?;
    core.finish::<contact::Entity>(txn, actor, row, "attributed")
        .await
}

/// The change that writes `first` and `last` onto `row`, bumping its version.
fn touches(row: &contact::Model, first: Patch<Touch>, last: Patch<Touch>) -> contact::ActiveModel {
    let mut change = contact::ActiveModel {
        version: Set(row.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    if let Some(first) = patched(first) {
        change.first_touch_campaign_id = Set(first.map(|t| t.campaign_id));
        change.first_touch_at = Set(first.map(|t| t.at));
    }
    if let Some(last) = patched(last) {
        change.last_touch_campaign_id = Set(last.map(|t| t.campaign_id));
        change.last_touch_at = Set(last.map(|t| t.at));
    }
    change
}

/// `Some(new value)` for a patch that writes, `None` for `Keep`.
fn patched(patch: Patch<Touch>) -> Option<Option<Touch>> {
    match patch {
        Patch::Keep => None,
        Patch::Clear => Some(None),
        Patch::Set(t) => Some(Some(t)),
    }
}

/// Copies `contact`'s attribution onto a deal being created for it.
pub fn copy_to_deal(model: &mut deal::ActiveModel, contact: &contact::Model) {
    model.first_touch_campaign_id = Set(contact.first_touch_campaign_id);
    model.first_touch_at = Set(contact.first_touch_at);
    model.last_touch_campaign_id = Set(contact.last_touch_campaign_id);
    model.last_touch_at = Set(contact.last_touch_at);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn contact_with(first: Option<Touch>, last: Option<Touch>) -> contact::Model {
        contact::Model {
            id: Uuid::nil(),
            workspace_id: Uuid::nil(),
            company_id: None,
            first_name: String::new(),
            last_name: String::new(),
            email: None,
            phone: None,
            job_title: None,
            lifecycle_stage: entity::enums::LifecycleStage::Lead,
            city: None,
            country: None,
            birthdate: None,
            owner_id: None,
            lead_score: 0,
            email_opt_in: false,
            email_opt_in_at: None,
            consent_source: None,
            consent_legal_basis: None,
            unsubscribed_at: None,
            merged_into: None,
            first_touch_campaign_id: first.map(|t| t.campaign_id),
            first_touch_at: first.map(|t| t.at),
            last_touch_campaign_id: last.map(|t| t.campaign_id),
            last_touch_at: last.map(|t| t.at),
            erased_at: None,
            custom_fields: serde_json::json!({}),
            version: 1,
            deleted_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn the_first_touch_stays_and_the_last_follows_the_latest_time() {
        let t = |campaign: u128, day: u32| Touch {
            campaign_id: Uuid::from_u128(campaign),
            at: Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap(),
        };
        let fresh = contact_with(None, None);
        assert_eq!(after_touch(&fresh, t(1, 5)), Some((t(1, 5), t(1, 5))));
        let touched = contact_with(Some(t(1, 5)), Some(t(1, 5)));
        assert_eq!(after_touch(&touched, t(2, 9)), Some((t(1, 5), t(2, 9))));
        // An older touch arriving late moves neither.
        let later = contact_with(Some(t(1, 5)), Some(t(2, 9)));
        assert_eq!(after_touch(&later, t(3, 7)), None);
    }
}
