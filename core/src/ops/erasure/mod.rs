//! `eraseContact`: a person's identity and descriptive data removed for
//! good, in one transaction, keeping the anonymised facts analytics count.
//!
//! - The contact row: names become "Erased contact"; email, phone, job
//!   title, city, birthdate, custom field values and the consent's source
//!   are cleared. Kept: ids,
//!   company, owner, lifecycle stage, country (a coarse fact analytics group
//!   by), lead score, the fact, time and legal basis of consent and of an
//!   unsubscription, campaign touches, merge and deletion marks, dates.
//! - Its external ids are deleted (they name the person in another system).
//! - Documents kept on the contact are deleted, rows and files.
//! - Every copy of the erased values in the workspace's text and JSON
//!   ([`scrub`]) and in raw import uploads ([`chunks`]).
//! - Deals, tickets, orders, survey scores, engagements and activities stay,
//!   with their amounts, times and scores: only their copies of the values go.
//! - `erasure` records who erased whom, when and why; the contact gets an
//!   `erased` history entry and a `contact.erased` event (outbox, webhooks,
//!   live bus), both holding the anonymised contact only.
//!
//! An erased contact stays erased: erasing again and `updateContact` are
//! refused. ADMIN only.

mod chunks;
mod scrub;

use entity::enums::Role;
use entity::{contact, erasure, external_id};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::Kind;
use crate::access::Actor;
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::store::{Author, Core, event_for, expect_one_row, load_any, new_id, now};

pub use scrub::ERASED;

/// What an erased contact's first and last names become.
pub const ERASED_FIRST_NAME: &str = "Erased";
pub const ERASED_LAST_NAME: &str = "contact";

/// Longest `reason`.
const REASON_MAX: usize = 1000;

/// Name parts, titles and cities shorter than this are replaced only as
/// whole JSON strings: a bare "Al" would eat into every word holding it.
const BARE_MIN_CHARS: usize = 4;

/// `eraseContact(id, reason)`.
#[derive(Debug, Clone)]
pub struct Erase {
    pub contact_id: Uuid,
    pub reason: Option<String>,
}

/// The contact after its erasure, and the record of it.
#[derive(Debug, Clone)]
pub struct Erased {
    pub contact: contact::Model,
    pub erasure: erasure::Model,
}

/// Erases a contact (live, deleted or merged) of the actor's workspace.
pub async fn erase_contact(core: &Core, actor: &Actor, command: Erase) -> CoreResult<Erased> {
    may_erase(actor)?;
    let reason = text::optional_text(command.reason.as_deref(), REASON_MAX)
        .map_err(CoreError::invalid("reason"))?;
    let txn = core.begin().await?;
    let before = load_any::<contact::Entity>(&txn, actor, command.contact_id).await?;
    if before.erased_at.is_some() {
        return Err(CoreError::bad_input("id", "this contact is already erased"));
    }
    let at = now();
    // Recorded first, so that a reason quoting the person is scrubbed too.
    let record = erasure::ActiveModel {
        id: Set(new_id()),
        workspace_id: Set(actor.workspace_id),
        contact_id: Set(before.id),
        erased_by: Set(actor.member_id),
        erased_at: Set(at),
        reason: Set(reason),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    anonymise(&txn, &before, at).await?;
    external_id::Entity::delete_many()
        .filter(external_id::Column::WorkspaceId.eq(actor.workspace_id))
        .filter(external_id::Column::RecordType.eq(Kind::Contact.name()))
        .filter(external_id::Column::RecordId.eq(before.id))
        .exec(&txn)
        .await?;
    let values = values_of(&before);
    scrub::scrub(&txn, actor.workspace_id, &values).await?;
    let raw: Vec<String> = identity_of(&before)
        .into_iter()
        .map(str::to_owned)
        .chain(before.birthdate.map(|d| d.to_string()))
        .collect();
    chunks::scrub(&txn, actor.workspace_id, &markers_of(&before)[1..], &raw).await?;
    // Documents kept on the contact go with their files (after the commit).
    let documents = crate::ops::document::of_records(
        &txn,
        actor.workspace_id,
        entity::enums::CustomFieldRecordType::Contact,
        &[before.id],
    )
    .await?;
    let ids: Vec<Uuid> = documents.iter().map(|document| document.id).collect();
    let files = crate::ops::document::remove_in(&txn, actor.workspace_id, &ids).await?;
    let contact = load_any::<contact::Entity>(&txn, actor, before.id).await?;
    let erasure = erasure::Entity::find_by_id(record.id)
        .filter(erasure::Column::WorkspaceId.eq(actor.workspace_id))
        .one(&txn)
        .await?
        .ok_or(CoreError::NotFound("Erasure"))?;
    let event = event_for::<contact::Entity>(&contact, "erased")?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    core.files.delete_all(&files).await;
    Ok(Erased { contact, erasure })
}

/// Refuses every role but ADMIN (doors call it before parsing arguments,
/// so a refused role learns nothing about them).
pub fn may_erase(actor: &Actor) -> CoreResult<()> {
    if actor.role != Role::Admin {
        return Err(CoreError::Forbidden(format!(
            "the {:?} role may not erase contacts (ADMIN may)",
            actor.role
        )));
    }
    Ok(())
}

/// Writes the anonymised contact over `before`, one version on.
async fn anonymise(
    txn: &DatabaseTransaction,
    before: &contact::Model,
    at: chrono::DateTime<chrono::Utc>,
) -> CoreResult<()> {
    let change = contact::ActiveModel {
        first_name: Set(ERASED_FIRST_NAME.to_owned()),
        last_name: Set(ERASED_LAST_NAME.to_owned()),
        email: Set(None),
        phone: Set(None),
        job_title: Set(None),
        city: Set(None),
        birthdate: Set(None),
        consent_source: Set(None),
        // Custom values are the workspace's own descriptive data about the
        // person: all of them go.
        custom_fields: Set(serde_json::json!({})),
        erased_at: Set(Some(at)),
        version: Set(before.version + 1),
        updated_at: Set(at),
        ..Default::default()
    };
    let rows = contact::Entity::update_many()
        .set(change)
        .filter(contact::Column::WorkspaceId.eq(before.workspace_id))
        .filter(contact::Column::Id.eq(before.id))
        .filter(contact::Column::Version.eq(before.version))
        .exec(txn)
        .await?
        .rows_affected;
    expect_one_row(rows)
}

/// The contact's identifying and descriptive text, longest first (a full
/// name before the names in it).
fn identity_of(contact: &contact::Model) -> Vec<&str> {
    let mut values: Vec<&str> = [
        contact.email.as_deref(),
        contact.phone.as_deref(),
        contact.job_title.as_deref(),
        contact.city.as_deref(),
        contact.consent_source.as_deref(),
        Some(contact.first_name.as_str()),
        Some(contact.last_name.as_str()),
    ]
    .into_iter()
    .flatten()
    .filter(|v| !v.trim().is_empty())
    .collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.chars().count()));
    values.dedup();
    values
}

/// The contact's id, email and phone: what marks a row as its own.
fn markers_of(contact: &contact::Model) -> Vec<String> {
    std::iter::once(contact.id.to_string())
        .chain(contact.email.clone())
        .chain(contact.phone.clone())
        .collect()
}

/// The replacements and markers of the scrub.
fn values_of(contact: &contact::Model) -> scrub::Values {
    let mut replacements = Vec::new();
    if let Some(birthdate) = contact.birthdate.map(|d| d.to_string()) {
        // As serde and PostgreSQL's jsonb write it, then anywhere else.
        for gap in ["", " "] {
            replacements.push((
                format!("\"birthdate\":{gap}\"{birthdate}\""),
                format!("\"birthdate\":{gap}null"),
            ));
        }
        replacements.push((format!("\"{birthdate}\""), format!("\"{ERASED}\"")));
    }
    let full_name = format!("{} {}", contact.first_name, contact.last_name);
    replacements.push((full_name, ERASED.to_owned()));
    for value in identity_of(contact) {
        replacements.push((format!("\"{value}\""), format!("\"{ERASED}\"")));
        let identifying =
            contact.email.as_deref() == Some(value) || contact.phone.as_deref() == Some(value);
        if identifying || value.chars().count() >= BARE_MIN_CHARS {
            replacements.push((value.to_owned(), ERASED.to_owned()));
        }
    }
    scrub::Values {
        contact_id: contact.id,
        replacements,
        markers: markers_of(contact),
    }
}
