//! When two live contacts (or companies) look like duplicates: one branch
//! per way they can match, each a self-join on an indexed match key
//! (`match_key`), every reason with its weight in the pair's score.
//! Migration 43 builds from these the triggers that keep each record's
//! pairs in `contact_duplicate` and `company_duplicate` on every write, and
//! the statement that fills those tables; the API only reads them.

use sea_orm::DbBackend;

use crate::match_key;

/// Why two records look like duplicates; each adds its weight to the score
/// (capped at 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Contacts: the same email once a `+tag` is dropped.
    SameEmail,
    /// Contacts: the same E.164 phone.
    SamePhone,
    /// Contacts: the same first and family name at the same company.
    SameNameAtCompany,
    /// Contacts: the same family name at the same company, one given name
    /// starting the other ("Jon" and "Jonathan").
    SimilarNameAtCompany,
    /// Companies: the same domain.
    SameDomain,
    /// Companies: the same name once case, punctuation, spaces and a legal
    /// form are dropped ("Acme, Inc." and "ACME").
    SimilarCompanyName,
}

impl Reason {
    /// Its weight in the score.
    pub fn weight(self) -> i32 {
        match self {
            Self::SameEmail | Self::SameDomain => 90,
            Self::SamePhone => 80,
            Self::SameNameAtCompany | Self::SimilarCompanyName => 70,
            Self::SimilarNameAtCompany => 50,
        }
    }

    /// Its column in the pairs table (1 when it holds, else 0).
    pub fn column(self) -> &'static str {
        match self {
            Self::SameEmail => "same_email",
            Self::SamePhone => "same_phone",
            Self::SameNameAtCompany => "same_name",
            Self::SimilarNameAtCompany => "similar_name",
            Self::SameDomain => "same_domain",
            Self::SimilarCompanyName => "similar_company_name",
        }
    }
}

/// The records compared (`contact` or `company`) and where their pairs are kept.
pub fn pairs_table(table: &str) -> String {
    format!("{table}_duplicate")
}

/// The columns a change of which may change a `table` row's pairs.
pub fn watched(table: &str) -> &'static [&'static str] {
    if table == "contact" {
        &[
            "email",
            "phone",
            "first_name",
            "last_name",
            "company_id",
            "deleted_at",
        ]
    } else {
        &["domain", "name", "deleted_at"]
    }
}

/// One way two records can match: the join condition on `b` beyond the
/// workspace, liveness and order, what `a` must have, each reason's flag,
/// and the key two concurrent writers of a match must not both miss (text
/// over `a`, NULL when `a` cannot match this way).
pub struct Branch {
    pub join: String,
    pub having: String,
    pub flags: Vec<(Reason, String)>,
    pub key: String,
}

/// The branches of `table` (`contact` or `company`).
pub fn branches(backend: DbBackend, table: &str) -> Vec<Branch> {
    if table == "contact" {
        contact_branches(backend)
    } else {
        company_branches()
    }
}

/// The reasons of `table`'s pairs, in column order.
pub fn reasons(backend: DbBackend, table: &str) -> Vec<Reason> {
    branches(backend, table)
        .iter()
        .flat_map(|b| b.flags.iter().map(|(r, _)| *r))
        .collect()
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
            key: format!("'email:' || {}", email("a")),
        },
        Branch {
            join: r#""b"."phone" IS NOT NULL AND "b"."phone" = "a"."phone""#.to_owned(),
            having: r#""a"."phone" IS NOT NULL"#.to_owned(),
            flags: vec![(Reason::SamePhone, "1".to_owned())],
            key: r#"'phone:' || "a"."phone""#.to_owned(),
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
            key: format!(
                r#"'name:' || CAST("a"."company_id" AS TEXT) || ':' || {}"#,
                last("a")
            ),
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
            key: r#"'domain:' || "a"."domain""#.to_owned(),
        },
        Branch {
            join: format!("{} = {}", name("b"), name("a")),
            having: format!("{} <> ''", name("a")),
            flags: vec![(Reason::SimilarCompanyName, "1".to_owned())],
            key: format!("'name:' || {}", name("a")),
        },
    ]
}

/// The scored pairs of live `table` rows, as the columns of its pairs
/// table (`workspace_id`, `record_id` the older id, `duplicate_id`, a flag
/// per reason, `score`), among the rows `a` for which `only` holds (SQL
/// over the alias `a`: one record's id in a trigger, or `1 = 1`).
pub fn pairs_select(backend: DbBackend, table: &str, only: &str) -> String {
    // Each pair is found from both of its records; SQLite would walk the id
    // index for this condition rather than the match key's: unary `+`
    // keeps the ids out of its index choice.
    let other = if backend == DbBackend::Sqlite {
        r#"+"b"."id" <> +"a"."id""#
    } else {
        r#""b"."id" <> "a"."id""#
    };
    let branches = branches(backend, table);
    let reasons = reasons(backend, table);
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
                r#"SELECT "a"."workspace_id" AS "workspace_id", CASE WHEN "a"."id" < "b"."id" THEN "a"."id" ELSE "b"."id" END AS "record_id", CASE WHEN "a"."id" < "b"."id" THEN "b"."id" ELSE "a"."id" END AS "duplicate_id", {flags} FROM "{table}" AS "a" JOIN "{table}" AS "b" ON "b"."workspace_id" = "a"."workspace_id" AND "b"."deleted_at" IS NULL AND {other} AND {join} WHERE "a"."deleted_at" IS NULL AND {having} AND {only}"#,
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
    format!(
        r#"SELECT "workspace_id", "record_id", "duplicate_id", {columns}, CASE WHEN {sum} > 100 THEN 100 ELSE {sum} END AS "score" FROM (SELECT "workspace_id", "record_id", "duplicate_id", {maxes} FROM ({union}) AS "u" GROUP BY "workspace_id", "record_id", "duplicate_id") AS "g""#,
        columns = columns.join(", "),
        maxes = maxes.join(", "),
        union = selects.join(" UNION ALL "),
    )
}

/// PostgreSQL: takes a transaction's advisory lock on every match key of
/// the `table` rows `a` that `only` selects, sorted so two writers lock in
/// one order (the later then sees the earlier's records). `verb` is
/// `SELECT` in a statement, `PERFORM` in PL/pgSQL.
pub fn lock_keys(table: &str, only: &str, verb: &str) -> String {
    let keys: Vec<String> = branches(DbBackend::Postgres, table)
        .into_iter()
        .map(|b| {
            format!(
                r#"'{table}:' || CAST("a"."workspace_id" AS TEXT) || ':' || {}"#,
                b.key
            )
        })
        .collect();
    format!(
        r#"{verb} pg_advisory_xact_lock(hashtextextended("k", 0)) FROM (SELECT DISTINCT "k" FROM (SELECT unnest(ARRAY[{keys}]) AS "k" FROM "{table}" AS "a" WHERE {only}) AS "keys" WHERE "k" IS NOT NULL ORDER BY "k") AS "sorted""#,
        keys = keys.join(", ")
    )
}

/// The column list of `table`'s pairs table, as [`pairs_select`] gives them.
pub fn pairs_columns(backend: DbBackend, table: &str) -> String {
    let mut columns = vec![
        r#""workspace_id""#.to_owned(),
        r#""record_id""#.to_owned(),
        r#""duplicate_id""#.to_owned(),
    ];
    columns.extend(
        reasons(backend, table)
            .iter()
            .map(|r| format!(r#""{}""#, r.column())),
    );
    columns.push(r#""score""#.to_owned());
    columns.join(", ")
}
