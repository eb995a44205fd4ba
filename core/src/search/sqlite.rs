//! SQLite's search statements: the full-text table's trigram index finds
//! the query itself (a `LIKE` for a two-letter one); the one-letter slips
//! are found by scanning its text (fine at an embedded database's size).

use sea_orm::Value;

use super::{Tier, branch_values, escape_like, typos};

/// The rank of an exact match: a word of the text starts with the query
/// (3), the query is elsewhere in it (2).
const EXACT_RANK: &str = r#"CASE WHEN substr(f."text", 1, length(?)) = ? OR instr(f."text", ' ' || ?) > 0 THEN 3.0 ELSE 2.0 END"#;

/// `table`'s branch of the `tier` statement (`?`: the values returned), at
/// most `take` rows, best first, of those the reader reads (`narrowed`: the
/// condition on the record's id `t."id"`).
pub fn branch(
    table: &str,
    kind: &str,
    query: &str,
    workspace: Value,
    tier: Tier,
    take: u64,
    narrowed: Option<(String, Vec<Value>)>,
) -> (String, Vec<Value>) {
    let q = || Value::from(query.to_owned());
    let (rank, rank_values, (mut matching, mut bound)) = match tier {
        Tier::Exact => (EXACT_RANK, vec![q(), q(), q()], exact(query)),
        Tier::Near => ("1.0", Vec::new(), near(query)),
    };
    if let Some((read, owners)) = narrowed {
        matching = format!("({matching}) AND {read}");
        bound.extend(owners);
    }
    let sql = format!(
        r#"SELECT * FROM (SELECT '{kind}' AS "kind", t."id" AS "id", {rank} AS "score" FROM "search_fts" AS f JOIN "search_entry" AS e ON e."id" = f."rowid" JOIN "{table}" AS t ON t."id" = e."record_id" WHERE t."workspace_id" = ? AND e."record_type" = '{table}' AND t."deleted_at" IS NULL AND {matching} ORDER BY "score" DESC, t."id" DESC LIMIT ?)"#
    );
    (sql, branch_values(rank_values, workspace, bound, take))
}

/// Whether the full-text row `f` holds the query itself: the trigram
/// index's phrase for three letters or more, a `LIKE` below.
pub fn exact(query: &str) -> (String, Vec<Value>) {
    if query.chars().count() >= 3 {
        // A phrase: the query as one string, its quotes doubled.
        let phrase = format!("\"{}\"", query.replace('"', "\"\""));
        (
            r#"f."rowid" IN (SELECT "rowid" FROM "search_fts" WHERE "search_fts" MATCH ?)"#
                .to_owned(),
            vec![Value::from(phrase)],
        )
    } else {
        contains(query)
    }
}

/// Whether the full-text row `f` holds the query with one letter changed,
/// dropped or added, and not the query itself.
pub fn near(query: &str) -> (String, Vec<Value>) {
    let (filters, mut values): (Vec<String>, Vec<Value>) = typos::patterns(query)
        .into_iter()
        .map(|pattern| {
            (
                r#"f."text" LIKE ? ESCAPE '\'"#.to_owned(),
                Value::from(pattern),
            )
        })
        .unzip();
    if filters.is_empty() {
        return ("0 = 1".to_owned(), Vec::new());
    }
    let (itself, bound) = contains(query);
    values.extend(bound);
    (
        format!("({}) AND NOT {itself}", filters.join(" OR ")),
        values,
    )
}

fn contains(query: &str) -> (String, Vec<Value>) {
    (
        r#"f."text" LIKE ? ESCAPE '\'"#.to_owned(),
        vec![Value::from(format!("%{}%", escape_like(query)))],
    )
}
