//! The SQL expressions duplicate detection compares records by. The
//! migration builds its expression indexes from these same strings, and the
//! detection queries use them verbatim: SQLite uses an expression index only
//! for the identical expression, so both sides must come from here.

use sea_orm::DbBackend;

/// A contact's email without its `+tag` (`ann+crm@acme.com` → `ann@acme.com`),
/// over the stored (already trimmed and lower-cased) `"{alias}"."email"`.
pub fn contact_email(backend: DbBackend, alias: &str) -> String {
    let email = column(alias, "email");
    // SQLite has `instr`, PostgreSQL `strpos`; both have `substr`.
    let find = if backend == DbBackend::Postgres {
        "strpos"
    } else {
        "instr"
    };
    format!(
        "(CASE WHEN {find}({email}, '+') > 0 THEN substr({email}, 1, {find}({email}, '+') - 1) || substr({email}, {find}({email}, '@')) ELSE {email} END)"
    )
}

/// A contact's family name, lower-cased.
pub fn contact_last_name(alias: &str) -> String {
    format!("lower({})", column(alias, "last_name"))
}

/// Legal forms that do not tell two companies apart ("Acme Inc." is "Acme").
const LEGAL_FORMS: &[&str] = &[
    "incorporated",
    "corporation",
    "limited",
    "company",
    "gmbh",
    "corp",
    "inc",
    "ltd",
    "llc",
    "plc",
    "ag",
    "sa",
    "co",
];

/// A company's name lower-cased, without `.`/`,`, one trailing legal form,
/// spaces, hyphens and `&`: "Acme, Inc." and "ACME" share the key `acme`.
/// The same text on SQLite and PostgreSQL (every function here exists in
/// both and is immutable, so PostgreSQL can index it).
pub fn company_name(alias: &str) -> String {
    let name = column(alias, "name");
    let plain = format!("replace(replace(lower(trim({name})), '.', ''), ',', '')");
    let mut stripped = String::from("(CASE");
    for form in LEGAL_FORMS {
        // The form as a whole last word, so "Disco" keeps its "co".
        let cut = form.len() + 1;
        stripped.push_str(&format!(
            " WHEN {plain} LIKE '% {form}' THEN substr({plain}, 1, length({plain}) - {cut})"
        ));
    }
    stripped.push_str(&format!(" ELSE {plain} END)"));
    format!("replace(replace(replace({stripped}, ' ', ''), '-', ''), '&', '')")
}

/// `"alias"."column"`, or the bare column for an index definition.
fn column(alias: &str, column: &str) -> String {
    if alias.is_empty() {
        format!(r#""{column}""#)
    } else {
        format!(r#""{alias}"."{column}""#)
    }
}
