//! Merging duplicate contacts or companies into one survivor, in one
//! transaction: field choices ([`fields`]), every reference moved
//! ([`relations`]), the merged records soft-deleted with `merged_into`,
//! lead scores and stored figures recomputed, a `merged` event (and so a
//! history entry) on each side. MANAGER and ADMIN merge.

mod companies;
mod contacts;
mod fields;
mod relations;

pub use companies::merge_companies;
pub use contacts::merge_contacts;
pub use fields::Keep;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, IntoActiveModel, QueryFilter};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use entity::enums::Role;

use super::unique::Unique;
use crate::access::Actor;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::rules::scoring::{self, Which};
use crate::rules::stored_figures::{self, Inputs, Owners};
use crate::store::{Author, Core, Table, col, event_for, expect_one_row, load_any, load_live, now};
use fields::Field;

/// Most records one merge takes in.
pub const MAX_MERGED: usize = 50;

/// `merge…(survivorId, mergedIds, keep)`.
#[derive(Debug, Clone)]
pub struct Merge {
    pub survivor: Uuid,
    pub merged: Vec<Uuid>,
    pub keep: Vec<Keep>,
}

/// The survivor and the merged records after a merge.
#[derive(Debug, Clone)]
pub struct Merged<M> {
    pub survivor: M,
    pub merged: Vec<M>,
}

/// What differs between merging contacts and merging companies.
struct Spec<M> {
    fields: &'static [Field],
    unique: Unique,
    /// Whose lead scores to recompute, given the survivor's id.
    rescore: fn(Uuid) -> Which,
    /// Whose stored figures to recompute: from the survivor before, the
    /// survivor as chosen, and the merged records.
    owners: fn(&M, &M, &[M]) -> Owners,
    /// Why a record may take no part in a merge, if it may not.
    refuse: fn(&M) -> Option<&'static str>,
}

/// The merge itself, for either record type.
async fn merge<T: Table>(
    core: &Core,
    actor: &Actor,
    command: Merge,
    spec: Spec<T::Model>,
) -> CoreResult<Merged<T::Model>>
where
    T::Model: DeserializeOwned + Serialize + Clone + IntoActiveModel<T::ActiveModel>,
    T::ActiveModel: sea_orm::ActiveModelTrait<Entity = T> + Send,
{
    check_command(actor, &command)?;
    let workspace = actor.workspace_id;
    let txn = core.begin().await?;
    let (survivor, merged) = load_parties::<T>(&txn, actor, &command).await?;
    if let Some(reason) = (spec.refuse)(&survivor) {
        return Err(CoreError::bad_input("survivorId", reason));
    }
    for (i, row) in merged.iter().enumerate() {
        if let Some(reason) = (spec.refuse)(row) {
            return Err(CoreError::bad_input(format!("mergedIds.{i}"), reason));
        }
    }
    let rows: Vec<_> = std::iter::once(&survivor)
        .chain(&merged)
        .map(|row| (T::id(row), row))
        .collect();
    let chosen = fields::choose(spec.fields, &rows, &command.keep)?;
    let owners = (spec.owners)(&survivor, &chosen, &merged);
    // The merged records leave the live set first, freeing an email or a
    // domain the survivor keeps from one of them.
    let survivor_id = T::id(&survivor);
    for row in &merged {
        retire::<T>(&txn, actor, row, survivor_id).await?;
    }
    save_survivor::<T>(&txn, actor.workspace_id, &survivor, chosen, spec.unique).await?;
    relations::move_references(&txn, workspace, T::KIND, survivor_id, &command.merged).await?;
    let reason = format!("{} merged", T::KIND.name().to_lowercase());
    scoring::recompute(&txn, workspace, (spec.rescore)(survivor_id), &reason, now()).await?;
    stored_figures::refresh(&txn, workspace, &owners, &Inputs::ALL).await?;
    let survivor = load_live::<T>(&txn, actor, survivor_id).await?;
    let mut after = Vec::with_capacity(merged.len());
    for row in &merged {
        after.push(load_any::<T>(&txn, actor, T::id(row)).await?);
    }
    let events = merged_events::<T>(&survivor, &after)?;
    core.commit(txn, Author::of(actor), events).await?;
    Ok(Merged {
        survivor,
        merged: after,
    })
}

/// Refuses what no data can make right: the role, an empty or oversized
/// list, the survivor among the merged, an id twice.
fn check_command(actor: &Actor, command: &Merge) -> CoreResult<()> {
    if !matches!(actor.role, Role::Admin | Role::Manager) {
        return Err(CoreError::Forbidden(format!(
            "the {:?} role may not merge records (MANAGER and ADMIN may)",
            actor.role
        )));
    }
    if command.merged.is_empty() {
        return Err(CoreError::bad_input(
            "mergedIds",
            "name at least one record",
        ));
    }
    if command.merged.len() > MAX_MERGED {
        return Err(CoreError::bad_input(
            "mergedIds",
            format!("at most {MAX_MERGED} records"),
        ));
    }
    for (i, id) in command.merged.iter().enumerate() {
        if *id == command.survivor {
            return Err(CoreError::bad_input(
                format!("mergedIds.{i}"),
                "is the survivor: a record cannot be merged into itself",
            ));
        }
        if command.merged[..i].contains(id) {
            return Err(CoreError::bad_input(
                format!("mergedIds.{i}"),
                "named twice",
            ));
        }
    }
    Ok(())
}

/// The survivor and the merged records, each live in the actor's workspace,
/// read in `txn`; a missing or deleted one is refused on its argument.
async fn load_parties<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    command: &Merge,
) -> CoreResult<(T::Model, Vec<T::Model>)> {
    let survivor = load_party::<T>(txn, actor, command.survivor, "survivorId").await?;
    let mut merged = Vec::with_capacity(command.merged.len());
    for (i, id) in command.merged.iter().enumerate() {
        merged.push(load_party::<T>(txn, actor, *id, &format!("mergedIds.{i}")).await?);
    }
    Ok((survivor, merged))
}

async fn load_party<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    field: &str,
) -> CoreResult<T::Model> {
    let name = T::KIND.name().to_lowercase();
    let row = match load_any::<T>(txn, actor, id).await {
        Err(CoreError::NotFound(_)) => {
            return Err(CoreError::bad_input(field, format!("no such {name}")));
        }
        other => other?,
    };
    if T::deleted_at(&row).is_some() {
        return Err(CoreError::bad_input(
            field,
            format!("this {name} is deleted"),
        ));
    }
    Ok(row)
}

/// Soft-deletes merged record `row`, pointing it at `survivor`.
async fn retire<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    row: &T::Model,
    survivor: Uuid,
) -> CoreResult<()> {
    let at = now();
    let update = Query::update()
        .table(T::TABLE)
        .value("deleted_at", Some(at))
        .value("merged_into", Some(survivor))
        .value("updated_at", at)
        .value("version", Expr::col("version").add(1))
        .and_where(Expr::col("workspace_id").eq(actor.workspace_id))
        .and_where(Expr::col("id").eq(T::id(row)))
        .and_where(Expr::col("version").eq(T::version(row)))
        .to_owned();
    expect_one_row(txn.execute(&update).await?.rows_affected())
}

/// Writes the survivor's chosen fields over `before`, one version on.
async fn save_survivor<T: Table>(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    before: &T::Model,
    chosen: T::Model,
    unique: Unique,
) -> CoreResult<()>
where
    T::Model: IntoActiveModel<T::ActiveModel>,
    T::ActiveModel: sea_orm::ActiveModelTrait<Entity = T> + Send,
{
    use sea_orm::ActiveModelTrait;
    let mut model = chosen.into_active_model().reset_all();
    // The key stays as it is (Citus refuses an UPDATE that sets its
    // distribution column, even to the value it holds).
    model.not_set(column_of::<T>("id")?);
    model.not_set(column_of::<T>("workspace_id")?);
    model.set(column_of::<T>("version")?, (T::version(before) + 1).into());
    model.set(column_of::<T>("updated_at")?, now().into());
    let rows = T::update_many()
        .set(model)
        .filter(col(T::TABLE, "workspace_id").eq(workspace_id))
        .filter(col(T::TABLE, "id").eq(T::id(before)))
        .filter(col(T::TABLE, "version").eq(T::version(before)))
        .exec(txn)
        .await
        .map_err(unique.or_taken(unique.column()))?
        .rows_affected;
    expect_one_row(rows)
}

/// Column `name` of `T`.
fn column_of<T: Table>(name: &str) -> CoreResult<T::Column> {
    use std::str::FromStr;
    T::Column::from_str(name)
        .map_err(|_| CoreError::Internal(format!("{} has no column {name}", T::TABLE)))
}

/// The `merged` events: the survivor's, then each merged record's.
fn merged_events<T: Table>(survivor: &T::Model, merged: &[T::Model]) -> CoreResult<Vec<NewEvent>> {
    std::iter::once(survivor)
        .chain(merged)
        .map(|row| event_for::<T>(row, "merged"))
        .collect()
}

/// The survivors of those of `ids` (of `table`, `contact` or `company`)
/// that were merged, keyed by the merged id: one statement.
pub async fn survivors<C: ConnectionTrait>(
    conn: &C,
    workspace_id: Uuid,
    table: &'static str,
    ids: &[Uuid],
) -> CoreResult<std::collections::HashMap<Uuid, Uuid>> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let listed = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        r#"SELECT "id", "merged_into" FROM "{table}" WHERE "workspace_id" = ? AND "merged_into" IS NOT NULL AND "id" IN ({listed})"#
    );
    let mut values: Vec<sea_orm::Value> = vec![workspace_id.into()];
    values.extend(ids.iter().map(|id| sea_orm::Value::from(*id)));
    let backend = conn.get_database_backend();
    let statement = sea_orm::Statement::from_sql_and_values(
        backend,
        crate::store::placeholders::for_backend(backend, &sql),
        values,
    );
    let mut found = std::collections::HashMap::new();
    for row in conn.query_all_raw(statement).await? {
        found.insert(row.try_get("", "id")?, row.try_get("", "merged_into")?);
    }
    Ok(found)
}
