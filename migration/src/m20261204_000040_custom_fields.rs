//! Custom fields (issue 17, item 5): the definitions an ADMIN makes per
//! record type (`custom_field`), and the values, one JSON object per record
//! (`custom_fields` on companies, contacts, deals and tickets) keyed by the
//! definition's key. PostgreSQL keeps the object as `jsonb` with a GIN index
//! (`jsonb_path_ops`), which serves the containment tests (`@>`) that equality,
//! option and boolean filters are written as; SQLite keeps JSON text.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::{create_all, run_batch, tenant_index, tenant_table};

/// The record types that carry custom fields.
const CARRIERS: [&str; 4] = ["company", "contact", "deal", "ticket"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut field = tenant_table("custom_field", true);
        field
            .col(string_len("record_type", 16))
            .col(string_len("key", 50))
            .col(string_len("label", 100))
            .col(string_len("field_type", 16))
            .col(json_binary("options"))
            .col(boolean("required").default(false))
            .col(boolean("is_unique").default(false))
            .col(integer("position"))
            .col(text_null("description"));
        // A key names one field of a type for good: a deleted definition keeps
        // its key, so restoring it brings its values back unchanged.
        let indexes = vec![tenant_index("custom_field", &["record_type", "key"], true)];
        create_all(manager, vec![field], indexes).await?;
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        let mut statements = Vec::new();
        for table in CARRIERS {
            if postgres {
                statements.push(format!(
                    r#"ALTER TABLE "{table}" ADD COLUMN "custom_fields" jsonb NOT NULL DEFAULT '{{}}'::jsonb"#
                ));
                statements.push(format!(
                    r#"CREATE INDEX "ix_{table}_custom_fields" ON "{table}" USING gin ("custom_fields" jsonb_path_ops)"#
                ));
            } else {
                statements.push(format!(
                    r#"ALTER TABLE "{table}" ADD COLUMN "custom_fields" TEXT NOT NULL DEFAULT '{{}}'"#
                ));
            }
        }
        run_batch(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut statements: Vec<String> = CARRIERS
            .iter()
            .map(|table| format!(r#"ALTER TABLE "{table}" DROP COLUMN "custom_fields""#))
            .collect();
        statements.push(r#"DROP TABLE "custom_field""#.to_owned());
        run_batch(manager, &statements).await
    }
}
