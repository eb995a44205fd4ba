//! Free text and names: trims what users type, enforces length limits and
//! keeps out characters that would break display or storage; also puts
//! company website domains into one comparable form.

use super::{Invalid, email::hostname_problem, shown};

/// Checks a required single-line value such as a name or title and returns
/// it trimmed.
///
/// Lengths count characters, not bytes, so a limit means the same for "Zoë"
/// as for "Zoe". Control characters (newlines and tabs included) are
/// refused: a name is shown on one line in lists, and invisible characters
/// make two names that look the same compare different.
pub fn required_name(raw: &str, max_len: usize) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Invalid("must not be empty".into()));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid(
            "must not contain control characters such as line breaks".into(),
        ));
    }
    check_length(value, max_len)?;
    Ok(value.to_owned())
}

/// Checks an optional multi-line value such as notes or a description and
/// returns it trimmed; missing or blank input becomes `None`, so "no value"
/// is stored one way only.
///
/// Line breaks and tabs are kept. Other control characters are refused:
/// PostgreSQL text cannot hold NUL at all (SQLite can), so letting one in
/// would make the same request succeed or fail depending on the database.
pub fn optional_text(raw: Option<&str>, max_len: usize) -> Result<Option<String>, Invalid> {
    let Some(value) = raw.map(str::trim).filter(|value| !value.is_empty()) else {
        return Ok(None);
    };
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Invalid("must not contain control characters".into()));
    }
    check_length(value, max_len)?;
    Ok(Some(value.to_owned()))
}

fn check_length(value: &str, max_len: usize) -> Result<(), Invalid> {
    if value.chars().count() > max_len {
        return Err(Invalid(format!(
            "must be at most {max_len} characters long"
        )));
    }
    Ok(())
}

/// Checks a company's website and returns its bare host name, so
/// `https://www.Example.com/about` and `example.com` are stored alike and a
/// company can be matched by domain.
///
/// Strips a leading `http://` or `https://`, anything from the first `/`,
/// `?` or `#`, a trailing dot and a leading `www.`, then lowercases and
/// checks the host name by the same rules as email domains (ASCII only).
pub fn normalize_domain(raw: &str) -> Result<String, Invalid> {
    let lowered = raw.trim().to_ascii_lowercase();
    if lowered.is_empty() {
        return Err(Invalid("must not be empty".into()));
    }
    let without_scheme = ["https://", "http://"]
        .iter()
        .find_map(|scheme| lowered.strip_prefix(scheme))
        .unwrap_or(&lowered);
    if without_scheme.contains("://") {
        return Err(Invalid(format!(
            "'{}' is not a valid domain: only http:// and https:// websites are accepted",
            shown(raw.trim())
        )));
    }
    let host = without_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    // "example.com." is the fully qualified spelling of the same host.
    let host = host.strip_suffix('.').unwrap_or(host);
    // Keep "www" when it is the name itself, as in www.com.
    let host = match host.strip_prefix("www.") {
        Some(rest) if rest.contains('.') => rest,
        _ => host,
    };
    if let Some(reason) = hostname_problem(host) {
        return Err(Invalid(format!(
            "'{}' is not a valid domain: it {reason}",
            shown(raw.trim())
        )));
    }
    Ok(host.to_owned())
}

/// An ISO 3166-1 alpha-2 country code, upper-cased; `None` when blank.
pub fn country_code(raw: Option<String>) -> Result<Option<String>, Invalid> {
    let Some(code) = raw
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
    else {
        return Ok(None);
    };
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Invalid(
            "must be an ISO 3166-1 alpha-2 code such as DE or US".into(),
        ));
    }
    Ok(Some(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(required_name("  Acme Corp \t", 100).unwrap(), "Acme Corp");
    }

    #[test]
    fn an_empty_or_whitespace_only_name_must_not_be_empty() {
        assert_eq!(required_name("", 100).unwrap_err().0, "must not be empty");
        assert_eq!(
            required_name(" \n\t ", 100).unwrap_err().0,
            "must not be empty"
        );
    }

    #[test]
    fn a_name_longer_than_the_limit_is_refused() {
        assert!(required_name("abcd", 4).is_ok());
        assert_eq!(
            required_name("abcde", 4).unwrap_err().0,
            "must be at most 4 characters long"
        );
    }

    #[test]
    fn name_length_counts_characters_not_bytes() {
        assert_eq!(required_name("Zoë Łukasz", 10).unwrap(), "Zoë Łukasz");
        assert!(required_name("日本語の名前", 6).is_ok());
    }

    #[test]
    fn control_characters_inside_a_name_are_refused() {
        for raw in ["Acme\nCorp", "Acme\u{0}", "Acme\tCorp", "Ac\u{1b}[31mme"] {
            assert!(
                required_name(raw, 100)
                    .unwrap_err()
                    .0
                    .contains("control characters"),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn missing_or_blank_optional_text_becomes_none() {
        assert_eq!(optional_text(None, 10).unwrap(), None);
        assert_eq!(optional_text(Some(""), 10).unwrap(), None);
        assert_eq!(optional_text(Some("  \n "), 10).unwrap(), None);
    }

    #[test]
    fn optional_text_is_trimmed_and_keeps_line_breaks() {
        assert_eq!(
            optional_text(Some("  line one\r\n\tline two \n"), 100).unwrap(),
            Some("line one\r\n\tline two".to_owned())
        );
    }

    #[test]
    fn optional_text_longer_than_the_limit_is_refused() {
        assert!(optional_text(Some("abc"), 3).unwrap().is_some());
        assert_eq!(
            optional_text(Some("abcd"), 3).unwrap_err().0,
            "must be at most 3 characters long"
        );
    }

    #[test]
    fn nul_in_optional_text_is_refused_because_postgres_cannot_store_it() {
        assert!(optional_text(Some("a\u{0}b"), 10).is_err());
    }

    #[test]
    fn a_bare_domain_is_accepted_and_lowercased() {
        assert_eq!(normalize_domain("Example.COM").unwrap(), "example.com");
    }

    #[test]
    fn a_website_url_is_reduced_to_its_host() {
        for raw in [
            "https://www.example.com/about?x=1",
            "http://example.com",
            "HTTPS://WWW.EXAMPLE.COM/",
            " www.example.com#top ",
            "example.com.",
        ] {
            assert_eq!(normalize_domain(raw).unwrap(), "example.com", "{raw}");
        }
    }

    #[test]
    fn subdomains_other_than_www_are_kept() {
        assert_eq!(
            normalize_domain("https://shop.example.co.uk/x").unwrap(),
            "shop.example.co.uk"
        );
    }

    #[test]
    fn www_is_kept_when_it_is_the_name_itself() {
        assert_eq!(normalize_domain("www.com").unwrap(), "www.com");
    }

    #[test]
    fn an_empty_domain_must_not_be_empty() {
        assert_eq!(normalize_domain("  ").unwrap_err().0, "must not be empty");
    }

    #[test]
    fn malformed_domains_are_refused_with_the_reason() {
        let reason = |raw: &str| normalize_domain(raw).unwrap_err().0;
        assert!(reason("localhost").contains("at least one dot"));
        assert!(reason("-acme.com").contains("hyphen"));
        assert!(reason("acme..com").contains("two dots"));
        assert!(reason("acme.c").contains("top-level"));
        assert!(reason("acme.com:8080").contains("only ASCII letters"));
        assert!(reason("ftp://acme.com").contains("only http:// and https://"));
        assert!(reason("bücher.de").contains("only ASCII letters"));
        assert!(reason("https://").contains("is empty"));
    }

    #[test]
    fn the_refused_domain_is_quoted_in_the_message() {
        assert_eq!(
            normalize_domain("acme").unwrap_err().0,
            "'acme' is not a valid domain: it must contain at least one dot, as in example.com"
        );
    }
}
