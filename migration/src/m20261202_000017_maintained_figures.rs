//! Stored figures: the calculated figures of contacts, companies and deals
//! become columns that the write operations keep current in their own
//! transaction (so lists sort and filter on an index instead of running
//! correlated subqueries per row), filled here from the records as they are.
//! Also the indexes the period figures read through: the time columns
//! analytics, groups and the dashboard bound that no list sorts by
//! (`closed_at`, stage-change times), leading with `workspace_id` and
//! partial on live rows where that is what they read.
//!
//! The backfill is this migration's own SQL, frozen with it: it computes
//! each figure exactly as the correlated expressions did before it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The stored figures of a contact or a company.
fn owner_columns() -> Vec<ColumnDef> {
    vec![
        big_integer("ticket_count").default(0).to_owned(),
        big_integer("open_ticket_count").default(0).to_owned(),
        timestamp_with_time_zone_null("last_ticket_at"),
        big_integer_null("average_resolution_e4"),
        integer_null("latest_nps"),
        integer_null("latest_csat"),
        big_integer("lifetime_value_e4").default(0).to_owned(),
        timestamp_with_time_zone_null("last_order_at"),
    ]
}

fn added_columns() -> Vec<(&'static str, ColumnDef)> {
    let mut all: Vec<(&'static str, ColumnDef)> = Vec::new();
    for table in ["contact", "company"] {
        all.extend(owner_columns().into_iter().map(|c| (table, c)));
    }
    all.push(("company", integer_null("lead_score")));
    all.push(("company", timestamp_with_time_zone_null("customer_since")));
    all.push((
        "deal",
        big_integer("weighted_amount_e4").default(0).to_owned(),
    ));
    all
}

/// An index leading with `workspace_id`.
struct Sorted {
    name: &'static str,
    table: &'static str,
    columns: &'static str,
    /// Only live rows (`deleted_at IS NULL`), which is what lists and
    /// figures read.
    live: bool,
    /// A sort column with NULLs: it gets a descending companion (see below).
    nullable: bool,
}

const fn index(name: &'static str, table: &'static str, columns: &'static str) -> Sorted {
    Sorted {
        name,
        table,
        columns,
        live: true,
        nullable: false,
    }
}

const fn nullable(name: &'static str, table: &'static str, columns: &'static str) -> Sorted {
    Sorted {
        nullable: true,
        ..index(name, table, columns)
    }
}

/// The figure sorts follow the list sorts of migration 16: `(workspace_id,
/// figure, id)` over live rows, scanned either way; lists put NULLs last in
/// both directions, so a nullable figure also gets a `DESC NULLS LAST`
/// companion (plain `DESC` on SQLite, which sorts NULLs lowest). The period
/// reads use migration 16's indexes on the time columns lists sort by
/// (`created_at`, `opened_at`, `resolved_at`, `ordered_at`, `responded_at`,
/// `expected_close_date`) and these on the others.
const INDEXES: &[Sorted] = &[
    index(
        "ix_contact_figure_ticket_count",
        "contact",
        "ticket_count, id",
    ),
    index(
        "ix_contact_figure_open_ticket_count",
        "contact",
        "open_ticket_count, id",
    ),
    nullable(
        "ix_contact_figure_last_ticket_at",
        "contact",
        "last_ticket_at, id",
    ),
    nullable(
        "ix_contact_figure_average_resolution",
        "contact",
        "average_resolution_e4, id",
    ),
    nullable("ix_contact_figure_latest_nps", "contact", "latest_nps, id"),
    nullable(
        "ix_contact_figure_latest_csat",
        "contact",
        "latest_csat, id",
    ),
    index(
        "ix_contact_figure_lifetime_value",
        "contact",
        "lifetime_value_e4, id",
    ),
    index(
        "ix_company_figure_ticket_count",
        "company",
        "ticket_count, id",
    ),
    index(
        "ix_company_figure_open_ticket_count",
        "company",
        "open_ticket_count, id",
    ),
    nullable(
        "ix_company_figure_last_ticket_at",
        "company",
        "last_ticket_at, id",
    ),
    nullable(
        "ix_company_figure_average_resolution",
        "company",
        "average_resolution_e4, id",
    ),
    nullable("ix_company_figure_latest_nps", "company", "latest_nps, id"),
    nullable(
        "ix_company_figure_latest_csat",
        "company",
        "latest_csat, id",
    ),
    index(
        "ix_company_figure_lifetime_value",
        "company",
        "lifetime_value_e4, id",
    ),
    nullable("ix_company_figure_lead_score", "company", "lead_score, id"),
    // Customers when a period began (churn).
    index(
        "ix_company_period_customer_since",
        "company",
        "customer_since, churned_at",
    ),
    index(
        "ix_deal_figure_weighted_amount",
        "deal",
        "weighted_amount_e4, id",
    ),
    // Deals closed in a period (outcomes, revenue, cycle, reasons, the
    // dashboard's month), per owner (goals), open ones (pipeline value).
    index("ix_deal_period_closed_at", "deal", "closed_at"),
    index(
        "ix_deal_period_owner_closed_at",
        "deal",
        "owner_id, closed_at",
    ),
    index(
        "ix_deal_period_status_created_at",
        "deal",
        "status, created_at",
    ),
    // The dashboard's per-stage totals, read from the index alone.
    index(
        "ix_deal_period_pipeline_totals",
        "deal",
        "pipeline_id, stage_id, status, currency, amount_e4",
    ),
    // Stays in stages that ended in a period: the period's changes, and
    // for each the deal's change before it, read from the index alone.
    Sorted {
        live: false,
        ..index(
            "ix_deal_stage_change_period_created_at",
            "deal_stage_change",
            "created_at",
        )
    },
    Sorted {
        live: false,
        ..index(
            "ix_deal_stage_change_stays",
            "deal_stage_change",
            "deal_id, created_at, id, to_stage_id",
        )
    },
];

impl Sorted {
    fn create(&self, backend: DbBackend, descending: bool) -> String {
        let mut columns: Vec<String> = self
            .columns
            .split(", ")
            .map(|c| format!(r#""{c}""#))
            .collect();
        let mut name = self.name.to_owned();
        if descending {
            let nulls = if backend == DbBackend::Postgres {
                " NULLS LAST"
            } else {
                ""
            };
            // Only the figure may be NULL: the columns after it are plain
            // `DESC`, as the lists order them (PostgreSQL matches an index to
            // an ORDER BY only with the same NULLS placement).
            columns = columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 {
                        format!("{c} DESC{nulls}")
                    } else {
                        format!("{c} DESC")
                    }
                })
                .collect();
            name.push_str("_desc");
        }
        let live = if self.live {
            r#" WHERE "deleted_at" IS NULL"#
        } else {
            ""
        };
        format!(
            r#"CREATE INDEX "{name}" ON "{}" ("workspace_id", {}){live}"#,
            self.table,
            columns.join(", ")
        )
    }
}

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
        let backend = manager.get_database_backend();
        for statement in backfill(backend) {
            db.execute_unprepared(&statement).await?;
        }
        for index in INDEXES {
            db.execute_unprepared(&index.create(backend, false)).await?;
            if index.nullable {
                db.execute_unprepared(&index.create(backend, true)).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for index in INDEXES.iter().rev() {
            for suffix in ["", "_desc"] {
                let name = format!("{}{suffix}", index.name);
                db.execute_unprepared(&format!(r#"DROP INDEX IF EXISTS "{name}""#))
                    .await?;
            }
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

/// Seconds from `from` to `to`, as each backend computes them.
fn seconds(backend: DbBackend, from: &str, to: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("EXTRACT(EPOCH FROM ({to} - {from}))"),
        _ => format!("(julianday({to}) - julianday({from})) * 86400.0"),
    }
}

/// Σ of a non-negative BIGINT, held at the largest BIGINT instead of failing.
fn saturating_sum(backend: DbBackend, value: &str) -> String {
    const MAX: &str = "9223372036854775807";
    match backend {
        DbBackend::Postgres => format!("CAST(LEAST(COALESCE(SUM({value}), 0), {MAX}) AS BIGINT)"),
        _ => {
            let high = format!("COALESCE(SUM({value} / 1000000000), 0)");
            let low = format!("COALESCE(SUM({value} % 1000000000), 0)");
            format!(
                "CAST(CASE WHEN {high} > 9223372035 THEN {MAX} ELSE {high} * 1000000000 + {low} END AS INTEGER)"
            )
        }
    }
}

/// The statements that fill the new columns from the records.
fn backfill(backend: DbBackend) -> Vec<String> {
    let mut statements = Vec::new();
    for (table, key) in [("contact", "contact_id"), ("company", "company_id")] {
        let owns = |alias: &str| {
            format!(
                r#""{alias}"."workspace_id" = "{table}"."workspace_id" AND "{alias}"."{key}" = "{table}"."id""#
            )
        };
        let resolution = seconds(backend, r#""x"."opened_at""#, r#""x"."resolved_at""#);
        statements.push(format!(
            r#"UPDATE "{table}" SET ("ticket_count", "open_ticket_count", "last_ticket_at", "average_resolution_e4") = (SELECT COUNT(*), COALESCE(SUM(CASE WHEN "x"."status" IN ('OPEN', 'PENDING') THEN 1 ELSE 0 END), 0), MAX("x"."opened_at"), CAST(ROUND(AVG(CASE WHEN "x"."resolved_at" IS NOT NULL THEN {resolution} END) / 0.36) AS BIGINT) FROM "ticket" AS "x" WHERE {} AND "x"."deleted_at" IS NULL) WHERE EXISTS (SELECT 1 FROM "ticket" AS "x" WHERE {})"#,
            owns("x"),
            owns("x")
        ));
        let sum = saturating_sum(backend, r#""x"."amount_e4""#);
        statements.push(format!(
            r#"UPDATE "{table}" SET ("lifetime_value_e4", "last_order_at") = (SELECT {sum}, MAX("x"."ordered_at") FROM "customer_order" AS "x" WHERE {} AND "x"."deleted_at" IS NULL) WHERE EXISTS (SELECT 1 FROM "customer_order" AS "x" WHERE {})"#,
            owns("x"),
            owns("x")
        ));
        // A company's answers are those of its live contacts.
        let answers = match table {
            "contact" => format!(r#"FROM "survey_response" AS "s" WHERE {}"#, owns("s")),
            _ => r#"FROM "survey_response" AS "s" JOIN "contact" AS "sc" ON "sc"."workspace_id" = "s"."workspace_id" AND "sc"."id" = "s"."contact_id" AND "sc"."deleted_at" IS NULL WHERE "sc"."workspace_id" = "company"."workspace_id" AND "sc"."company_id" = "company"."id""#.to_owned(),
        };
        let latest = |kind: &str| {
            format!(
                r#"(SELECT "s"."score" {answers} AND "s"."deleted_at" IS NULL AND "s"."kind" = '{kind}' ORDER BY "s"."responded_at" DESC, "s"."id" DESC LIMIT 1)"#
            )
        };
        statements.push(format!(
            r#"UPDATE "{table}" SET "latest_nps" = {}, "latest_csat" = {} WHERE EXISTS (SELECT 1 {answers})"#,
            latest("NPS"),
            latest("CSAT")
        ));
    }
    statements.push(r#"UPDATE "company" SET "lead_score" = (SELECT MAX("lc"."lead_score") FROM "contact" AS "lc" WHERE "lc"."workspace_id" = "company"."workspace_id" AND "lc"."company_id" = "company"."id" AND "lc"."deleted_at" IS NULL)"#.to_owned());
    statements.push(r#"UPDATE "company" SET "customer_since" = (SELECT MIN("x"."since") FROM (SELECT MIN("d"."closed_at") AS "since" FROM "deal" AS "d" WHERE "d"."workspace_id" = "company"."workspace_id" AND "d"."company_id" = "company"."id" AND "d"."deleted_at" IS NULL AND "d"."status" = 'WON' UNION ALL SELECT MIN("o"."ordered_at") FROM "customer_order" AS "o" WHERE "o"."workspace_id" = "company"."workspace_id" AND "o"."company_id" = "company"."id" AND "o"."deleted_at" IS NULL) AS "x")"#.to_owned());
    statements.push(format!(
        r#"UPDATE "deal" SET "weighted_amount_e4" = COALESCE((SELECT {} FROM "stage" AS "ws" WHERE "ws"."workspace_id" = "deal"."workspace_id" AND "ws"."id" = "deal"."stage_id"), 0)"#,
        weighted(r#""deal"."amount_e4""#, r#""deal"."currency""#, r#""ws"."win_probability""#)
    ));
    statements
}

/// Amount × probability ÷ 100, rounded half up to the currency's minor unit,
/// in integer arithmetic that cannot overflow (amounts are not negative).
fn weighted(amount: &str, currency: &str, probability: &str) -> String {
    let list = |codes: &[&str]| {
        codes
            .iter()
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Ten-thousandths per minor unit; ISO 4217 exponents as of this migration.
    let unit = format!(
        "(CASE WHEN {currency} IN ({}) THEN 10000 WHEN {currency} IN ({}) THEN 10 WHEN {currency} IN ({}) THEN 1 ELSE 100 END)",
        list(&[
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
            "VUV", "XAF", "XOF", "XPF"
        ]),
        list(&["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]),
        list(&["CLF", "UYW"])
    );
    let minor = format!("({amount} / {unit})");
    format!(
        "(({minor} / 100) * {probability} + (({minor} % 100) * {probability} + 50) / 100) * {unit}"
    )
}
