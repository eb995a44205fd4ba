//! Documents with revisions on companies, contacts, deals and tickets.
//!
//! A document belongs to one record and follows it: everyone who reads the
//! record reads its documents, whoever may change the record may upload to
//! it or delete them, and a deleted record's documents are unreachable until
//! it is restored. Each upload is a revision (v1, v2, …) whose bytes are
//! checked against its declared type, hashed and streamed into the file
//! store ([`crate::files`]) before its row is written: a failed write
//! deletes the bytes again, so no row ever names missing bytes.

mod read;
mod upload;

use entity::enums::CustomFieldRecordType;
use entity::{company, contact, deal, ticket};
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use crate::Kind;
use crate::access::{Actor, Area};
use crate::error::{CoreError, CoreResult};
use crate::store::{Table, load_live};

pub use read::{Held, of_records, readable_revision, revisions_of, workspace_of_revision};
pub(crate) use upload::remove_in;
pub use upload::{Incoming, Target, Upload, Uploaded, delete, upload};

/// Longest title and file name.
pub const NAME_MAX: usize = 255;

/// The record a document is kept on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    pub kind: Kind,
    pub id: Uuid,
}

impl Holder {
    /// The stored record type: `BAD_USER_INPUT` on `field` for a kind that
    /// keeps no documents.
    pub fn record_type(self, field: &str) -> CoreResult<CustomFieldRecordType> {
        self.kind.record_type().ok_or_else(|| {
            CoreError::bad_input(
                field,
                "documents are kept on companies, contacts, deals and tickets",
            )
        })
    }

    /// The holder a stored document names.
    pub fn of(record_type: CustomFieldRecordType, id: Uuid) -> Self {
        Self {
            kind: Kind::of_record_type(record_type),
            id,
        }
    }
}

/// `NOT_FOUND` unless `holder` is live in the actor's workspace, and
/// `FORBIDDEN` unless the actor may change it (as for the record itself:
/// SALES only its own deals and unowned ones). An erased contact takes no
/// new files: its documents were removed with its identity.
async fn check_writable(
    txn: &DatabaseTransaction,
    actor: &Actor,
    holder: Holder,
) -> CoreResult<()> {
    match holder.kind {
        Kind::Company => writable::<company::Entity>(txn, actor, holder.id, Area::Companies).await,
        Kind::Contact => {
            actor.require(Area::Contacts)?;
            let row = load_live::<contact::Entity>(txn, actor, holder.id).await?;
            if row.erased_at.is_some() {
                return Err(CoreError::bad_input("recordId", "this contact is erased"));
            }
            Ok(())
        }
        Kind::Deal => writable::<deal::Entity>(txn, actor, holder.id, Area::Deals).await,
        Kind::Ticket => writable::<ticket::Entity>(txn, actor, holder.id, Area::Tickets).await,
        _ => holder.record_type("recordId").map(drop),
    }
}

async fn writable<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    area: Area,
) -> CoreResult<()> {
    actor.require(area)?;
    let row = load_live::<T>(txn, actor, id).await?;
    T::check_write(actor, &row)
}
