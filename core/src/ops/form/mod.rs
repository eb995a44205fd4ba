//! Web forms (ADMIN writes): a public form a website embeds, whose
//! submissions create or update a contact and its company, record consent,
//! track a FORM_SUBMISSION engagement and hand new contacts to the form's
//! owners in turn ([`submit`]). The public endpoint is the server's
//! `POST /forms/{formKey}`; the snippet to paste is [`embed::html`].

mod answers;
pub mod embed;
pub mod fields;
mod settings;
pub mod submit;

pub use fields::{FormField, Target};
pub use settings::{FormSettings, origin};

use crate::store::Fresh;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::enums::Role;
use entity::form;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use uuid::Uuid;

use crate::access::Actor;
use crate::error::{CoreError, CoreResult};
use crate::store::key_directory::{self, KeyKind};
use crate::store::{
    Author, Core, check_version, event_for, event_for_new, load_any, load_live, new_id, now,
    save_if_unchanged, set_deleted,
};

/// The hidden input a person leaves empty and a spam robot fills.
pub const HONEYPOT: &str = "_hp_website";
/// The checkbox a person ticks to consent.
pub const CONSENT: &str = "consent";

/// `FORBIDDEN` unless the actor is an ADMIN: a form writes contacts for
/// anyone on the web.
pub fn require_admin(actor: &Actor) -> CoreResult<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(CoreError::Forbidden(format!(
            "the {:?} role may not manage web forms",
            actor.role
        )))
    }
}

/// A fresh form key: 24 random bytes, URL-safe base64 (192 bits: not guessable).
fn new_key() -> String {
    let mut key = [0u8; 24];
    rand::rng().fill_bytes(&mut key);
    URL_SAFE_NO_PAD.encode(key)
}

/// Adds a form; its submissions act as `actor`'s member.
pub async fn create(core: &Core, actor: &Actor, settings: FormSettings) -> CoreResult<form::Model> {
    require_admin(actor)?;
    let txn = core.begin().await?;
    let checked = settings::check(&txn, actor, settings).await?;
    let form_key = new_key();
    key_directory::enter(&txn, KeyKind::Form, &form_key, actor.workspace_id).await?;
    let at = now();
    let row = form::ActiveModel {
        id: Set(new_id()),
        workspace_id: Set(actor.workspace_id),
        name: Set(checked.name),
        form_key: Set(form_key),
        fields: Set(checked.fields),
        consent_text: Set(checked.consent_text),
        legal_basis: Set(checked.legal_basis),
        owner_ids: Set(checked.owner_ids),
        owner_turn: Set(0),
        allowed_origins: Set(checked.allowed_origins),
        redirect_url: Set(checked.redirect_url),
        campaign_id: Set(checked.campaign_id),
        created_by: Set(actor.member_id),
        ..Default::default()
    }
    .fresh(at)
    .insert(&txn)
    .await?;
    let event = event_for_new::<form::Entity>(&row, "created")?;
    finish(core, txn, actor, row, event).await
}

/// Replaces form `id`'s settings (its key stays); with `expected_version`,
/// refuses (`CONFLICT`) if it changed since.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    settings: FormSettings,
    expected_version: Option<i32>,
) -> CoreResult<form::Model> {
    require_admin(actor)?;
    let txn = core.begin().await?;
    let current = load_live::<form::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let checked = settings::check(&txn, actor, settings).await?;
    let change = form::ActiveModel {
        name: Set(checked.name),
        fields: Set(checked.fields),
        consent_text: Set(checked.consent_text),
        legal_basis: Set(checked.legal_basis),
        owner_ids: Set(checked.owner_ids),
        allowed_origins: Set(checked.allowed_origins),
        redirect_url: Set(checked.redirect_url),
        campaign_id: Set(checked.campaign_id),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row = save_if_unchanged::<form::Entity>(&txn, actor, id, current.version, change).await?;
    let event = event_for::<form::Entity>(&row, "updated")?;
    finish(core, txn, actor, row, event).await
}

/// Deletes (`delete`, restorable; its URL answers 404 meanwhile) or
/// restores form `id`.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<form::Model> {
    require_admin(actor)?;
    let txn = core.begin().await?;
    let row = load_any::<form::Entity>(&txn, actor, id).await?;
    match (delete, row.deleted_at) {
        (true, Some(_)) => return Err(CoreError::NotFound("Form")),
        (false, None) => return Err(CoreError::bad_input("id", "this form is not deleted")),
        _ => {}
    }
    check_version(expected_version, row.version)?;
    set_deleted::<form::Entity>(&txn, actor, id, row.version, delete).await?;
    let row = load_any::<form::Entity>(&txn, actor, id).await?;
    let event = event_for::<form::Entity>(&row, if delete { "deleted" } else { "restored" })?;
    finish(core, txn, actor, row, event).await
}

async fn finish(
    core: &Core,
    txn: DatabaseTransaction,
    actor: &Actor,
    row: form::Model,
    event: crate::events::NewEvent,
) -> CoreResult<form::Model> {
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(row)
}
