//! Two upkeep figures of contacts and companies, both sortable and
//! filterable through an index:
//! - `last_touched_at`, stored like the figures of migration 17 (the write
//!   operations keep it current) and filled here from the records as they
//!   are: the newest activity other than a task, engagement, order, ticket
//!   or survey answer (a company's own activities, orders and tickets, and
//!   its live contacts' engagements and answers);
//! - `completeness`, the whole percentage of the key fields filled, a
//!   column the database generates from the row (virtual on SQLite, which
//!   cannot add a stored one to an existing table; stored on PostgreSQL,
//!   which has only those), so no writer can leave it stale.
//!
//! The backfill is this migration's own SQL, frozen with it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::timestamp_with_time_zone_null;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Text columns count when they hold more than blanks; others when set.
fn filled(column: &str, text: bool) -> String {
    if text {
        format!(r#"CASE WHEN TRIM(COALESCE("{column}", '')) <> '' THEN 1 ELSE 0 END"#)
    } else {
        format!(r#"CASE WHEN "{column}" IS NOT NULL THEN 1 ELSE 0 END"#)
    }
}

/// The key fields of each table, and whether each is text.
fn key_fields(table: &str) -> &'static [(&'static str, bool)] {
    match table {
        "contact" => &[
            ("first_name", true),
            ("last_name", true),
            ("email", true),
            ("phone", true),
            ("job_title", true),
            ("company_id", false),
            ("city", true),
            ("country", true),
        ],
        _ => &[
            ("name", true),
            ("domain", true),
            ("industry", true),
            ("employee_count", false),
            ("annual_revenue_e4", false),
            ("city", true),
            ("country", true),
        ],
    }
}

fn completeness(table: &str, backend: DbBackend) -> String {
    let fields = key_fields(table);
    let sum: Vec<String> = fields.iter().map(|(c, text)| filled(c, *text)).collect();
    let kind = if backend == DbBackend::Postgres {
        "STORED"
    } else {
        "VIRTUAL"
    };
    format!(
        r#"ALTER TABLE "{table}" ADD COLUMN "completeness" INTEGER NOT NULL GENERATED ALWAYS AS ((({}) * 100) / {}) {kind}"#,
        sum.join(" + "),
        fields.len()
    )
}

fn backfill(table: &str) -> String {
    let key = if table == "contact" {
        "contact_id"
    } else {
        "company_id"
    };
    let own = |alias: &str| {
        format!(
            r#""{alias}"."workspace_id" = "{table}"."workspace_id" AND "{alias}"."{key}" = "{table}"."id""#
        )
    };
    let live = |alias: &str| format!(r#""{alias}"."deleted_at" IS NULL"#);
    let mut latest = vec![
        format!(
            r#"SELECT MAX("a"."occurred_at") AS "at" FROM "activity" AS "a" WHERE {} AND {} AND "a"."kind" <> 'TASK'"#,
            own("a"),
            live("a")
        ),
        format!(
            r#"SELECT MAX("o"."ordered_at") FROM "customer_order" AS "o" WHERE {} AND {}"#,
            own("o"),
            live("o")
        ),
        format!(
            r#"SELECT MAX("k"."opened_at") FROM "ticket" AS "k" WHERE {} AND {}"#,
            own("k"),
            live("k")
        ),
    ];
    let people = if table == "contact" {
        let own_e = own("e");
        let own_s = own("s");
        [
            format!(r#"FROM "engagement" AS "e" WHERE {own_e}"#),
            format!(r#"FROM "survey_response" AS "s" WHERE {own_s}"#),
        ]
    } else {
        let contacts = |alias: &str| {
            format!(
                r#"JOIN "contact" AS "tc" ON "tc"."workspace_id" = "{alias}"."workspace_id" AND "tc"."id" = "{alias}"."contact_id" AND "tc"."deleted_at" IS NULL WHERE {}"#,
                own("tc")
            )
        };
        [
            format!(r#"FROM "engagement" AS "e" {}"#, contacts("e")),
            format!(r#"FROM "survey_response" AS "s" {}"#, contacts("s")),
        ]
    };
    latest.push(format!(r#"SELECT MAX("e"."occurred_at") {}"#, people[0]));
    latest.push(format!(
        r#"SELECT MAX("s"."responded_at") {} AND {}"#,
        people[1],
        live("s")
    ));
    format!(
        r#"UPDATE "{table}" SET "last_touched_at" = (SELECT MAX("t"."at") FROM ({}) AS "t")"#,
        latest.join(" UNION ALL ")
    )
}

/// `(workspace_id, figure, id)` over live rows; the nullable figure also
/// descending with NULLs last, as lists order it (migration 17's rule).
fn indexes(table: &str, backend: DbBackend) -> Vec<String> {
    let nulls_last = if backend == DbBackend::Postgres {
        " NULLS LAST"
    } else {
        ""
    };
    let index = |name: &str, columns: &str| {
        format!(
            r#"CREATE INDEX "ix_{table}_figure_{name}" ON "{table}" ("workspace_id", {columns}) WHERE "deleted_at" IS NULL"#
        )
    };
    vec![
        index("last_touched_at", r#""last_touched_at", "id""#),
        index(
            "last_touched_at_desc",
            &format!(r#""last_touched_at" DESC{nulls_last}, "id" DESC"#),
        ),
        index("completeness", r#""completeness", "id""#),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for table in ["contact", "company"] {
            let alter = Table::alter()
                .table(table)
                .add_column(timestamp_with_time_zone_null("last_touched_at"))
                .to_owned();
            manager.alter_table(alter).await?;
            db.execute_unprepared(&backfill(table)).await?;
            db.execute_unprepared(&completeness(table, backend)).await?;
            for index in indexes(table, backend) {
                db.execute_unprepared(&index).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in ["contact", "company"] {
            for name in ["last_touched_at", "last_touched_at_desc", "completeness"] {
                db.execute_unprepared(&format!(
                    r#"DROP INDEX IF EXISTS "ix_{table}_figure_{name}""#
                ))
                .await?;
            }
            for column in ["completeness", "last_touched_at"] {
                let alter = Table::alter().table(table).drop_column(column).to_owned();
                manager.alter_table(alter).await?;
            }
        }
        Ok(())
    }
}
