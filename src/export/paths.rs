//! A deal export's `pipeline` and `stages` columns: the pipeline's name and
//! the stages the deal entered, in order, with when (`[{"stage": "…", "at":
//! "…"}]`, the first at its creation). Names rather than ids, and the whole
//! path rather than the current stage, so that an import into another
//! workspace with the same pipeline writes the same stage history (time in
//! stage, sales cycle, win rates).

use std::collections::HashMap;

use entity::{deal, deal_stage_change, pipeline, stage};
use futures_util::future::BoxFuture;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use rapport_core::store::col;

/// The columns, after the record's own.
pub const NAMES: &[&str] = &["pipeline", "stages"];

/// The two values of each deal of `rows`, in order: one statement for the
/// page's stage changes, two for the workspace's (few) pipeline and stage
/// names.
pub fn of_deals<'a>(
    db: &'a DatabaseConnection,
    workspace: Uuid,
    rows: &'a [deal::Model],
) -> BoxFuture<'a, super::ExtraValues> {
    Box::pin(async move {
        let pipelines: HashMap<Uuid, String> = pipeline::Entity::find()
            .filter(col("pipeline", "workspace_id").eq(workspace))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let stages: HashMap<Uuid, String> = stage::Entity::find()
            .filter(col("stage", "workspace_id").eq(workspace))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
        let mut paths: HashMap<Uuid, Vec<Value>> = HashMap::new();
        if !ids.is_empty() {
            let changes = deal_stage_change::Entity::find()
                .filter(col("deal_stage_change", "workspace_id").eq(workspace))
                .filter(col("deal_stage_change", "deal_id").is_in(ids))
                .order_by_asc(deal_stage_change::Column::CreatedAt)
                .order_by_asc(deal_stage_change::Column::Id)
                .all(db)
                .await?;
            for change in changes {
                let name = stages.get(&change.to_stage_id).cloned();
                let at = change.created_at.to_rfc3339();
                let step = json!({ "stage": name, "at": at });
                paths.entry(change.deal_id).or_default().push(step);
            }
        }
        Ok(rows
            .iter()
            .map(|d| {
                let pipeline = pipelines.get(&d.pipeline_id).cloned();
                let path = paths.remove(&d.id).unwrap_or_default();
                vec![json!(pipeline), Value::Array(path)]
            })
            .collect())
    })
}
