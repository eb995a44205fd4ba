//! Teams: groups of members (ADMIN). A role narrowed to `TEAM` reads the
//! records its team's members own, so every change here changes what
//! members read: each drops the credential cache and makes websockets check
//! their credential again (see `Directory::forget_workspace`).

use entity::{member, team};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, Set,
    SqlErr,
};
use uuid::Uuid;

use crate::access::{Actor, Area, Directory};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::store::{
    Author, Core, col, delete_in_workspace, event_for, event_for_new, load_any, new_id, now,
    update_in_workspace,
};

/// Longest team name.
const MAX_NAME: usize = 100;

/// Creates the team `name`, unique in the workspace (ADMIN).
pub async fn create(
    core: &Core,
    actor: &Actor,
    directory: &Directory,
    name: &str,
) -> CoreResult<team::Model> {
    actor.require(Area::Members)?;
    let name = text::required_name(name, MAX_NAME).map_err(CoreError::invalid("name"))?;
    let txn = core.begin().await?;
    refuse_taken(&txn, actor, &name, None).await?;
    let at = now();
    let row = team::ActiveModel {
        id: Set(new_id()),
        workspace_id: Set(actor.workspace_id),
        name: Set(name),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await
    .map_err(name_taken)?;
    let event = event_for_new::<team::Entity>(&row, "created")?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    directory.forget_workspace(actor.workspace_id);
    Ok(row)
}

/// Renames team `id` (ADMIN).
pub async fn rename(
    core: &Core,
    actor: &Actor,
    directory: &Directory,
    id: Uuid,
    name: &str,
) -> CoreResult<team::Model> {
    actor.require(Area::Members)?;
    let name = text::required_name(name, MAX_NAME).map_err(CoreError::invalid("name"))?;
    let txn = core.begin().await?;
    load_any::<team::Entity>(&txn, actor, id).await?;
    refuse_taken(&txn, actor, &name, Some(id)).await?;
    let change = team::ActiveModel {
        id: Set(id),
        name: Set(name),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row = update_in_workspace::<team::Entity>(&txn, actor.workspace_id, id, change)
        .await
        .map_err(name_taken)?;
    let event = event_for::<team::Entity>(&row, "renamed")?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    directory.forget_workspace(actor.workspace_id);
    Ok(row)
}

/// Deletes team `id` (ADMIN); its members are left without a team, in the
/// same transaction. Returns the deleted team.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    directory: &Directory,
    id: Uuid,
) -> CoreResult<team::Model> {
    actor.require(Area::Members)?;
    let txn = core.begin().await?;
    let row = load_any::<team::Entity>(&txn, actor, id).await?;
    let leaving = members_of(&txn, actor, id).await?;
    let clear = Query::update()
        .table("member")
        .value("team_id", Option::<Uuid>::None)
        .value("updated_at", now())
        .and_where(Expr::col("workspace_id").eq(actor.workspace_id))
        .and_where(Expr::col("team_id").eq(id))
        .to_owned();
    txn.execute(&clear).await?;
    delete_in_workspace::<team::Entity>(&txn, actor.workspace_id, id).await?;
    let mut events = vec![event_for::<team::Entity>(&row, "deleted")?];
    for mut member in leaving {
        member.team_id = None;
        events.push(event_for::<member::Entity>(&member, "team_changed")?);
    }
    core.commit(txn, Author::of(actor), events).await?;
    directory.forget_workspace(actor.workspace_id);
    Ok(row)
}

/// Puts member `id` in team `team` (`None`: in none) (ADMIN).
pub async fn set_member_team(
    core: &Core,
    actor: &Actor,
    directory: &Directory,
    id: Uuid,
    team: Option<Uuid>,
) -> CoreResult<member::Model> {
    actor.require(Area::Members)?;
    let txn = core.begin().await?;
    load_any::<member::Entity>(&txn, actor, id).await?;
    if let Some(team) = team {
        load_any::<team::Entity>(&txn, actor, team)
            .await
            .map_err(|_| CoreError::bad_input("teamId", "no such team"))?;
    }
    let change = member::ActiveModel {
        id: Set(id),
        team_id: Set(team),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row = update_in_workspace::<member::Entity>(&txn, actor.workspace_id, id, change).await?;
    let event = event_for::<member::Entity>(&row, "team_changed")?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    directory.forget_workspace(actor.workspace_id);
    Ok(row)
}

/// The members of team `id`.
async fn members_of(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Vec<member::Model>> {
    Ok(member::Entity::find()
        .filter(col("member", "workspace_id").eq(actor.workspace_id))
        .filter(col("member", "team_id").eq(id))
        .all(txn)
        .await?)
}

/// `CONFLICT` when another team of the workspace is called `name`.
async fn refuse_taken(
    txn: &DatabaseTransaction,
    actor: &Actor,
    name: &str,
    except: Option<Uuid>,
) -> CoreResult<()> {
    let taken = team::Entity::find()
        .filter(col("team", "workspace_id").eq(actor.workspace_id))
        .filter(col("team", "name").eq(name))
        .one(txn)
        .await?;
    match taken {
        Some(other) if Some(other.id) != except => Err(taken_error()),
        _ => Ok(()),
    }
}

/// A unique-index refusal (a team named meanwhile) as the same `CONFLICT`.
fn name_taken(err: DbErr) -> CoreError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => taken_error(),
        _ => err.into(),
    }
}

fn taken_error() -> CoreError {
    CoreError::Conflict("another team already has this name".into())
}
