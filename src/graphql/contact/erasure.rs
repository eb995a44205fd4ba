//! `eraseContact`: a thin adapter over `rapport_core::ops::erasure`.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use rapport_core::ops::erasure::{self, Erase};

use super::Contact;
use crate::graphql::context::{actor, state};
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;

/// What `eraseContact` did.
#[derive(SimpleObject)]
pub struct EraseContactPayload {
    /// The contact as it now reads: "Erased contact", its identity and
    /// descriptive fields empty, `erasedAt` set.
    contact: Contact,
    /// When it was erased.
    erased_at: DateTime<Utc>,
    /// The ADMIN who erased it, by global id.
    erased_by: ID,
    /// Why, as given.
    reason: Option<String>,
}

/// Erasure of a person's data.
#[derive(Default)]
pub struct ContactErasureMutation;

#[Object]
impl ContactErasureMutation {
    /// Erases a contact (ADMIN), live, deleted or merged, irreversibly and in
    /// one transaction: its names become "Erased contact"; email, phone, job
    /// title, city, birthdate and consent source are cleared; its external
    /// ids are deleted; and every copy of those values is removed from
    /// history, events, webhook and import records, engagements, activities
    /// and survey answers. Deals, tickets, orders, scores, consent times and
    /// country stay, so figures do not move. Recorded with who and when, a
    /// `ERASED` history entry and a `contact.erased` event, none holding the
    /// erased values. An erased contact cannot be erased again or updated.
    async fn erase_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contact to erase.")] id: ID,
        #[graphql(desc = "Why (at most 1000 characters); keep personal data out of it.")]
        reason: Option<String>,
    ) -> ApiResult<EraseContactPayload> {
        let actor = actor(ctx)?;
        erasure::may_erase(actor)?;
        let contact_id = ids::decode(&id, Kind::Contact, "id")?;
        let command = Erase { contact_id, reason };
        let erased = erasure::erase_contact(&state(ctx)?.core, actor, command).await?;
        Ok(EraseContactPayload {
            contact: Contact(Level::single(erased.contact)),
            erased_at: erased.erasure.erased_at,
            erased_by: ids::encode(Kind::Member, erased.erasure.erased_by),
            reason: erased.erasure.reason,
        })
    }
}
