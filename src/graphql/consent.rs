//! Email consent on contacts: opting in (when, where, on what legal basis)
//! and unsubscribing. Each change is a contact event and goes to history.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, SubsecRound, Utc};
use entity::contact;
use entity::enums::LegalBasis;
use sea_orm::Set;

use super::contact::{Contact, ContactPayload};
use super::context::writer;
use super::error::{ApiError, ApiResult};
use super::ids::{self, Kind};
use super::level::Level;
use super::write::{self, begin, check_version, commit, event_for, load_live, now};
use crate::auth::Area;
use crate::domain::text;

async fn save(
    ctx: &Context<'_>,
    id: ID,
    expected_version: Option<i32>,
    mut change: contact::ActiveModel,
    verb: &str,
) -> ApiResult<ContactPayload> {
    let actor = writer(ctx, Area::Contacts)?;
    let id = ids::decode(&id, Kind::Contact, "id")?;
    let txn = begin(ctx).await?;
    let current = load_live::<Contact>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    change.version = Set(current.version + 1);
    change.updated_at = Set(now());
    let row = write::save_if_unchanged::<Contact>(&txn, actor, id, current.version, change).await?;
    let event = event_for::<Contact>(&row, verb)?;
    commit(ctx, txn, actor, vec![event]).await?;
    Ok(ContactPayload {
        contact: Contact(Level::single(row)),
    })
}

#[derive(Default)]
pub struct ConsentMutation;

#[Object]
impl ConsentMutation {
    /// Records that the contact agreed to marketing email: where (`source`,
    /// e.g. "newsletter form"), on what legal basis, and when (default now).
    /// Clears an earlier unsubscription.
    async fn record_email_consent(
        &self,
        ctx: &Context<'_>,
        id: ID,
        source: String,
        legal_basis: LegalBasis,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i32>,
    ) -> ApiResult<ContactPayload> {
        let source = text::required_name(&source, 200).map_err(ApiError::invalid("source"))?;
        let change = contact::ActiveModel {
            email_opt_in: Set(true),
            email_opt_in_at: Set(Some(at.map_or_else(now, |t| t.trunc_subsecs(6)))),
            consent_source: Set(Some(source)),
            consent_legal_basis: Set(Some(legal_basis)),
            unsubscribed_at: Set(None),
            ..Default::default()
        };
        save(ctx, id, expected_version, change, "consented").await
    }

    /// Records that the contact unsubscribed (when, default now): no more
    /// marketing email. The consent's source and basis stay as evidence.
    async fn unsubscribe_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i32>,
    ) -> ApiResult<ContactPayload> {
        let change = contact::ActiveModel {
            email_opt_in: Set(false),
            unsubscribed_at: Set(Some(at.map_or_else(now, |t| t.trunc_subsecs(6)))),
            ..Default::default()
        };
        save(ctx, id, expected_version, change, "unsubscribed").await
    }
}
