//! Email consent on contacts: opting in (when, where, on what legal basis)
//! and unsubscribing. Each change is a contact event and goes to history.

use chrono::{DateTime, SubsecRound, Utc};
use entity::contact;
use entity::enums::LegalBasis;
use sea_orm::Set;
use uuid::Uuid;

use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::store::{Author, Core, check_version, event_for, load_live, now, save_if_unchanged};

/// Records that contact `id` agreed to marketing email: where (`source`,
/// e.g. "newsletter form"), on what legal basis, and when (default now).
/// Clears an earlier unsubscription.
pub async fn record(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    source: &str,
    legal_basis: LegalBasis,
    at: Option<DateTime<Utc>>,
    expected_version: Option<i32>,
) -> CoreResult<contact::Model> {
    actor.require(Area::Contacts)?;
    let source = text::required_name(source, 200).map_err(CoreError::invalid("source"))?;
    let change = contact::ActiveModel {
        email_opt_in: Set(true),
        email_opt_in_at: Set(Some(stored_or_now(at))),
        consent_source: Set(Some(source)),
        consent_legal_basis: Set(Some(legal_basis)),
        unsubscribed_at: Set(None),
        ..Default::default()
    };
    save(core, actor, id, expected_version, change, "consented").await
}

/// Records that contact `id` unsubscribed (when, default now): no more
/// marketing email. The consent's source and basis stay as evidence.
pub async fn unsubscribe(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    at: Option<DateTime<Utc>>,
    expected_version: Option<i32>,
) -> CoreResult<contact::Model> {
    actor.require(Area::Contacts)?;
    let change = contact::ActiveModel {
        email_opt_in: Set(false),
        unsubscribed_at: Set(Some(stored_or_now(at))),
        ..Default::default()
    };
    save(core, actor, id, expected_version, change, "unsubscribed").await
}

/// A client's time at the precision the databases keep, so it reads back equal.
fn stored_or_now(at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    at.map_or_else(now, |t| t.trunc_subsecs(6))
}

/// Saves `change` on the contact if still at the checked version, with its event.
async fn save(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    mut change: contact::ActiveModel,
    verb: &str,
) -> CoreResult<contact::Model> {
    let txn = core.begin().await?;
    let current = load_live::<contact::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    change.version = Set(current.version + 1);
    change.updated_at = Set(now());
    let row =
        save_if_unchanged::<contact::Entity>(&txn, actor, id, current.version, change).await?;
    let event = event_for::<contact::Entity>(&row, verb)?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(row)
}
