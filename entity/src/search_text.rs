//! The text each searchable record is found by: its searched columns,
//! lower-cased and joined by spaces. PostgreSQL indexes this expression
//! (`gin_trgm_ops`) and the search query repeats it verbatim, as an
//! expression index is used only for the identical expression; SQLite's
//! triggers write it into the full-text table.

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

/// The search text of a `table` row, its columns read as `{prefix}"column"`
/// (`prefix` empty, or `NEW.` in a trigger, or `t.` for an alias).
pub fn expr(table: &str, prefix: &str) -> String {
    let parts: Vec<String> = columns(table)
        .iter()
        .map(|column| {
            if *column == "number" {
                format!(r#"'#' || CAST({prefix}"{column}" AS TEXT)"#)
            } else {
                format!(r#"coalesce({prefix}"{column}", '')"#)
            }
        })
        .collect();
    format!("lower({})", parts.join(" || ' ' || "))
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
