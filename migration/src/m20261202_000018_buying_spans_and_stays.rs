//! Two more stored figures, so that the last workspace-wide reads of the
//! period figures read a period (or an index) alone:
//! - each contact's and company's first live order (`first_order_at`, beside
//!   the `last_order_at` of migration 17): the projected lifetime value's
//!   mean buying span reads the buyers through an index instead of grouping
//!   every order;
//! - on each stage change, when the stay it ends began (`stay_began_at`, the
//!   deal's change before it): time in stage reads the period's changes
//!   alone, without looking back per change (so the covering index of
//!   migration 17 for that look-up goes);
//!
//! and a covering index for lead conversion's look-up of a contact's deals.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn added_columns() -> [(&'static str, ColumnDef); 3] {
    [
        ("contact", timestamp_with_time_zone_null("first_order_at")),
        ("company", timestamp_with_time_zone_null("first_order_at")),
        (
            "deal_stage_change",
            timestamp_with_time_zone_null("stay_began_at"),
        ),
    ]
}

/// `(name, table, columns)`, each leading with `workspace_id`.
const INDEXES: [(&str, &str, &str); 3] = [
    (
        "ix_deal_contact_period_contact_deal",
        "deal_contact",
        r#""contact_id", "deal_id""#,
    ),
    (
        "ix_contact_buyer_span",
        "contact",
        r#""first_order_at", "last_order_at""#,
    ),
    (
        "ix_company_buyer_span",
        "company",
        r#""first_order_at", "last_order_at""#,
    ),
];

const STAYS_INDEX: &str = r#""ix_deal_stage_change_stays" ON "deal_stage_change" ("workspace_id", "deal_id", "created_at", "id", "to_stage_id")"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, mut column) in added_columns() {
            let alter = Table::alter()
                .table(table)
                .add_column(&mut column)
                .to_owned();
            manager.alter_table(alter).await?;
        }
        let db = manager.get_connection();
        for table in ["contact", "company"] {
            let key = if table == "contact" {
                "contact_id"
            } else {
                "company_id"
            };
            db.execute_unprepared(&format!(
                r#"UPDATE "{table}" SET "first_order_at" = (SELECT MIN("x"."ordered_at") FROM "customer_order" AS "x" WHERE "x"."workspace_id" = "{table}"."workspace_id" AND "x"."{key}" = "{table}"."id" AND "x"."deleted_at" IS NULL) WHERE "last_order_at" IS NOT NULL"#
            ))
            .await?;
        }
        db.execute_unprepared(r#"UPDATE "deal_stage_change" SET "stay_began_at" = (SELECT "p"."created_at" FROM "deal_stage_change" AS "p" WHERE "p"."workspace_id" = "deal_stage_change"."workspace_id" AND "p"."deal_id" = "deal_stage_change"."deal_id" AND ("p"."created_at" < "deal_stage_change"."created_at" OR ("p"."created_at" = "deal_stage_change"."created_at" AND "p"."id" < "deal_stage_change"."id")) ORDER BY "p"."created_at" DESC, "p"."id" DESC LIMIT 1) WHERE "from_stage_id" IS NOT NULL"#)
            .await?;
        for (name, table, columns) in INDEXES {
            db.execute_unprepared(&format!(
                r#"CREATE INDEX "{name}" ON "{table}" ("workspace_id", {columns})"#
            ))
            .await?;
        }
        db.execute_unprepared(r#"DROP INDEX IF EXISTS "ix_deal_stage_change_stays""#)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(&format!("CREATE INDEX IF NOT EXISTS {STAYS_INDEX}"))
            .await?;
        for (name, _, _) in INDEXES {
            db.execute_unprepared(&format!(r#"DROP INDEX IF EXISTS "{name}""#))
                .await?;
        }
        for (table, column) in added_columns().iter().rev() {
            let alter = Table::alter()
                .table(*table)
                .drop_column(column.get_column_name())
                .to_owned();
            manager.alter_table(alter).await?;
        }
        Ok(())
    }
}
