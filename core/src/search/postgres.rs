//! PostgreSQL's search statements, over `search_document` (migration 44):
//! one narrow row per live record, keyed by workspace, type and id.
//!
//! Hits rank by tier, then newest first, so each type's branch first reads
//! a window of its newest documents through the key (a few pages: ids are
//! UUIDv7, rows arrive in that order) and ranks the matches in it. When the
//! window holds enough matches of the tier's best rank, nothing outside it
//! can come before them, and that is the answer: common queries ("anna", a
//! prefix shared by thousands) cost the window, however many rows match.
//! Otherwise the trigram index finds every match of the type, which then
//! are few (a rare query), and those are ranked instead. A one-time filter
//! runs only one of the two (see BENCHMARKS.md).

use sea_orm::Value;

use super::{Tier, escape_like, typos};
use entity::search_text::DOCUMENTS;

/// The least word similarity a near match needs, as SQL over the bound
/// query `param`. A slip of one letter changes at most three of the
/// query's trigrams, and `word_similarity` compares the query's trigrams
/// with those of the best stretch of the text: `(n - 3) / (n + 3)` for a
/// query of `n` trigrams (a hair less, as the comparison is in `real`),
/// and never below 0.3. A long query so needs more of its trigrams found
/// than a short one, and near matches stay few.
///
/// A scalar subquery, so it is computed once per statement: on one node
/// PostgreSQL folds the bound query into a constant anyway, but a Citus
/// worker runs the statement with its parameters unbound and computed the
/// expression again for every candidate row (the near-match search took
/// 222 ms there against 46 ms on one node, BENCHMARKS.md "On Citus").
pub fn near_threshold(param: &str) -> String {
    format!(
        "(SELECT greatest(0.3, (cardinality(show_trgm({param})) - 3.0) / (cardinality(show_trgm({param})) + 3.0)) - 0.000001)"
    )
}

/// The statement that readies a search's transaction, and its values.
///
/// Custom plans, for both tiers: a server's connections otherwise settle on
/// PostgreSQL's generic plan after five executions, made for an unknown
/// workspace and so for the table's average one. Beside 1,000 small
/// workspaces that plan read the large one's documents as if they were a
/// few hundred: a prefix search went from 20 to 657 ms, a slip from 46 ms to
/// 1.1 s (BENCHMARKS.md, "generic plan"). A search costs milliseconds and
/// planning it a fraction of one, so it is planned for its own workspace
/// every time.
///
/// For the near tier it also answers the query's threshold (column
/// `threshold`), which [`set_threshold`] then gives to `<%`, and has Citus
/// pass the transaction's `SET LOCAL`s on to the worker it opens for the
/// shard's statement (`citus.propagate_set_commands`; on PostgreSQL
/// without Citus an unused placeholder).
pub fn ready_transaction(tier: Tier, query: &str) -> (String, Vec<Value>) {
    let custom = crate::store::page::CUSTOM_PLANS;
    match tier {
        Tier::Exact => (format!("SELECT {custom}"), Vec::new()),
        Tier::Near => (
            format!(
                r#"SELECT {custom}, set_config('citus.propagate_set_commands', 'local', true), CAST({} AS DOUBLE PRECISION) AS "threshold""#,
                near_threshold("CAST($1 AS TEXT)")
            ),
            vec![Value::from(query.to_owned())],
        ),
    }
}

/// The statement that makes `threshold` the least word similarity `<%`
/// (and the trigram index) accepts for the rest of the transaction, on
/// whichever node runs the search.
///
/// `SET LOCAL`, not `set_config`: Citus passes a transaction's `SET LOCAL`
/// on to its worker (see [`ready_transaction`]), never a `set_config`.
/// Without it the worker kept its database's 0.29, the trigram index handed
/// every weak match to the recheck, and a slip of one letter at a million
/// contacts took 932 ms on Citus against 36 ms on one node (BENCHMARKS.md,
/// "On Citus"). Alone in its string: Citus passes on the text from the
/// statement's start to the string's end. `SET` takes no parameters: the
/// value is a number formatted here, never text from the request.
pub fn set_threshold(threshold: f64) -> String {
    format!(
        "SET LOCAL pg_trgm.word_similarity_threshold = {}",
        threshold.clamp(0.0, 1.0)
    )
}

/// Newest documents of a type read before the trigram index is asked, for
/// a page ending at hit `take`: enough that a query matching more than one
/// document in 250 fills the page from the window alone.
pub fn window(take: u64) -> u64 {
    (take * 250).clamp(5_000, 100_000)
}

/// The part of the window the near tier reads: its test costs more (two
/// `LIKE`s, and word similarity where they pass), and a slip of a common
/// word is found among fewer.
const NEAR_SHARE: u64 = 2;

/// What a tier matches and how it ranks, over the column `"text"`.
struct Tiered {
    rank: String,
    rank_values: Vec<Value>,
    /// The match in the window: cheap tests first.
    in_window: String,
    /// The match over the whole type: what the trigram index can serve.
    indexed: String,
    /// The values of either match (both bind them in one order).
    matching_values: Vec<Value>,
    /// The best rank of the tier: a window holding `take` of these is settled.
    best: u8,
}

fn tiered(query: &str, tier: Tier) -> Tiered {
    let q = || Value::from(query.to_owned());
    let contains = Value::from(format!("%{}%", escape_like(query)));
    let inside = r#""text" LIKE ? ESCAPE '\'"#;
    match tier {
        // A word starts with the query (3), or it is elsewhere (2).
        Tier::Exact => Tiered {
            rank: r#"CASE WHEN strpos("text", ?) = 1 OR strpos("text", ' ' || ?) > 0 THEN 3 ELSE 2 END"#
                .to_owned(),
            rank_values: vec![q(), q()],
            in_window: inside.to_owned(),
            indexed: inside.to_owned(),
            matching_values: vec![contains],
            best: 3,
        },
        Tier::Near => {
            // A CASE, so the similarity is computed only for texts holding
            // one of the query's halves and not the query itself (a plain
            // AND leaves the order of the tests to the planner). Texts
            // holding the query are many when its exact matches did not
            // fill the page because the reader reads few of them: at a
            // million contacts, testing them first took a narrowed
            // "lindqvist" from 76 to 14 ms (BENCHMARKS.md).
            let halves = format!("({inside} OR {inside}) AND NOT ({inside})");
            let [left, right] = typos::halves(query);
            // `<%` (what the trigram index serves) compares with the
            // transaction's threshold ([`set_threshold`]). The query's own
            // threshold is tested here too, so the answer holds whatever
            // the node running it was told: a database's own is 0.29, the
            // lowest (a list's search filter reads through it).
            let threshold = near_threshold("CAST(? AS TEXT)");
            let near = format!(
                "? <% \"text\" AND word_similarity(?, \"text\") >= {threshold}"
            );
            Tiered {
                rank: "1".to_owned(),
                rank_values: Vec::new(),
                in_window: format!("CASE WHEN {halves} THEN ({near}) ELSE false END"),
                indexed: format!("{halves} AND {near}"),
                matching_values: vec![
                    Value::from(left),
                    Value::from(right),
                    contains,
                    q(),
                    q(),
                    q(),
                    q(),
                ],
                best: 1,
            }
        }
    }
}

/// `table`'s branch of the `tier` statement (`?`: the values returned), at
/// most `take` rows, best first, looked for in the `window` newest first.
/// A `narrowed` reader's branch (the condition on `"record_id"`) keeps the
/// documents of records it reads,
/// in the window and over the whole type alike, so a window is settled
/// only by matches the reader reads.
pub fn branch(
    table: &str,
    kind: &str,
    query: &str,
    workspace: Value,
    tier: Tier,
    (take, window): (u64, u64),
    narrowed: Option<(String, Vec<Value>)>,
) -> (String, Vec<Value>) {
    let Tiered {
        rank,
        rank_values,
        mut in_window,
        mut indexed,
        mut matching_values,
        best,
    } = tiered(query, tier);
    if let Some((read, owners)) = narrowed {
        // The document's record, read by its key once the document matched.
        in_window = format!("({in_window}) AND {read}");
        indexed = format!("({indexed}) AND {read}");
        matching_values.extend(owners);
    }
    let window = match tier {
        Tier::Exact => window,
        Tier::Near => (window / NEAR_SHARE).max(1),
    };
    let of_type = format!(r#""workspace_id" = ? AND "record_type" = '{table}'"#);
    let sql = format!(
        r#"(WITH "window" AS MATERIALIZED (SELECT "record_id", "text" FROM "{DOCUMENTS}" WHERE {of_type} ORDER BY "record_id" DESC LIMIT {window}), "found" AS MATERIALIZED (SELECT "record_id", {rank} AS "rank" FROM "window" WHERE {in_window}), "settled" AS MATERIALIZED (SELECT count(*) FILTER (WHERE "rank" = {best}) >= {take} OR (SELECT count(*) FROM "window") < {window} AS "yes" FROM "found") SELECT '{kind}' AS "kind", "record_id" AS "id", CAST("rank" AS DOUBLE PRECISION) AS "score" FROM "found" WHERE (SELECT "yes" FROM "settled") UNION ALL SELECT '{kind}', "record_id", CAST({rank} AS DOUBLE PRECISION) FROM "{DOCUMENTS}" WHERE NOT (SELECT "yes" FROM "settled") AND {of_type} AND {indexed} ORDER BY "score" DESC, "id" DESC LIMIT {take})"#
    );
    let mut values = vec![workspace.clone()];
    values.extend(rank_values.iter().cloned());
    values.extend(matching_values.iter().cloned());
    values.extend(rank_values);
    values.push(workspace);
    values.extend(matching_values);
    (sql, values)
}
