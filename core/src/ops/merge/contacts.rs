//! `mergeContacts`: duplicates of a person folded into one contact.

use entity::contact;

use super::fields::{Default, Field, fill};
use super::{Merge, Merged, Spec, merge};
use crate::access::Actor;
use crate::error::CoreResult;
use crate::ops::unique::Unique;
use crate::rules::scoring::Which;
use crate::rules::stored_figures::Owners;
use crate::store::Core;

/// What `keep` may name on a contact, and the columns each moves.
const FIELDS: &[Field] = &[
    fill("firstName", &["first_name"]),
    fill("lastName", &["last_name"]),
    fill("email", &["email"]),
    fill("phone", &["phone"]),
    fill("jobTitle", &["job_title"]),
    Field {
        name: "lifecycleStage",
        columns: &["lifecycle_stage"],
        default: Default::Survivor,
    },
    fill("city", &["city"]),
    fill("country", &["country"]),
    fill("birthdate", &["birthdate"]),
    fill("companyId", &["company_id"]),
    fill("ownerId", &["owner_id"]),
    Field {
        name: "emailConsent",
        columns: &[
            "email_opt_in",
            "email_opt_in_at",
            "consent_source",
            "consent_legal_basis",
            "unsubscribed_at",
        ],
        default: Default::LatestOf(&["email_opt_in_at", "unsubscribed_at"]),
    },
    // The person's first touch is the earliest any duplicate had, the last
    // the latest: what the campaign figures and CAC credit.
    Field {
        name: "firstTouch",
        columns: &["first_touch_campaign_id", "first_touch_at"],
        default: Default::EarliestOf("first_touch_at"),
    },
    Field {
        name: "lastTouch",
        columns: &["last_touch_campaign_id", "last_touch_at"],
        default: Default::LatestOf(&["last_touch_at"]),
    },
];

/// Merges `command.merged` contacts into `command.survivor`: their deals
/// (and roles on them), tickets, activities, orders, survey answers,
/// engagements, score history, tags and external ids become the survivor's.
pub async fn merge_contacts(
    core: &Core,
    actor: &Actor,
    command: Merge,
) -> CoreResult<Merged<contact::Model>> {
    let spec = Spec {
        fields: FIELDS,
        unique: Unique::ContactEmail,
        rescore: Which::Contact,
        // Each one's figures, and its company's (answers and best lead score).
        owners: |before: &contact::Model, chosen: &contact::Model, merged: &[contact::Model]| {
            let owners =
                Owners::of(Some(before.id), before.company_id).and(None, chosen.company_id);
            merged.iter().fold(owners, |owners, row| {
                owners.and(Some(row.id), row.company_id)
            })
        },
        // Its identity is gone for good: a merge would bring one back onto
        // it (as survivor) or move the erased person's records (as merged).
        refuse: |row: &contact::Model| {
            row.erased_at
                .is_some()
                .then_some("is an erased contact, which takes no part in a merge")
        },
    };
    merge::<contact::Entity>(core, actor, command, spec).await
}
