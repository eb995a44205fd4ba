//! SQL written with `?` placeholders, numbered for the backend that runs it
//! (PostgreSQL wants `$1`, `$2`, …): the hand-written statements of rules
//! and figures are written once for both databases.

use sea_orm::DbBackend;

/// `?` placeholders as the backend numbers them.
pub fn for_backend(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres_only() {
        assert_eq!(
            for_backend(DbBackend::Postgres, "a = ? AND b = ?"),
            "a = $1 AND b = $2"
        );
        assert_eq!(for_backend(DbBackend::Sqlite, "a = ?"), "a = ?");
    }
}
