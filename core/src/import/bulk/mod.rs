//! The quick path of company and contact imports.
//!
//! Written row by row, a contact costs about 16 statements (its lookups, its
//! savepoint, its insert, history, external id, score and its company's
//! figures), which holds an import to a few hundred rows a second. Most rows
//! of a real file simply create a record, so a batch first takes those rows
//! aside: a row whose keys (external id, email or domain) no record holds
//! and no other row of the batch repeats, whose links (company, owner) all
//! name a live record, that touches no campaign, holds no unique custom
//! field value and passes every check of the core's `check_new`. Those are
//! written together: one lookup per kind of key for the whole batch, then
//! multi-row inserts of the records, their external ids and history, one
//! scoring of the new contacts (each at its `createdAt`) and one refresh of
//! their companies' figures. The other rows then go the row-by-row way,
//! with the same outcome they always had. The quick path runs in a
//! savepoint: if it fails (another writer took an email meanwhile), it is
//! undone and every row of the batch goes row by row.

mod insert;
mod known;

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use entity::custom_field::Model as Definition;
use entity::enums::CustomFieldRecordType;
use sea_orm::{DatabaseTransaction, Set, TransactionTrait};
use uuid::Uuid;

use super::cells::Cells;
use super::people::{company_input, contact_input};
use super::written::Written;
use super::{ImportType, SourceRow, touches};
use crate::Kind;
use crate::access::Actor;
use crate::domain::{email, text};
use crate::error::CoreResult;
use crate::ops::custom_field::{self, values};
use crate::ops::external_id::ExternalId;
use crate::ops::{company, contact};
use known::{Known, RowKeys};

/// One import batch's rows for the quick path; `None` for a row that must
/// go row by row whatever it holds (unreadable, or an unknown column).
pub struct Batch<'a> {
    pub txn: &'a DatabaseTransaction,
    pub actor: &'a Actor,
    pub source: &'a str,
    pub ty: ImportType,
    pub rows: Vec<Option<&'a SourceRow>>,
    pub written: &'a Mutex<Written>,
}

/// A row the quick path writes: its position in the batch, its record
/// (stamped at its creation time) and its external ids.
pub struct Ready<M> {
    pub index: usize,
    pub id: Uuid,
    pub model: M,
    pub external_ids: Vec<ExternalId>,
    pub at: DateTime<Utc>,
}

/// The columns of a contact row that touch a campaign (written row by row).
const TOUCH_COLUMNS: [&str; 3] = ["campaign", touches::EXTERNAL_ID, "campaignTouchedAt"];

impl Batch<'_> {
    /// Writes the rows that simply create a record and tells which (by
    /// position in the batch); the caller writes the others row by row.
    pub async fn write_quick(&self) -> CoreResult<Vec<bool>> {
        let mut written = vec![false; self.rows.len()];
        let kind = match self.ty {
            ImportType::Companies => Kind::Company,
            ImportType::Contacts => Kind::Contact,
            _ => return Ok(written),
        };
        let savepoint = self.txn.begin().await?;
        match self.write_in(&savepoint, kind).await {
            Ok(indexes) => {
                savepoint.commit().await?;
                for index in indexes {
                    written[index] = true;
                }
            }
            Err(error) => {
                tracing::warn!(error = ?error, "an import batch's quick path failed; its rows go one by one");
                savepoint.rollback().await?;
            }
        }
        Ok(written)
    }

    async fn write_in(&self, txn: &DatabaseTransaction, kind: Kind) -> CoreResult<Vec<usize>> {
        let cells: Vec<Option<Cells<'_>>> = self
            .rows
            .iter()
            .map(|row| row.map(|r| Cells::new(&r.values)))
            .collect();
        let keys: Vec<Option<RowKeys>> = cells
            .iter()
            .map(|c| c.as_ref().and_then(|c| keys_of(kind, c)))
            .collect();
        let repeated = repeated_keys(&keys);
        let listed: Vec<RowKeys> = keys.iter().flatten().cloned().collect();
        let known = Known::load(txn, self.actor, self.source, kind, &listed).await?;
        let record_type = match kind {
            Kind::Company => CustomFieldRecordType::Company,
            _ => CustomFieldRecordType::Contact,
        };
        let workspace = self.actor.workspace_id;
        let definitions = custom_field::definitions(txn, workspace, record_type, false).await?;
        let mut companies = Vec::new();
        let mut contacts = Vec::new();
        for (index, (cells, keys)) in cells.iter().zip(&keys).enumerate() {
            let (Some(cells), Some(keys)) = (cells, keys) else {
                continue;
            };
            if !is_new(&known, keys, &repeated) || has_touch(cells) {
                continue;
            }
            let Some((company_id, owner)) = linked(&known, keys) else {
                continue;
            };
            let Ok(at) = cells.time("createdAt") else {
                continue;
            };
            let at = at.unwrap_or_else(Utc::now);
            if kind == Kind::Company {
                let made = self.company(cells, owner, &definitions, at);
                companies.extend(ready(index, at, made, |m| m.id.try_as_ref().copied()));
            } else {
                let made = self.contact(cells, company_id, owner, &definitions, at);
                contacts.extend(ready(index, at, made, |m| m.id.try_as_ref().copied()));
            }
        }
        let writer = insert::Writer {
            txn,
            actor: self.actor,
            written: self.written,
        };
        let mut indexes: Vec<usize> = companies.iter().map(|r| r.index).collect();
        indexes.extend(contacts.iter().map(|r| r.index));
        writer.companies(companies).await?;
        writer.contacts(contacts).await?;
        Ok(indexes)
    }

    /// A company row checked as `create_in` checks it, bar the database.
    fn company(
        &self,
        cells: &Cells<'_>,
        owner: Option<Uuid>,
        definitions: &[Definition],
        at: DateTime<Utc>,
    ) -> Option<(entity::company::ActiveModel, Vec<ExternalId>)> {
        let new = company_input(self.source, cells, owner).ok()?;
        let (mut model, ids) = company::check_new(self.actor, new, definitions).ok()?;
        if values::holds_unique(definitions, model.custom_fields.try_as_ref()) {
            return None;
        }
        (model.created_at, model.updated_at) = (Set(at), Set(at));
        Some((model, ids))
    }

    /// A contact row checked as `create_in` checks it, bar the database.
    fn contact(
        &self,
        cells: &Cells<'_>,
        company_id: Option<Uuid>,
        owner: Option<Uuid>,
        definitions: &[Definition],
        at: DateTime<Utc>,
    ) -> Option<(entity::contact::ActiveModel, Vec<ExternalId>)> {
        let new = contact_input(self.source, cells, company_id, owner).ok()?;
        let (mut model, ids) = contact::check_new(self.actor, new, definitions).ok()?;
        if values::holds_unique(definitions, model.custom_fields.try_as_ref()) {
            return None;
        }
        (model.created_at, model.updated_at) = (Set(at), Set(at));
        Some((model, ids))
    }
}

/// The row at `index`, checked (`made`), as the quick path writes it.
fn ready<M>(
    index: usize,
    at: DateTime<Utc>,
    made: Option<(M, Vec<ExternalId>)>,
    id_of: fn(&M) -> Option<Uuid>,
) -> Option<Ready<M>> {
    let (model, external_ids) = made?;
    Some(Ready {
        index,
        id: id_of(&model)?,
        model,
        external_ids,
        at,
    })
}

/// A row's keys, normalised; `None` when one does not read (the row-by-row
/// path then refuses the row).
fn keys_of(kind: Kind, cells: &Cells<'_>) -> Option<RowKeys> {
    let trimmed = |column: &str| -> Option<Option<String>> {
        Some(cells.text(column).ok()?.map(|t| t.trim().to_owned()))
    };
    let domain = |column: &str| -> Option<Option<String>> {
        match cells.text(column).ok()? {
            Some(raw) => text::normalize_domain(&raw).ok().map(Some),
            None => Some(None),
        }
    };
    let address = |column: &str| -> Option<Option<String>> {
        match cells.text(column).ok()?.filter(|e| !e.trim().is_empty()) {
            Some(raw) => email::normalize_email(raw.trim()).ok().map(Some),
            None => Some(None),
        }
    };
    let natural = match kind {
        Kind::Company => domain("domain")?,
        _ => address("email")?,
    };
    Some(RowKeys {
        external_id: trimmed("externalId")?,
        natural,
        company_external_id: trimmed("companyExternalId")?,
        company_domain: domain("companyDomain")?,
        owner: address("ownerEmail")?,
    })
}

/// The row's own keys (external id, natural key) that more than one row of
/// the batch holds: such rows match each other, so they go row by row.
fn repeated_keys(keys: &[Option<RowKeys>]) -> HashSet<(bool, String)> {
    let mut seen = HashSet::new();
    let mut repeated = HashSet::new();
    for row in keys.iter().flatten() {
        let own = [(true, &row.external_id), (false, &row.natural)];
        for (is_external, key) in own {
            if let Some(key) = key
                && !seen.insert((is_external, key.clone()))
            {
                repeated.insert((is_external, key.clone()));
            }
        }
    }
    repeated
}

/// Whether no record and no other row of the batch holds the row's keys.
fn is_new(known: &Known, keys: &RowKeys, repeated: &HashSet<(bool, String)>) -> bool {
    let external_free = keys.external_id.as_ref().is_none_or(|id| {
        !known.external_ids.contains(id) && !repeated.contains(&(true, id.clone()))
    });
    let natural_free = keys.natural.as_ref().is_none_or(|key| {
        !known.naturals.contains(key) && !repeated.contains(&(false, key.clone()))
    });
    external_free && natural_free
}

/// The row's company and owner, when every link it names is found.
fn linked(known: &Known, keys: &RowKeys) -> Option<(Option<Uuid>, Option<Uuid>)> {
    let company = match (&keys.company_external_id, &keys.company_domain) {
        (Some(id), _) => Some(*known.companies_by_external_id.get(id)?),
        (None, Some(domain)) => Some(*known.companies_by_domain.get(domain)?),
        (None, None) => None,
    };
    let owner = match &keys.owner {
        Some(address) => Some(*known.owners.get(address)?),
        None => None,
    };
    Some((company, owner))
}

/// Whether a row names a campaign (its touch is written row by row).
fn has_touch(cells: &Cells<'_>) -> bool {
    TOUCH_COLUMNS
        .iter()
        .any(|column| !matches!(cells.text(column), Ok(None)))
}
