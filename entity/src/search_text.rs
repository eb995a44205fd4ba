//! The text each searchable record is found by: its searched columns, then
//! the text of its custom field values, lower-cased and joined by spaces.
//! PostgreSQL keeps it in the search documents (migration 44, written by
//! triggers); SQLite's triggers write it into the full-text table. Since
//! migration 45 ([`live_text`]) only the values of live definitions count.
//! The earlier forms stay for the migrations that wrote them.

/// The searchable tables and the columns each is found by.
pub const SEARCHED: [(&str, &[&str]); 5] = [
    ("company", &["name", "domain"]),
    (
        "contact",
        &["first_name", "last_name", "email", "phone", "job_title"],
    ),
    ("deal", &["name"]),
    // `number` is found as `#123`.
    ("ticket", &["number", "subject", "description"]),
    ("activity", &["subject", "body"]),
];

/// The columns `table` is found by (none for a table not searched).
pub fn columns(table: &str) -> &'static [&'static str] {
    SEARCHED
        .iter()
        .find(|(t, _)| *t == table)
        .map_or(&[], |(_, columns)| columns)
}

/// The tables whose custom field values are searched too.
pub const WITH_CUSTOM_FIELDS: [&str; 4] = ["company", "contact", "deal", "ticket"];

/// Which database an expression is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

/// The search text of a `table` row as migration 39 indexed it: the
/// searched columns only, read as `{prefix}"column"` (`prefix` empty, or
/// `NEW.` in a trigger, or `t.` for an alias). Kept as it was, for that
/// migration; searches read [`live_text`].
pub fn expr(table: &str, prefix: &str) -> String {
    format!("lower({})", parts(table, prefix).join(" || ' ' || "))
}

/// The search text of a `table` row as migrations 41 and 44 wrote it:
/// [`expr`]'s columns, then the text of each custom field value (PostgreSQL through the immutable
/// `rapport_custom_text` of migration 41, which an index may call).
pub fn text(table: &str, prefix: &str, dialect: Dialect) -> String {
    with_custom_text(table, prefix, || match dialect {
        Dialect::Postgres => format!(r#"rapport_custom_text({prefix}"custom_fields")"#),
        Dialect::Sqlite => format!(
            r#"(SELECT coalesce(group_concat("value", ' '), '') FROM json_each({prefix}"custom_fields"))"#
        ),
    })
}

/// The search text of a `table` row from migration 45 on: [`text`], but a
/// custom field value counts only while its definition is live, so deleting
/// a definition hides its values from search as it does from reads.
/// PostgreSQL calls the stable `rapport_live_custom_text` (no index may use
/// it; the search documents hold its result instead); SQLite's subquery
/// reads the definitions the same way.
pub fn live_text(table: &str, prefix: &str, dialect: Dialect) -> String {
    let kind = table.to_uppercase();
    with_custom_text(table, prefix, || match dialect {
        Dialect::Postgres => format!(
            r#"rapport_live_custom_text({prefix}"workspace_id", '{kind}', {prefix}"custom_fields")"#
        ),
        Dialect::Sqlite => format!(
            r#"(SELECT coalesce(group_concat(j."value", ' '), '') FROM json_each({prefix}"custom_fields") AS j WHERE EXISTS (SELECT 1 FROM "custom_field" AS f WHERE f."workspace_id" = {prefix}"workspace_id" AND f."record_type" = '{kind}' AND f."key" = j."key" AND f."deleted_at" IS NULL))"#
        ),
    })
}

/// [`expr`]'s columns, then (for a table with custom fields) the text of
/// its custom values as `custom` writes it.
fn with_custom_text(table: &str, prefix: &str, custom: impl FnOnce() -> String) -> String {
    let mut parts = parts(table, prefix);
    if WITH_CUSTOM_FIELDS.contains(&table) {
        parts.push(custom());
    }
    format!("lower({})", parts.join(" || ' ' || "))
}

/// PostgreSQL's table of search documents (migration 44): a row per live
/// searchable record, `(workspace_id, record_type, record_id, text)`, kept by
/// triggers. Narrow rows in the order records were added let a search read
/// the newest few thousand of a type in a few pages.
pub const DOCUMENTS: &str = "search_document";

/// The document rows of `table`'s live records that `condition` (over the
/// alias `t`) selects, as a `SELECT` for `INSERT INTO search_document`, with
/// the text `search_text` writes (`text` for migration 44, [`live_text`]
/// after).
pub fn documents_select(
    table: &str,
    condition: &str,
    search_text: fn(&str, &str, Dialect) -> String,
) -> String {
    documents_rows(
        table,
        condition,
        &search_text(table, "t.", Dialect::Postgres),
    )
}

/// [`documents_select`] with the text's SQL (over the alias `t`) given.
pub fn documents_rows(table: &str, condition: &str, text: &str) -> String {
    format!(
        r#"SELECT t."workspace_id", '{table}', t."id", {text} FROM "{table}" AS t WHERE t."deleted_at" IS NULL AND {condition}"#
    )
}

/// PostgreSQL: [`live_text`] without its function. The live definitions are
/// read by a subquery that names the workspace `workspace` (SQL), so every
/// table the statement reads is bound to one workspace: on Citus such a
/// statement runs on the one node holding it, whereas the function, reading
/// `custom_field` from inside a query on a shard, is refused there.
pub fn workspace_live_text(table: &str, prefix: &str, workspace: &str) -> String {
    let kind = table.to_uppercase();
    with_custom_text(table, prefix, || {
        format!(
            r#"(SELECT coalesce(string_agg(j."value", ' '), '') FROM jsonb_each_text({prefix}"custom_fields") AS j WHERE EXISTS (SELECT 1 FROM "custom_field" AS f WHERE f."workspace_id" = {workspace} AND f."record_type" = '{kind}' AND f."key" = j."key" AND f."deleted_at" IS NULL))"#
        )
    })
}

fn parts(table: &str, prefix: &str) -> Vec<String> {
    columns(table)
        .iter()
        .map(|column| {
            if *column == "number" {
                format!(r#"'#' || CAST({prefix}"{column}" AS TEXT)"#)
            } else {
                format!(r#"coalesce({prefix}"{column}", '')"#)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_is_found_by_its_number_and_words() {
        assert_eq!(
            expr("ticket", "NEW."),
            r##"lower('#' || CAST(NEW."number" AS TEXT) || ' ' || coalesce(NEW."subject", '') || ' ' || coalesce(NEW."description", ''))"##
        );
        assert!(columns("tag").is_empty());
    }
}
