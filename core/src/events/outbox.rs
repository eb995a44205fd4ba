//! The outbox table: writing events in the writer's transaction, and reading
//! them back in order to replay what a subscriber missed.

use chrono::{DateTime, Utc};
use entity::event;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use serde_json::Value;
use uuid::Uuid;

/// An event about to be written.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The channel, e.g. `pipeline:<uuid>` or `ticket`.
    pub topic: String,
    /// What happened, e.g. `deal.moved`.
    pub kind: String,
    pub record_type: &'static str,
    pub record_id: Uuid,
    /// The record after the change, plus kind-specific details.
    pub payload: Value,
    /// The record was created in this transaction (its id is new), so it
    /// has no earlier history to diff against.
    pub new_record: bool,
}

/// Inserts the events in the caller's transaction, numbered after the
/// workspace's last event, and returns the stored rows to publish once the
/// transaction commits.
///
/// Taking the numbers with `UPDATE workspace … RETURNING` locks the workspace
/// row until the transaction ends, so a later number can never commit before
/// an earlier one: whoever sees event `n` can read every event before it.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    at: DateTime<Utc>,
    mut events: Vec<NewEvent>,
) -> Result<Vec<event::Model>, DbErr> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    if events.len() == 1
        && txn.get_database_backend() == DbBackend::Postgres
        && let Some(e) = events.pop()
    {
        return Ok(vec![record_one(txn, workspace_id, actor_id, at, e).await?]);
    }
    let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let last = take_numbers(txn, workspace_id, count).await?;
    let mut stored = Vec::with_capacity(events.len());
    for (seq, e) in (last - count + 1..).zip(events) {
        let row = event::ActiveModel {
            workspace_id: Set(workspace_id),
            seq: Set(seq),
            topic: Set(e.topic),
            kind: Set(e.kind),
            record_type: Set(e.record_type.to_owned()),
            record_id: Set(e.record_id),
            actor_id: Set(actor_id),
            payload: Set(e.payload),
            created_at: Set(at),
            ..Default::default()
        };
        stored.push(row.insert(txn).await?);
    }
    Ok(stored)
}

/// [`record`] for the usual single event on PostgreSQL, in one statement
/// instead of two: the counter update (which locks the workspace row until
/// the transaction ends, exactly as [`take_numbers`] does) feeds the insert.
async fn record_one<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    at: DateTime<Utc>,
    e: NewEvent,
) -> Result<event::Model, DbErr> {
    const SQL: &str = r#"WITH "numbered" AS (
  UPDATE "workspace" SET "event_seq" = "event_seq" + 1 WHERE "id" = $1 RETURNING "event_seq"
)
INSERT INTO "event" ("workspace_id", "seq", "topic", "kind", "record_type", "record_id", "actor_id", "payload", "created_at")
SELECT $1, "event_seq", $2, $3, $4, $5, $6, $7, $8 FROM "numbered"
RETURNING *"#;
    let values: [sea_orm::Value; 8] = [
        workspace_id.into(),
        e.topic.into(),
        e.kind.into(),
        e.record_type.to_owned().into(),
        e.record_id.into(),
        actor_id.into(),
        e.payload.into(),
        at.into(),
    ];
    let statement = Statement::from_sql_and_values(DbBackend::Postgres, SQL, values);
    let row = txn
        .query_one_raw(statement)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("workspace {workspace_id}")))?;
    event::Model::from_query_result(&row, "")
}

/// Advances the workspace's event counter by `count`; returns the new last number.
async fn take_numbers<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    count: i64,
) -> Result<i64, DbErr> {
    let stmt = Query::update()
        .table("workspace")
        .value("event_seq", Expr::col("event_seq").add(count))
        .and_where(Expr::col("id").eq(workspace_id))
        .returning_col("event_seq")
        .to_owned();
    let row = txn
        .query_one(&stmt)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("workspace {workspace_id}")))?;
    row.try_get::<i64>("", "event_seq")
}

/// The workspace's events numbered after `after`, up to `until` when given,
/// oldest first, at most `limit` of them.
pub async fn after<C: ConnectionTrait>(
    db: &C,
    workspace_id: Uuid,
    after: i64,
    until: Option<i64>,
    limit: u64,
) -> Result<Vec<event::Model>, DbErr> {
    let mut query = event::Entity::find()
        .filter(event::Column::WorkspaceId.eq(workspace_id))
        .filter(event::Column::Seq.gt(after));
    if let Some(until) = until {
        query = query.filter(event::Column::Seq.lte(until));
    }
    query
        .order_by_asc(event::Column::Seq)
        .limit(limit)
        .all(db)
        .await
}

/// Where a workspace's event log stands: the last number handed out, and the
/// oldest number still kept (older ones were pruned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogBounds {
    pub last: i64,
    pub oldest_kept: Option<i64>,
}

impl LogBounds {
    /// Whether every event after `cursor` can still be replayed.
    pub fn can_replay_after(&self, cursor: i64) -> bool {
        cursor >= self.last || self.oldest_kept.is_some_and(|oldest| oldest <= cursor + 1)
    }
}

/// The workspace's log bounds, read in two statements (both by index).
pub async fn bounds<C: ConnectionTrait>(db: &C, workspace_id: Uuid) -> Result<LogBounds, DbErr> {
    let last = entity::workspace::Entity::find_by_id(workspace_id)
        .one(db)
        .await?
        .map_or(0, |w| w.event_seq);
    let oldest_kept = event::Entity::find()
        .filter(event::Column::WorkspaceId.eq(workspace_id))
        .order_by_asc(event::Column::Seq)
        .one(db)
        .await?
        .map(|e| e.seq);
    Ok(LogBounds { last, oldest_kept })
}

/// The last event number of each workspace in `workspace_ids`.
pub async fn last_numbers<C: ConnectionTrait>(
    db: &C,
    workspace_ids: Vec<Uuid>,
) -> Result<Vec<(Uuid, i64)>, DbErr> {
    let rows = entity::workspace::Entity::find()
        .filter(entity::workspace::Column::Id.is_in(workspace_ids))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|w| (w.id, w.event_seq)).collect())
}

/// Deletes events created before `before`; returns how many went.
pub async fn prune<C: ConnectionTrait>(db: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let result = event::Entity::delete_many()
        .filter(event::Column::CreatedAt.lt(before))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::LogBounds;

    #[test]
    fn replay_is_possible_only_when_nothing_after_the_cursor_was_pruned() {
        let bounds = LogBounds {
            last: 10,
            oldest_kept: Some(5),
        };
        assert!(bounds.can_replay_after(4));
        assert!(bounds.can_replay_after(7));
        assert!(bounds.can_replay_after(10));
        assert!(!bounds.can_replay_after(3));
        let all_pruned = LogBounds {
            last: 10,
            oldest_kept: None,
        };
        assert!(all_pruned.can_replay_after(10));
        assert!(!all_pruned.can_replay_after(9));
    }
}
