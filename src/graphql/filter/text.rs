//! Case-insensitive text matching (`contains`, `startsWith`), Unicode-aware
//! on both databases whatever their locale.
//!
//! SQLite's `lower()` and `LIKE` fold ASCII only ("ÉCOLE" missed "École"),
//! so there the column is matched by `regexp()` — registered on every SQLite
//! connection (see `db::connect`) — with a case-insensitive pattern of the
//! escaped text: the regex crate folds Unicode case, and escaping keeps `%`,
//! `_`, `\` and regex syntax literal.
//!
//! PostgreSQL's `lower()` folds only ASCII too under the C locale (the one
//! the tests' cluster uses, and a common production choice). So a pattern
//! with non-ASCII letters also maps, with one `translate()`, each capital
//! whose lowercase is one of them: `translate(lower(col), 'É', 'é') LIKE
//! '%école%'`. An ASCII pattern keeps the plain `lower(col) LIKE`.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};

/// Where in the column the text must occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    Anywhere,
    Start,
}

/// `col` contains `text` (or starts with it), ignoring case.
pub fn matches(col: &Expr, text: &str, at: At, backend: DbBackend) -> Expr {
    match backend {
        DbBackend::Sqlite => {
            let anchor = if at == At::Start { "^" } else { "" };
            let pattern = format!("(?i){anchor}{}", regex::escape(text));
            // `regexp(pattern, value)` is what `value REGEXP pattern` calls;
            // it answers NULL for a NULL column, as LIKE does.
            Expr::expr(Func::cust("regexp").arg(pattern).arg(col.clone()))
        }
        _ => {
            // Char by char: `str::to_lowercase` would turn a final Σ into ς,
            // which no `lower()` of a column does.
            let lowered: String = text.chars().flat_map(char::to_lowercase).collect();
            let escaped = escape_like(&lowered);
            let pattern = match at {
                At::Anywhere => format!("%{escaped}%"),
                At::Start => format!("{escaped}%"),
            };
            let mut folded = Expr::expr(Func::lower(col.clone()));
            let (from, to) = capitals_of(&lowered);
            if !from.is_empty() {
                folded = Expr::expr(Func::cust("translate").arg(folded).arg(from).arg(to));
            }
            folded.like(LikeExpr::new(pattern).escape('\\'))
        }
    }
}

/// The non-ASCII capitals whose lowercase is a letter of `lowered`, and
/// those lowercase letters, as `translate()`'s from and to strings.
fn capitals_of(lowered: &str) -> (String, String) {
    let mut from = String::new();
    let mut to = String::new();
    let mut seen = HashSet::new();
    for small in lowered.chars().filter(|c| !c.is_ascii()) {
        if !seen.insert(small) {
            continue;
        }
        for &capital in capitals()
            .get(&small)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            from.push(capital);
            to.push(small);
        }
    }
    (from, to)
}

/// Each letter with the other letters that lowercase to it alone
/// (`é` ← `É`), built once from the standard library's case tables.
fn capitals() -> &'static HashMap<char, Vec<char>> {
    static CAPITALS: OnceLock<HashMap<char, Vec<char>>> = OnceLock::new();
    CAPITALS.get_or_init(|| {
        let mut map: HashMap<char, Vec<char>> = HashMap::new();
        // Planes 0 and 1 hold every letter with a case (Adlam, the last
        // script added, ends at U+1E95F).
        for capital in '\u{80}'..='\u{1ffff}' {
            let mut lower = capital.to_lowercase();
            if let (Some(small), None) = (lower.next(), lower.next())
                && small != capital
            {
                map.entry(small).or_default().push(capital);
            }
        }
        map
    })
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Query, SqliteQueryBuilder};

    fn sql(backend: DbBackend, text: &str, at: At) -> String {
        Query::select()
            .expr(Expr::val(1))
            .and_where(matches(&Expr::col("name"), text, at, backend))
            .to_string(SqliteQueryBuilder)
    }

    #[test]
    fn sqlite_matches_by_an_escaped_case_insensitive_regex() {
        let contains = sql(DbBackend::Sqlite, "50%_a.b\\", At::Anywhere);
        assert!(
            contains.contains(r#"regexp('(?i)50%_a\.b\\', "name")"#),
            "{contains}"
        );
        let starts = sql(DbBackend::Sqlite, "Éc", At::Start);
        assert!(starts.contains("regexp('(?i)^Éc', "), "{starts}");
    }

    #[test]
    fn postgres_maps_the_capitals_of_non_ascii_letters() {
        let contains = sql(DbBackend::Postgres, "ÉcOLE", At::Anywhere);
        assert!(
            contains.contains(r#"translate(LOWER("name"), 'É', 'é') LIKE '%école%'"#),
            "{contains}"
        );
        let greek = sql(DbBackend::Postgres, "ΟΔΟΣ", At::Start);
        assert!(greek.contains("LIKE 'οδοσ%'"), "{greek}");
        assert!(greek.contains("'ΟΔΣ'"), "{greek}");
    }

    #[test]
    fn postgres_keeps_lower_like_with_escapes() {
        let contains = sql(DbBackend::Postgres, "50%_A", At::Anywhere);
        assert!(
            contains.contains(r#"LOWER("name") LIKE '%50\%\_a%' ESCAPE '\'"#),
            "{contains}"
        );
    }
}
