//! The detection statements: one self-join per reason, each on an index of
//! migration 23 over the live set, every pair once (`b.id > a.id`), grouped
//! per pair, scored and paged in SQL.

use entity::match_key;
use sea_orm::DbBackend;

use super::Reason;

/// One way two records can match: the join condition on `b` beyond the
/// workspace, liveness and order, what `a` must have, and each reason's flag.
struct Branch {
    join: String,
    having: String,
    flags: Vec<(Reason, String)>,
}

fn contact_branches(backend: DbBackend) -> Vec<Branch> {
    let email = |alias| match_key::contact_email(backend, alias);
    let last = match_key::contact_last_name;
    let (first_a, first_b) = (r#"lower("a"."first_name")"#, r#"lower("b"."first_name")"#);
    let same_first = format!("{first_a} = {first_b}");
    // One given name starting the other: "Jon" and "Jonathan".
    let similar_first = format!(
        r#"(substr({first_b}, 1, length({first_a})) = {first_a} OR substr({first_a}, 1, length({first_b})) = {first_b})"#
    );
    vec![
        Branch {
            join: format!(
                r#""b"."email" IS NOT NULL AND {} = {}"#,
                email("b"),
                email("a")
            ),
            having: r#""a"."email" IS NOT NULL"#.to_owned(),
            flags: vec![(Reason::SameEmail, "1".to_owned())],
        },
        Branch {
            join: r#""b"."phone" IS NOT NULL AND "b"."phone" = "a"."phone""#.to_owned(),
            having: r#""a"."phone" IS NOT NULL"#.to_owned(),
            flags: vec![(Reason::SamePhone, "1".to_owned())],
        },
        Branch {
            join: format!(
                r#""b"."company_id" IS NOT NULL AND "b"."company_id" = "a"."company_id" AND {} = {} AND {similar_first}"#,
                last("b"),
                last("a")
            ),
            having: r#""a"."company_id" IS NOT NULL"#.to_owned(),
            flags: vec![
                (
                    Reason::SameNameAtCompany,
                    format!("CASE WHEN {same_first} THEN 1 ELSE 0 END"),
                ),
                (
                    Reason::SimilarNameAtCompany,
                    format!("CASE WHEN {same_first} THEN 0 ELSE 1 END"),
                ),
            ],
        },
    ]
}

fn company_branches() -> Vec<Branch> {
    let name = match_key::company_name;
    vec![
        Branch {
            join: r#""b"."domain" IS NOT NULL AND "b"."domain" = "a"."domain""#.to_owned(),
            having: r#""a"."domain" IS NOT NULL"#.to_owned(),
            flags: vec![(Reason::SameDomain, "1".to_owned())],
        },
        Branch {
            join: format!("{} = {}", name("b"), name("a")),
            having: format!("{} <> ''", name("a")),
            flags: vec![(Reason::SimilarCompanyName, "1".to_owned())],
        },
    ]
}

/// The page statement for `table` (`contact` or `company`): `?` are the
/// workspace once per branch, then (with `after`) the cursor's score twice,
/// record twice and duplicate, then the limit.
pub fn page_sql(backend: DbBackend, table: &str, after: bool) -> (String, Vec<Reason>, usize) {
    // Each pair once, the older record first. SQLite would walk the id
    // index for this range (quadratic) rather than the match key's index:
    // unary `+` keeps the ids out of its index choice.
    let later = if backend == DbBackend::Sqlite {
        r#"+"b"."id" > +"a"."id""#
    } else {
        r#""b"."id" > "a"."id""#
    };
    let branches = if table == "contact" {
        contact_branches(backend)
    } else {
        company_branches()
    };
    let reasons: Vec<Reason> = branches
        .iter()
        .flat_map(|b| b.flags.iter().map(|(r, _)| *r))
        .collect();
    let selects: Vec<String> = branches
        .iter()
        .map(|branch| {
            let flags: Vec<String> = reasons
                .iter()
                .map(|reason| {
                    let value = branch
                        .flags
                        .iter()
                        .find(|(r, _)| r == reason)
                        .map_or("0", |(_, v)| v.as_str());
                    format!(r#"{value} AS "{}""#, reason.column())
                })
                .collect();
            format!(
                r#"SELECT "a"."id" AS "record", "b"."id" AS "duplicate", {flags} FROM "{table}" AS "a" JOIN "{table}" AS "b" ON "b"."workspace_id" = "a"."workspace_id" AND "b"."deleted_at" IS NULL AND {later} AND {join} WHERE "a"."workspace_id" = ? AND "a"."deleted_at" IS NULL AND {having}"#,
                flags = flags.join(", "),
                join = branch.join,
                having = branch.having,
            )
        })
        .collect();
    let maxes: Vec<String> = reasons
        .iter()
        .map(|r| format!(r#"MAX("{0}") AS "{0}""#, r.column()))
        .collect();
    let sum: Vec<String> = reasons
        .iter()
        .map(|r| format!(r#"{} * "{}""#, r.weight(), r.column()))
        .collect();
    let sum = sum.join(" + ");
    let columns: Vec<String> = reasons
        .iter()
        .map(|r| format!(r#""{}""#, r.column()))
        .collect();
    let cursor = if after {
        r#"WHERE "score" < ? OR ("score" = ? AND ("record" > ? OR ("record" = ? AND "duplicate" > ?)))"#
    } else {
        ""
    };
    let sql = format!(
        r#"SELECT * FROM (SELECT "record", "duplicate", {columns}, CASE WHEN {sum} > 100 THEN 100 ELSE {sum} END AS "score" FROM (SELECT "record", "duplicate", {maxes} FROM ({union}) AS "u" GROUP BY "record", "duplicate") AS "g") AS "s" {cursor} ORDER BY "score" DESC, "record", "duplicate" LIMIT ?"#,
        columns = columns.join(", "),
        maxes = maxes.join(", "),
        union = selects.join(" UNION ALL "),
    );
    (sql, reasons, branches.len())
}
