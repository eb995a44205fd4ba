//! The quick path's writes: a batch's new records, their external ids and
//! first history entries as multi-row inserts, then the scores and figures
//! `create_in` would have set, once for the batch.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use entity::{company, contact, external_id, record_change};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::Ready;
use crate::access::Actor;
use crate::error::CoreResult;
use crate::events::history;
use crate::import::written::Written;
use crate::rules::scoring::{self, Which};
use crate::rules::stored_figures::{self, Inputs, Owners};
use crate::store::{Author, Table, col, event_for_new, new_id, now};

/// Rows per insert statement: a contact binds about 25 values, so 200 stay
/// far below SQLite's limit of 32,766 bound values (PostgreSQL's is 65,535).
const ROWS: usize = 200;

/// Writes in the batch's savepoint as the batch's actor.
pub struct Writer<'a> {
    pub txn: &'a DatabaseTransaction,
    pub actor: &'a Actor,
    pub written: &'a Mutex<Written>,
}

impl Writer<'_> {
    /// New companies, as `company::create_in` writes each.
    pub async fn companies(&self, ready: Vec<Ready<company::ActiveModel>>) -> CoreResult<()> {
        let created = self.insert::<company::Entity>(ready).await?;
        self.history::<company::Entity>(&created).await
    }

    /// New contacts, as `contact::create_in` writes each: scored at their
    /// creation times, their companies' best lead scores refreshed.
    pub async fn contacts(&self, ready: Vec<Ready<contact::ActiveModel>>) -> CoreResult<()> {
        let companies = ready.iter().fold(Owners::default(), |owners, r| {
            owners.and(None, r.model.company_id.try_as_ref().copied().flatten())
        });
        let created = self.insert::<contact::Entity>(ready).await?;
        let workspace = self.actor.workspace_id;
        for chunk in created.chunks(ROWS) {
            let ids = chunk.iter().map(|(id, _)| *id).collect();
            let which = Which::NewContacts(ids);
            scoring::recompute(self.txn, workspace, which, "contact created", now()).await?;
        }
        stored_figures::refresh(self.txn, workspace, &companies, &[Inputs::LeadScores]).await?;
        self.history::<contact::Entity>(&created).await
    }

    /// Inserts the records and their external ids; answers each record's
    /// id and creation time, in the batch's order.
    async fn insert<T: Table>(
        &self,
        ready: Vec<Ready<T::ActiveModel>>,
    ) -> CoreResult<Vec<(Uuid, DateTime<Utc>)>>
    where
        T::ActiveModel: ActiveModelTrait<Entity = T> + Send,
    {
        let mut created = Vec::with_capacity(ready.len());
        let mut external = Vec::new();
        let mut models = Vec::with_capacity(ready.len());
        for r in ready {
            created.push((r.id, r.at));
            external.extend(
                r.external_ids
                    .into_iter()
                    .map(|id| external_id::ActiveModel {
                        id: Set(new_id()),
                        workspace_id: Set(self.actor.workspace_id),
                        record_type: Set(T::KIND.name().to_owned()),
                        record_id: Set(r.id),
                        source: Set(id.source),
                        external_id: Set(id.id),
                        created_at: Set(r.at),
                        updated_at: Set(r.at),
                    }),
            );
            models.push(r.model);
        }
        insert_all::<T>(self.txn, models).await?;
        insert_all::<external_id::Entity>(self.txn, external).await?;
        Ok(created)
    }

    /// Each record's first history entry, at its creation time, from the
    /// event `create_in` would have returned (read back: scoring may have
    /// set a lead score).
    async fn history<T: Table>(&self, created: &[(Uuid, DateTime<Utc>)]) -> CoreResult<()> {
        let mut rows = HashMap::with_capacity(created.len());
        for chunk in created.chunks(ROWS) {
            let ids: Vec<Uuid> = chunk.iter().map(|(id, _)| *id).collect();
            for row in T::find()
                .filter(col(T::TABLE, "workspace_id").eq(self.actor.workspace_id))
                .filter(col(T::TABLE, "id").is_in(ids))
                .all(self.txn)
                .await?
            {
                rows.insert(T::id(&row), row);
            }
        }
        let author = Author::of(self.actor);
        let mut entries = Vec::with_capacity(created.len());
        let mut events = Vec::with_capacity(created.len());
        for (id, at) in created {
            let Some(row) = rows.get(id) else {
                continue;
            };
            let event = event_for_new::<T>(row, "created")?;
            entries.push(history::first_entry_row(author.made(*at), &event));
            events.push(event);
        }
        insert_all::<record_change::Entity>(self.txn, entries).await?;
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        written.add(events);
        Ok(())
    }
}

/// `models` inserted [`ROWS`] at a time.
async fn insert_all<E: EntityTrait>(
    txn: &DatabaseTransaction,
    models: Vec<E::ActiveModel>,
) -> CoreResult<()>
where
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let mut models = models.into_iter().peekable();
    while models.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = models.by_ref().take(ROWS).collect();
        E::insert_many(chunk).exec_without_returning(txn).await?;
    }
    Ok(())
}
