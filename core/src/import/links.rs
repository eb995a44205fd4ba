//! Finding the records a row names: by an external id of the import's
//! source, or by a natural key (a contact's email, a company's domain, a
//! member's email, a ticket's number, a pipeline's or stage's name). A name
//! that finds nothing refuses the row with `NOT_FOUND` on its column.

use entity::{company, contact, member, pipeline, stage, ticket};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::Refusal;
use super::cells::Cells;
use crate::Kind;
use crate::access::Actor;
use crate::domain::{email, text};
use crate::ops::external_id::{self, ExternalId};
use crate::store::{col, scope};

/// Looks records up for one row, in the import's transaction (so rows
/// written earlier in the same import are found).
pub struct Links<'a> {
    pub txn: &'a DatabaseTransaction,
    pub actor: &'a Actor,
    pub source: &'a str,
}

impl Links<'_> {
    /// The record of `kind` the import's source knows as `id`, if any.
    pub async fn by_external_id(&self, kind: Kind, id: &str) -> Result<Option<Uuid>, Refusal> {
        let id = ExternalId::new(self.source, id.trim());
        Ok(external_id::find(self.txn, self.actor.workspace_id, kind, &id).await?)
    }

    /// The company named by `<prefix>ExternalId` or `<prefix>Domain`.
    pub async fn company(&self, cells: &Cells<'_>, prefix: &str) -> Result<Option<Uuid>, Refusal> {
        let by_id = format!("{prefix}ExternalId");
        if let Some(id) = cells.text(&by_id)? {
            return self.required(Kind::Company, &by_id, &id).await.map(Some);
        }
        let by_domain = format!("{prefix}Domain");
        let Some(raw) = cells.text(&by_domain)? else {
            return Ok(None);
        };
        let domain =
            text::normalize_domain(&raw).map_err(|e| Refusal::bad_input(&by_domain, e.0))?;
        let found = company::Entity::find()
            .filter(scope::<company::Entity>(self.actor.workspace_id))
            .filter(col("company", "domain").eq(domain))
            .all(self.txn)
            .await?
            .into_iter()
            // The oldest; picked here, as an ORDER BY id can make SQLite walk the key index.
            .min_by_key(|c| c.id);
        found.map(|c| Some(c.id)).ok_or_else(|| {
            Refusal::not_found(&by_domain, format!("no company has the domain {raw:?}"))
        })
    }

    /// The contact named by `<prefix>ExternalId` or `<prefix>Email`.
    pub async fn contact(&self, cells: &Cells<'_>, prefix: &str) -> Result<Option<Uuid>, Refusal> {
        let by_id = format!("{prefix}ExternalId");
        if let Some(id) = cells.text(&by_id)? {
            return self.required(Kind::Contact, &by_id, &id).await.map(Some);
        }
        let by_email = format!("{prefix}Email");
        let Some(raw) = cells.text(&by_email)? else {
            return Ok(None);
        };
        let address =
            email::normalize_email(&raw).map_err(|e| Refusal::bad_input(&by_email, e.0))?;
        let found = contact::Entity::find()
            .filter(scope::<contact::Entity>(self.actor.workspace_id))
            .filter(col("contact", "email").eq(address))
            .one(self.txn)
            .await?;
        found.map(|c| Some(c.id)).ok_or_else(|| {
            Refusal::not_found(&by_email, format!("no contact has the email {raw:?}"))
        })
    }

    /// The deal named by `dealExternalId`.
    pub async fn deal(&self, cells: &Cells<'_>) -> Result<Option<Uuid>, Refusal> {
        match cells.text("dealExternalId")? {
            Some(id) => self
                .required(Kind::Deal, "dealExternalId", &id)
                .await
                .map(Some),
            None => Ok(None),
        }
    }

    /// The ticket named by `ticketExternalId` or `ticketNumber`.
    pub async fn ticket(&self, cells: &Cells<'_>) -> Result<Option<Uuid>, Refusal> {
        if let Some(id) = cells.text("ticketExternalId")? {
            return self
                .required(Kind::Ticket, "ticketExternalId", &id)
                .await
                .map(Some);
        }
        let Some(number) = cells.integer("ticketNumber")? else {
            return Ok(None);
        };
        let found = ticket::Entity::find()
            .filter(scope::<ticket::Entity>(self.actor.workspace_id))
            .filter(col("ticket", "number").eq(i64::from(number)))
            .one(self.txn)
            .await?;
        found
            .map(|t| Some(t.id))
            .ok_or_else(|| Refusal::not_found("ticketNumber", format!("no ticket number {number}")))
    }

    /// The active member whose email is in `column`.
    pub async fn member(&self, cells: &Cells<'_>, column: &str) -> Result<Option<Uuid>, Refusal> {
        let Some(raw) = cells.text(column)? else {
            return Ok(None);
        };
        let address = email::normalize_email(&raw).map_err(|e| Refusal::bad_input(column, e.0))?;
        let found = member::Entity::find()
            .filter(col("member", "workspace_id").eq(self.actor.workspace_id))
            .filter(col("member", "email").eq(address))
            .filter(col("member", "deactivated_at").is_null())
            .one(self.txn)
            .await?;
        found.map(|m| Some(m.id)).ok_or_else(|| {
            Refusal::not_found(column, format!("no active member has the email {raw:?}"))
        })
    }

    /// The pipeline named in `pipeline`, else the workspace's first.
    pub async fn pipeline(&self, cells: &Cells<'_>) -> Result<Uuid, Refusal> {
        let name = cells.text("pipeline")?;
        let mut query = pipeline::Entity::find()
            .filter(scope::<pipeline::Entity>(self.actor.workspace_id))
            .order_by_asc(pipeline::Column::Position)
            .order_by_asc(pipeline::Column::Id);
        if let Some(name) = &name {
            query = query.filter(col("pipeline", "name").eq(name.trim()));
        }
        match (query.one(self.txn).await?, name) {
            (Some(found), _) => Ok(found.id),
            (None, Some(name)) => Err(Refusal::not_found(
                "pipeline",
                format!("no pipeline is named {name:?}"),
            )),
            (None, None) => Err(Refusal::not_found(
                "pipeline",
                "the workspace has no pipeline",
            )),
        }
    }

    /// The stage of `pipeline_id` named `name` (refused on `column`).
    pub async fn stage(
        &self,
        pipeline_id: Uuid,
        name: &str,
        column: &str,
    ) -> Result<stage::Model, Refusal> {
        stage::Entity::find()
            .filter(scope::<stage::Entity>(self.actor.workspace_id))
            .filter(col("stage", "pipeline_id").eq(pipeline_id))
            .filter(col("stage", "name").eq(name.trim()))
            .one(self.txn)
            .await?
            .ok_or_else(|| {
                Refusal::not_found(column, format!("the pipeline has no stage named {name:?}"))
            })
    }

    async fn required(&self, kind: Kind, column: &str, id: &str) -> Result<Uuid, Refusal> {
        self.by_external_id(kind, id).await?.ok_or_else(|| {
            Refusal::not_found(
                column,
                format!("no {} has the id {id:?} in {:?}", kind.name(), self.source),
            )
        })
    }
}
