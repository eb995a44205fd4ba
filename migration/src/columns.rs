//! Column and index helpers shared by the migrations, so that every table
//! gets the same common columns (DESIGN §3) and every index leads with
//! `workspace_id` (the future sharding key).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// A table with `id`, `workspace_id` (referencing the workspace) and the
/// timestamps; `editable` adds `version` and `deleted_at`.
pub fn tenant_table(name: &'static str, editable: bool) -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(name)
        .col(pk_uuid("id"))
        .col(uuid("workspace_id"))
        .foreign_key(
            ForeignKey::create()
                .from(name, "workspace_id")
                .to("workspace", "id"),
        );
    if editable {
        table
            .col(integer("version").default(1))
            .col(timestamp_with_time_zone_null("deleted_at"));
    }
    table
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"));
    table
}

/// A nullable reference to another table of the same workspace.
pub fn reference(
    table: &mut TableCreateStatement,
    name: &'static str,
    col: &'static str,
    to: &'static str,
    nullable: bool,
) {
    table
        .col(if nullable { uuid_null(col) } else { uuid(col) })
        .foreign_key(ForeignKey::create().from(name, col).to(to, "id"));
}

/// An index on `(workspace_id, cols…)`.
pub fn tenant_index(
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(format!("ix_{table}_{}", cols.join("_")))
        .table(table)
        .col("workspace_id");
    for col in cols {
        index.col(*col);
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

/// `CREATE INDEX` statements for a list's sorts, as migration 16 writes
/// them: `(workspace_id, column, id)` over the live set, so a first page of
/// any `orderBy` reads an index range (the plan test walks every sort).
pub fn live_sort_indexes(table: &str, columns: &[&str]) -> Vec<String> {
    columns
        .iter()
        .map(|column| {
            format!(
                r#"CREATE INDEX "ix_{table}_sort_{column}" ON "{table}" ("workspace_id", "{column}", "id") WHERE "deleted_at" IS NULL"#
            )
        })
        .collect()
}

/// Creates the tables, then their indexes.
pub async fn create_all(
    manager: &SchemaManager<'_>,
    tables: Vec<TableCreateStatement>,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    for table in tables {
        manager.create_table(table).await?;
    }
    for index in indexes {
        manager.create_index(index).await?;
    }
    Ok(())
}

/// Drops the tables in the order given (children first).
pub async fn drop_all(manager: &SchemaManager<'_>, tables: &[&'static str]) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(*table).to_owned())
            .await?;
    }
    Ok(())
}

/// Runs `statements` as one batch, so on one connection: on SQLite another
/// pooled connection would still hold the schema from before a column was
/// added or dropped (and refuse the next change against it).
pub async fn run_batch(manager: &SchemaManager<'_>, statements: &[String]) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::ConnectionTrait;
    manager
        .get_connection()
        .execute_unprepared(&statements.join(";\n"))
        .await
        .map(drop)
}
