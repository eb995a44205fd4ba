//! The `campaign` column of a contact import: the campaign that brought the
//! contact, by name (any case) among the workspace's live campaigns (or by
//! `campaignExternalId`, an id of the import's source), as a
//! touch at `campaignTouchedAt` (else the row's `createdAt`, else now).
//! The touch follows the attribution rules (`ops::attribution`): it sets the
//! first touch only while there is none and moves the last touch unless that
//! one is later, so re-importing a file changes nothing.

use chrono::{DateTime, Utc};
use entity::{campaign, contact};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{EntityTrait, QueryFilter};
use uuid::Uuid;

use super::RowContext;
use super::cells::Cells;
use super::refusal::Refusal;
use crate::Kind;
use crate::events::NewEvent;
use crate::ops::attribution;
use crate::store::{Table, event_for, scope};

/// The row's touch, if it names a campaign; a name no live campaign has is
/// refused (never guessed).
pub async fn of_row(
    ctx: &RowContext<'_>,
    cells: &Cells<'_>,
) -> Result<Option<(Uuid, DateTime<Utc>)>, Refusal> {
    let Some(campaign_id) = campaign_of(ctx, cells).await? else {
        return Ok(None);
    };
    let at = match cells.time("campaignTouchedAt")? {
        Some(at) => at,
        None => cells.time("createdAt")?.unwrap_or_else(Utc::now),
    };
    Ok(Some((campaign_id, at)))
}

/// The campaign a row names: by `campaignExternalId` (an id of the
/// import's source), else by its `campaign` name; none when neither is
/// given. An id or name that finds nothing refuses the row on its column.
pub async fn campaign_of(ctx: &RowContext<'_>, cells: &Cells<'_>) -> Result<Option<Uuid>, Refusal> {
    let given = |column: &str| -> Result<Option<String>, Refusal> {
        Ok(cells.text(column)?.filter(|v| !v.trim().is_empty()))
    };
    if let Some(id) = given(EXTERNAL_ID)? {
        let found = ctx.links().by_external_id(Kind::Campaign, &id).await?;
        return found.map(Some).ok_or_else(|| {
            let source = ctx.source;
            Refusal::not_found(
                EXTERNAL_ID,
                format!("no Campaign has the id {id:?} in {source:?}"),
            )
        });
    }
    match given("campaign")? {
        Some(name) => campaign_named(ctx, &name).await.map(Some),
        None => Ok(None),
    }
}

/// The column naming a campaign by an external id.
pub const EXTERNAL_ID: &str = "campaignExternalId";

/// The live campaign named `name` (any case); of two of one name, the
/// oldest (ids are time-ordered). A name no live campaign has is refused on
/// the `campaign` column.
pub async fn campaign_named(ctx: &RowContext<'_>, name: &str) -> Result<Uuid, Refusal> {
    let lowered = name.trim().to_lowercase();
    let found = campaign::Entity::find()
        .filter(scope::<campaign::Entity>(ctx.actor.workspace_id))
        .filter(Func::lower(Expr::col((campaign::Entity::TABLE, "name"))).eq(lowered))
        .all(ctx.txn)
        .await?;
    found
        .into_iter()
        .map(|c| c.id)
        .min()
        .ok_or_else(|| Refusal::not_found("campaign", format!("no campaign named {name:?}")))
}

/// Applies `touch` to the imported contact `row`: the contact after it, and
/// the event for its history when it changed anything (the caller records it).
pub async fn apply(
    ctx: &RowContext<'_>,
    row: contact::Model,
    touch: Option<(Uuid, DateTime<Utc>)>,
) -> Result<(contact::Model, Vec<NewEvent>), Refusal> {
    let Some((campaign_id, at)) = touch else {
        return Ok((row, Vec::new()));
    };
    let touched = attribution::touch(ctx.txn, ctx.actor, &row, campaign_id, at, "campaign").await?;
    if touched.version == row.version {
        return Ok((row, Vec::new()));
    }
    let event = event_for::<contact::Entity>(&touched, "attributed")?;
    Ok((touched, vec![event]))
}
