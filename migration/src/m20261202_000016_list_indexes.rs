//! An index for every sort a list page can start from, so a first page (and
//! every page after a cursor) reads an index range of the page's size
//! instead of sorting the whole workspace.
//!
//! Each index leads with `workspace_id`, then the sort column, then `id`
//! (every ordering ends with `id`, in the direction of the key before it, so
//! one index serves a sort in both directions by scanning it either way).
//! Tables with soft delete index only the live set (`deleted_at IS NULL`),
//! which is what lists read unless a filter asks for deleted rows.
//!
//! Lists put NULLs last in both directions. PostgreSQL scans an ascending
//! index backwards as `DESC NULLS FIRST`, so a nullable column gets a second
//! index `DESC NULLS LAST` for descending sorts. SQLite does not accept
//! `NULLS LAST` in an index: there the second index is plain `DESC` (SQLite
//! sorts NULLs lowest, which is last when descending).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A sortable column of a list.
struct Sort {
    table: &'static str,
    column: &'static str,
    nullable: bool,
    /// Whether the table has soft delete (the index covers the live set).
    live: bool,
}

const fn sort(table: &'static str, column: &'static str, nullable: bool, live: bool) -> Sort {
    Sort {
        table,
        column,
        nullable,
        live,
    }
}

/// Every `orderBy` field of every list, and `id` (the default order of the
/// large lists and the last key of every order).
const SORTS: &[Sort] = &[
    sort("company", "id", false, true),
    sort("company", "name", false, true),
    sort("company", "employee_count", true, true),
    sort("company", "annual_revenue_e4", true, true),
    sort("company", "created_at", false, true),
    sort("company", "updated_at", false, true),
    sort("contact", "id", false, true),
    sort("contact", "first_name", false, true),
    sort("contact", "last_name", false, true),
    sort("contact", "email", true, true),
    sort("contact", "lead_score", false, true),
    sort("contact", "created_at", false, true),
    sort("contact", "updated_at", false, true),
    sort("deal", "id", false, true),
    sort("deal", "name", false, true),
    sort("deal", "amount_e4", false, true),
    sort("deal", "expected_close_date", true, true),
    sort("deal", "stage_entered_at", false, true),
    sort("deal", "created_at", false, true),
    sort("deal", "updated_at", false, true),
    sort("ticket", "id", false, true),
    sort("ticket", "number", false, true),
    sort("ticket", "opened_at", false, true),
    sort("ticket", "resolved_at", true, true),
    sort("ticket", "created_at", false, true),
    sort("ticket", "updated_at", false, true),
    sort("activity", "id", false, true),
    sort("activity", "occurred_at", false, true),
    sort("activity", "due_at", true, true),
    sort("activity", "created_at", false, true),
    sort("customer_order", "id", false, true),
    sort("customer_order", "ordered_at", false, true),
    sort("customer_order", "amount_e4", false, true),
    sort("customer_order", "created_at", false, true),
    sort("survey_response", "id", false, true),
    sort("survey_response", "responded_at", false, true),
    sort("survey_response", "score", false, true),
    sort("survey_response", "created_at", false, true),
    sort("goal", "period_start", false, true),
    sort("goal", "period_end", false, true),
    sort("goal", "created_at", false, true),
    sort("member", "id", false, false),
    sort("member", "name", false, false),
    sort("member", "email", false, false),
    sort("member", "created_at", false, false),
    sort("pipeline", "name", false, true),
    sort("pipeline", "position", false, true),
    sort("pipeline", "created_at", false, true),
    sort("stage", "position", false, true),
    sort("stage", "name", false, true),
    sort("stage", "win_probability", false, true),
    sort("tag", "name", false, false),
    sort("tag", "created_at", false, false),
    sort("reason", "kind", false, true),
    sort("reason", "code", false, true),
    sort("reason", "label", false, true),
    sort("lead_scoring_rule", "name", false, true),
    sort("lead_scoring_rule", "points", false, true),
    sort("lead_scoring_rule", "created_at", false, true),
    sort("trigger_rule", "name", false, true),
    sort("trigger_rule", "created_at", false, true),
];

impl Sort {
    fn name(&self, descending: bool) -> String {
        let suffix = if descending { "_desc" } else { "" };
        format!("ix_{}_sort_{}{suffix}", self.table, self.column)
    }

    /// `CREATE INDEX …` for this sort, ascending or (nullable columns) the
    /// descending companion.
    fn create(&self, backend: DbBackend, descending: bool) -> String {
        let Sort { table, column, .. } = self;
        let columns = if column == &"id" {
            r#""workspace_id", "id""#.to_owned()
        } else if !descending {
            format!(r#""workspace_id", "{column}", "id""#)
        } else if backend == DbBackend::Postgres {
            format!(r#""workspace_id", "{column}" DESC NULLS LAST, "id" DESC"#)
        } else {
            format!(r#""workspace_id", "{column}" DESC, "id" DESC"#)
        };
        let live = if self.live {
            r#" WHERE "deleted_at" IS NULL"#
        } else {
            ""
        };
        format!(
            r#"CREATE INDEX IF NOT EXISTS "{}" ON "{table}" ({columns}){live}"#,
            self.name(descending)
        )
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for sort in SORTS {
            db.execute_unprepared(&sort.create(backend, false)).await?;
            if sort.nullable {
                db.execute_unprepared(&sort.create(backend, true)).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sort in SORTS {
            for descending in [false, true] {
                db.execute_unprepared(&format!(
                    r#"DROP INDEX IF EXISTS "{}""#,
                    sort.name(descending)
                ))
                .await?;
            }
        }
        Ok(())
    }
}
