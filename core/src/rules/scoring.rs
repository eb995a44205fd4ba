//! Recomputes stored lead scores in SQL and records each change.
//!
//! A contact's score is the sum of the points of every active rule that
//! matches it: text rules when the contact's job title (or its company's
//! industry) contains the rule's text, case-insensitively; number rules when
//! its company's size (or annual revenue, compared by nominal amount) lies
//! within the rule's bounds; engagement rules once per tracked engagement of
//! their kind. The score is stored (so lists filter and sort on an index) and
//! recomputed in the transaction of every change to its inputs.

use chrono::{DateTime, Utc};
use entity::lead_score_change;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseTransaction, Set, Statement, Value};
use uuid::Uuid;

use super::figures::Of;
use super::stored_figures::{self, Inputs, Owners};
use crate::error::CoreResult;
use crate::store::placeholders::for_backend;

/// Whose scores to recompute.
#[derive(Debug, Clone)]
pub enum Which {
    Contact(Uuid),
    /// Every contact of a company (its firmographics changed).
    Company(Uuid),
    /// Every contact of the workspace (the rules changed).
    Workspace,
    /// Contacts just created together (an import's batch), each scored at
    /// its own creation time rather than `at`.
    NewContacts(Vec<Uuid>),
}

const SCORE_SQL: &str = r#"
SELECT "c"."id" AS "id", "c"."company_id" AS "company_id", "c"."created_at" AS "created_at", "c"."lead_score" AS "previous", CAST(
  COALESCE((
    SELECT SUM("r"."points") FROM "lead_scoring_rule" AS "r"
    LEFT JOIN "company" AS "co" ON "co"."workspace_id" = ? AND "co"."id" = "c"."company_id" AND "co"."deleted_at" IS NULL
    WHERE "r"."workspace_id" = ? AND "r"."active" = ? AND "r"."deleted_at" IS NULL AND (
      ("r"."target" = 'JOB_TITLE' AND LOWER(COALESCE("c"."job_title", '')) LIKE '%' || LOWER("r"."text_value") || '%')
      OR ("r"."target" = 'INDUSTRY' AND LOWER(COALESCE("co"."industry", '')) LIKE '%' || LOWER("r"."text_value") || '%')
      OR ("r"."target" = 'COMPANY_SIZE' AND "co"."employee_count" >= COALESCE("r"."min_value", "co"."employee_count") AND "co"."employee_count" <= COALESCE("r"."max_value", "co"."employee_count"))
      OR ("r"."target" = 'ANNUAL_REVENUE' AND "co"."annual_revenue_e4" >= COALESCE("r"."min_value", "co"."annual_revenue_e4") AND "co"."annual_revenue_e4" <= COALESCE("r"."max_value", "co"."annual_revenue_e4"))
    )
  ), 0)
  + COALESCE((
    SELECT SUM("r"."points") FROM "lead_scoring_rule" AS "r"
    JOIN "engagement" AS "e" ON "e"."workspace_id" = ? AND "e"."contact_id" = "c"."id" AND "e"."kind" = "r"."target"
    WHERE "r"."workspace_id" = ? AND "r"."active" = ? AND "r"."deleted_at" IS NULL
  ), 0)
AS BIGINT) AS "score"
FROM "contact" AS "c"
WHERE "c"."workspace_id" = ? AND "c"."deleted_at" IS NULL"#;

/// Recomputes the scores of `which` contacts and records every change,
/// with `reason`, at `at`. Returns how many scores changed.
pub async fn recompute(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    which: Which,
    reason: &str,
    at: DateTime<Utc>,
) -> CoreResult<usize> {
    let backend = txn.get_database_backend();
    let mut sql = SCORE_SQL.to_owned();
    // Each subquery names the workspace itself rather than through the
    // contact row: on Citus (issue 22) a join or correlation on the
    // distribution column without the value fails to plan ("complex joins
    // …") or runs on every shard; with it, the statement goes to one shard.
    let ws = || Value::from(workspace_id);
    let mut values: Vec<Value> = vec![ws(), ws(), true.into(), ws(), ws(), true.into(), ws()];
    match which {
        Which::Contact(id) => {
            sql.push_str(r#" AND "c"."id" = ?"#);
            values.push(id.into());
        }
        Which::Company(id) => {
            sql.push_str(r#" AND "c"."company_id" = ?"#);
            values.push(id.into());
        }
        Which::Workspace => {}
        Which::NewContacts(ref ids) => {
            if ids.is_empty() {
                return Ok(0);
            }
            let listed = vec!["?"; ids.len()].join(", ");
            sql.push_str(&format!(r#" AND "c"."id" IN ({listed})"#));
            values.extend(ids.iter().map(|id| Value::from(*id)));
        }
    }
    let created_now = matches!(which, Which::NewContacts(_));
    let statement = Statement::from_sql_and_values(backend, for_backend(backend, &sql), values);
    let mut changed = 0;
    let mut companies = Owners::default();
    for row in txn.query_all_raw(statement).await? {
        let id: Uuid = row.try_get("", "id")?;
        let company: Option<Uuid> = row.try_get("", "company_id")?;
        let previous: i32 = row.try_get("", "previous")?;
        let score = i32::try_from(row.try_get::<i64>("", "score")?).unwrap_or(i32::MAX);
        if score == previous {
            continue;
        }
        let at = if created_now {
            row.try_get::<DateTime<Utc>>("", "created_at")?
        } else {
            at
        };
        let update = Statement::from_sql_and_values(
            backend,
            for_backend(
                backend,
                r#"UPDATE "contact" SET "lead_score" = ? WHERE "workspace_id" = ? AND "id" = ?"#,
            ),
            [score.into(), workspace_id.into(), id.into()],
        );
        txn.execute_raw(update).await?;
        lead_score_change::ActiveModel {
            id: Set(crate::store::new_id()),
            workspace_id: Set(workspace_id),
            contact_id: Set(id),
            previous: Set(previous),
            score: Set(score),
            reason: Set(reason.chars().take(200).collect()),
            changed_at: Set(at),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(txn)
        .await?;
        changed += 1;
        companies = companies.and(None, company);
    }
    // A company's lead score is its best contact's.
    match which {
        Which::Workspace if changed > 0 => {
            stored_figures::refresh_every(txn, workspace_id, Of::Company, &[Inputs::LeadScores])
                .await?;
        }
        _ => stored_figures::refresh(txn, workspace_id, &companies, &[Inputs::LeadScores]).await?,
    }
    Ok(changed)
}
