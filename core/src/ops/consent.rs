//! Email consent on contacts: opting in (when, where, on what legal basis)
//! and unsubscribing. Each change is a contact event and goes to history.

use chrono::{DateTime, SubsecRound, Utc};
use entity::contact;
use entity::enums::LegalBasis;
use sea_orm::{DatabaseTransaction, Set};
use uuid::Uuid;

use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::store::{Core, check_version, event_for, load_live, now, save_if_unchanged};

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
    let change = consented(actor, source, legal_basis, at)?;
    save(core, actor, id, expected_version, change, "consented").await
}

/// [`record`] in the caller's transaction (a web form's submission): the
/// contact and its event, for the caller to commit.
pub async fn record_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    source: &str,
    legal_basis: LegalBasis,
) -> CoreResult<(contact::Model, NewEvent)> {
    let change = consented(actor, source, legal_basis, None)?;
    save_in(txn, actor, id, None, change, "consented").await
}

/// The change that records consent.
fn consented(
    actor: &Actor,
    source: &str,
    legal_basis: LegalBasis,
    at: Option<DateTime<Utc>>,
) -> CoreResult<contact::ActiveModel> {
    actor.require(Area::Contacts)?;
    let source = text::required_name(source, 200).map_err(CoreError::invalid("source"))?;
    Ok(contact::ActiveModel {
        email_opt_in: Set(true),
        email_opt_in_at: Set(Some(stored_or_now(at))),
        consent_source: Set(Some(source)),
        consent_legal_basis: Set(Some(legal_basis)),
        unsubscribed_at: Set(None),
        ..Default::default()
    })
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
    change: contact::ActiveModel,
    verb: &str,
) -> CoreResult<contact::Model> {
    core.alone(actor, async |txn| {
        save_in(txn, actor, id, expected_version, change, verb).await
    })
    .await
}

/// [`save`] in the caller's transaction.
async fn save_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    mut change: contact::ActiveModel,
    verb: &str,
) -> CoreResult<(contact::Model, NewEvent)> {
    let current = load_live::<contact::Entity>(txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    change.version = Set(current.version + 1);
    change.updated_at = Set(now());
    let row = save_if_unchanged::<contact::Entity>(txn, actor, id, current.version, change).await?;
    let event = event_for::<contact::Entity>(&row, verb)?;
    Ok((row, event))
}
