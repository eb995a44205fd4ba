//! Email consent on contacts: opting in (when, where, on what legal basis)
//! and unsubscribing; the rules are the core's (`ops::consent`).

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::enums::LegalBasis;
use rapport_core::ops::consent;

use super::contact::ContactPayload;
use super::context::acting;
use super::error::ApiResult;
use super::ids::{self, Kind};
use crate::auth::Area;

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
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "Where the consent was given, e.g. \"newsletter form\".")] source: String,
        #[graphql(desc = "The GDPR ground for emailing the contact.")] legal_basis: LegalBasis,
        #[graphql(desc = "When the consent was given; default now.")] at: Option<DateTime<Utc>>,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<ContactPayload> {
        let (core, actor) = acting(ctx, Area::Contacts)?;
        let id = ids::decode(&id, Kind::Contact, "id")?;
        let row =
            consent::record(core, actor, id, &source, legal_basis, at, expected_version).await?;
        Ok(ContactPayload::of(row))
    }

    /// Records that the contact unsubscribed (when, default now): no more
    /// marketing email. The consent's source and basis stay as evidence.
    async fn unsubscribe_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "When the contact unsubscribed; default now.")] at: Option<DateTime<Utc>>,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<ContactPayload> {
        let (core, actor) = acting(ctx, Area::Contacts)?;
        let id = ids::decode(&id, Kind::Contact, "id")?;
        let row = consent::unsubscribe(core, actor, id, at, expected_version).await?;
        Ok(ContactPayload::of(row))
    }
}
