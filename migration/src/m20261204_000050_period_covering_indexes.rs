//! Indexes that let the slow figures of `analytics` read only the period's
//! rows from an index alone (issue 21: a quarter at a million contacts).
//! Measured before them (BENCHMARKS.md, "Data size"): ticket volume and
//! resolution time read every ticket of the workspace
//! (`Parallel Seq Scan on ticket`, 300,000 of 2,000,000 rows kept), time in
//! stage joined the quarter's stage changes to every deal, and the order
//! mix fetched each earlier order of a buyer to compare its product.
//!
//! - tickets by opening and by resolution, live, carrying what the figures
//!   read (category; opening time; the assignee an owner narrows by);
//! - stage changes by time carrying the deal, the stage left and when the
//!   stay began; it replaces migration 17's `(workspace_id, created_at)`,
//!   which it serves in full (the open pipeline's changes since a period);
//! - deleted deals, so time in stage leaves out their stays without
//!   reading the live ones;
//! - placed live orders by buyer company, product and time, so an order's
//!   earlier order of the same product is one probe.
//!
//! PostgreSQL carries the extra columns with `INCLUDE`; SQLite has no
//! `INCLUDE`, so they follow the key there (the same rows, one index).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Live rows of a table with `deleted_at`.
const LIVE: &str = r#""deleted_at" IS NULL"#;

/// Name, table, key columns after `workspace_id`, carried columns, and the
/// rows held (all when empty).
pub(crate) type Covering = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const INDEXES: &[Covering] = &[
    (
        "ix_ticket_period_opened_at",
        "ticket",
        "opened_at",
        "category, assignee_id",
        LIVE,
    ),
    (
        "ix_ticket_period_resolved_at",
        "ticket",
        "resolved_at",
        "opened_at, assignee_id",
        LIVE,
    ),
    (
        "ix_deal_stage_change_period_stays",
        "deal_stage_change",
        "created_at",
        STAY,
        "",
    ),
    (
        "ix_deal_deleted",
        "deal",
        "id",
        "",
        r#""deleted_at" IS NOT NULL"#,
    ),
    (
        "ix_customer_order_placed_product",
        "customer_order",
        ORDER_KEY,
        "",
        PLACED,
    ),
];

const STAY: &str = "deal_id, from_stage_id, stay_began_at";
const ORDER_KEY: &str = "company_id, product, ordered_at, id";
const PLACED: &str = r#""status" = 'PLACED' AND "deleted_at" IS NULL"#;

/// Migration 17's index on stage changes' time, which the covering one
/// replaces.
const REPLACED: &str = r#"CREATE INDEX "ix_deal_stage_change_period_created_at" ON "deal_stage_change" ("workspace_id", "created_at")"#;

/// `a, b` as `"a", "b"`.
fn quoted(columns: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!(r#""{c}""#))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statement creating one of [`INDEXES`] on `backend`.
pub(crate) fn create(backend: DbBackend, index: &Covering) -> String {
    let (name, table, key, carried, rows) = *index;
    let key = format!(r#""workspace_id", {}"#, quoted(key));
    let columns = match (carried.is_empty(), backend) {
        (true, _) => key,
        (false, DbBackend::Postgres) => format!("{key}) INCLUDE ({}", quoted(carried)),
        (false, _) => format!("{key}, {}", quoted(carried)),
    };
    let partial = if rows.is_empty() {
        String::new()
    } else {
        format!(" WHERE {rows}")
    };
    format!(r#"CREATE INDEX "{name}" ON "{table}" ({columns}){partial}"#)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for index in INDEXES {
            db.execute_unprepared(&create(backend, index)).await?;
        }
        db.execute_unprepared(r#"DROP INDEX "ix_deal_stage_change_period_created_at""#)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(REPLACED).await?;
        for (name, ..) in INDEXES {
            db.execute_unprepared(&format!(r#"DROP INDEX "{name}""#))
                .await?;
        }
        Ok(())
    }
}
