//! PostgreSQL's search statements: each table's matches read through its
//! trigram index, ranked, and only the best rows the page can show kept
//! (a top-N sort, so the ranking never sorts every match).

use sea_orm::Value;

use super::{Tier, branch_values, escape_like};
use entity::search_text::{Dialect, text as search_text};

/// The least word similarity a near match needs, as SQL over the bound
/// query `param`. A slip of one letter changes at most three of the
/// query's trigrams, and `word_similarity` compares the query's trigrams
/// with those of the best stretch of the text: `(n - 3) / (n + 3)` for a
/// query of `n` trigrams (a hair less, as the comparison is in `real`),
/// and never below 0.3. A long query so needs more of its trigrams found
/// than a short one, and near matches stay few.
pub fn near_threshold(param: &str) -> String {
    format!(
        "(greatest(0.3, (cardinality(show_trgm({param})) - 3.0) / (cardinality(show_trgm({param})) + 3.0)) - 0.000001)"
    )
}

/// The statement that sets the near-match threshold of `<%` for the
/// transaction, from the query bound as `$1`.
pub fn set_near_threshold() -> String {
    format!(
        "SELECT set_config('pg_trgm.word_similarity_threshold', CAST({} AS TEXT), true)",
        near_threshold("CAST($1 AS TEXT)")
    )
}

/// `table`'s branch of the `tier` statement (`?`: the values returned), at
/// most `take` rows, best first.
pub fn branch(
    table: &str,
    kind: &str,
    query: &str,
    workspace: Value,
    tier: Tier,
    take: u64,
) -> (String, Vec<Value>) {
    let text = search_text(table, "", Dialect::Postgres);
    let q = || Value::from(query.to_owned());
    let contains = Value::from(format!("%{}%", escape_like(query)));
    let inside = format!(r#"{text} LIKE ? ESCAPE '\'"#);
    let (rank, rank_values, matching, bound) = match tier {
        Tier::Exact => (
            // A word starts with the query (3), or it is elsewhere (2).
            format!(
                "CASE WHEN strpos({text}, ?) = 1 OR strpos({text}, ' ' || ?) > 0 THEN 3.0 ELSE 2.0 END"
            ),
            vec![q(), q()],
            inside,
            vec![contains],
        ),
        Tier::Near => (
            "1.0".to_owned(),
            Vec::new(),
            format!("? <% {text} AND NOT ({inside})"),
            vec![q(), contains],
        ),
    };
    let sql = format!(
        r#"(SELECT '{kind}' AS "kind", "id", CAST({rank} + 1.0 / (1 + length({text})) AS DOUBLE PRECISION) AS "score" FROM "{table}" WHERE "workspace_id" = ? AND "deleted_at" IS NULL AND {matching} ORDER BY "score" DESC, "id" LIMIT ?)"#
    );
    (sql, branch_values(rank_values, workspace, bound, take))
}
