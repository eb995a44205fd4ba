//! Email addresses: checks that an address is plausibly deliverable and puts
//! it into the one form that is stored and compared.
//!
//! The rules are a practical subset of RFC 5321/5322, not the whole grammar:
//! quoted local parts, comments and IP-literal domains are refused because
//! people do not type them into a CRM and accepting them would only let
//! garbage in. Only ASCII is accepted; internationalised addresses (UTF-8
//! local parts, Unicode domains) are refused rather than half-supported,
//! since they would also need punycode handling to compare reliably.

use super::Invalid;

/// RFC 5321 limits on the local part and on the whole forward path.
const MAX_LOCAL_LEN: usize = 64;
const MAX_ADDRESS_LEN: usize = 254;
/// RFC 1035 limits on a host name and on each of its labels.
const MAX_HOSTNAME_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// Characters RFC 5322 allows unquoted in a local part, besides letters,
/// digits and the dot (whose placement has its own rule).
const ATEXT_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";

/// Checks `raw` and returns the address trimmed and lowercased.
///
/// Lowercasing the whole address, local part included, is deliberate: a
/// contact's email is unique per workspace, and `Ann@Example.com` and
/// `ann@example.com` must count as the same person. RFC 5321 lets a server
/// treat local parts case-sensitively, but practically no provider does.
pub fn normalize_email(raw: &str) -> Result<String, Invalid> {
    let address = raw.trim();
    if address.is_empty() {
        return Err(Invalid("must not be empty".into()));
    }
    let refuse = |reason: &str| Invalid(format!("not a valid email address: {reason}"));
    if address.chars().any(char::is_whitespace) {
        return Err(refuse("it must not contain spaces"));
    }
    if !address.is_ascii() {
        return Err(refuse(
            "only ASCII characters are supported (internationalised addresses are not)",
        ));
    }
    if address.len() > MAX_ADDRESS_LEN {
        return Err(refuse(&format!(
            "it must be at most {MAX_ADDRESS_LEN} characters long"
        )));
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Err(refuse("it must contain an '@'"));
    };
    if domain.contains('@') {
        return Err(refuse("it must contain only one '@'"));
    }
    if let Some(reason) = local_part_problem(local) {
        return Err(refuse(&format!("the part before '@' {reason}")));
    }
    if let Some(reason) = hostname_problem(domain) {
        return Err(refuse(&format!("the domain {reason}")));
    }
    Ok(address.to_ascii_lowercase())
}

/// Why `local` is not an acceptable unquoted local part, if it is not.
fn local_part_problem(local: &str) -> Option<&'static str> {
    if local.is_empty() {
        return Some("is empty");
    }
    if local.len() > MAX_LOCAL_LEN {
        return Some("must be at most 64 characters long");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some("must not start or end with a dot or contain two dots in a row");
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '.' || ATEXT_SPECIALS.contains(c);
    if !local.chars().all(allowed) {
        return Some("contains a character that is not allowed");
    }
    None
}

/// Why `host` is not an acceptable DNS host name, if it is not: ASCII labels
/// of letters, digits and hyphens, at least two of them, ending in an
/// alphabetic top-level domain. Shared with company website domains so both
/// accept the same hosts. The reason reads after "the domain".
pub(crate) fn hostname_problem(host: &str) -> Option<&'static str> {
    if host.is_empty() {
        return Some("is empty");
    }
    if host.len() > MAX_HOSTNAME_LEN {
        return Some("must be at most 253 characters long");
    }
    if !host.contains('.') {
        return Some("must contain at least one dot, as in example.com");
    }
    let labels: Vec<&str> = host.split('.').collect();
    for label in &labels {
        if label.is_empty() {
            return Some("must not start or end with a dot or contain two dots in a row");
        }
        if label.len() > MAX_LABEL_LEN {
            return Some("has a part between dots longer than 63 characters");
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Some("may contain only ASCII letters, digits, hyphens and dots");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("has a part that starts or ends with a hyphen");
        }
    }
    // An all-letter TLD of two or more also keeps out bare IPv4 addresses.
    let tld = labels.last().copied().unwrap_or_default();
    if tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some("must end in a top-level domain of at least two letters");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str) -> String {
        normalize_email(raw).expect_err(raw).0
    }

    #[test]
    fn a_plain_address_is_accepted_unchanged() {
        assert_eq!(
            normalize_email("ann@example.com").unwrap(),
            "ann@example.com"
        );
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        assert_eq!(
            normalize_email("  ann@example.com\n").unwrap(),
            "ann@example.com"
        );
    }

    #[test]
    fn the_whole_address_is_lowercased_so_duplicates_are_caught() {
        assert_eq!(
            normalize_email("Ann.Lee@Example.COM").unwrap(),
            "ann.lee@example.com"
        );
    }

    #[test]
    fn plus_tags_subdomains_and_hyphens_are_accepted() {
        assert_eq!(
            normalize_email("ann+crm@mail.my-company.co.uk").unwrap(),
            "ann+crm@mail.my-company.co.uk"
        );
        assert!(normalize_email("o'brien_{x}@example.org").is_ok());
    }

    #[test]
    fn an_empty_or_blank_address_must_not_be_empty() {
        assert_eq!(refused(""), "must not be empty");
        assert_eq!(refused("   "), "must not be empty");
    }

    #[test]
    fn an_address_without_an_at_sign_is_refused() {
        assert!(refused("ann.example.com").contains("'@'"));
    }

    #[test]
    fn an_address_with_two_at_signs_is_refused() {
        assert!(refused("ann@bob@example.com").contains("only one '@'"));
    }

    #[test]
    fn spaces_inside_the_address_are_refused() {
        assert!(refused("ann lee@example.com").contains("spaces"));
    }

    #[test]
    fn an_empty_local_part_is_refused() {
        assert!(refused("@example.com").contains("before '@' is empty"));
    }

    #[test]
    fn a_local_part_longer_than_64_characters_is_refused() {
        let ok = format!("{}@example.com", "a".repeat(64));
        assert!(normalize_email(&ok).is_ok());
        assert!(refused(&format!("{}@example.com", "a".repeat(65))).contains("64"));
    }

    #[test]
    fn misplaced_dots_in_the_local_part_are_refused() {
        for raw in [
            ".ann@example.com",
            "ann.@example.com",
            "ann..lee@example.com",
        ] {
            assert!(refused(raw).contains("dot"), "{raw}");
        }
    }

    #[test]
    fn quoted_local_parts_and_odd_characters_are_refused() {
        assert!(refused("\"ann\"@example.com").contains("not allowed"));
        assert!(refused("ann(x)@example.com").contains("not allowed"));
    }

    #[test]
    fn a_domain_without_a_dot_is_refused() {
        assert!(refused("ann@localhost").contains("at least one dot"));
    }

    #[test]
    fn a_domain_label_starting_or_ending_with_a_hyphen_is_refused() {
        assert!(refused("ann@-example.com").contains("hyphen"));
        assert!(refused("ann@example-.com").contains("hyphen"));
    }

    #[test]
    fn empty_domain_labels_are_refused() {
        for raw in [
            "ann@example..com",
            "ann@.example.com",
            "ann@example.com.",
            "ann@",
        ] {
            assert!(refused(raw).contains("domain"), "{raw}");
        }
    }

    #[test]
    fn the_top_level_domain_must_be_two_or_more_letters() {
        assert!(refused("ann@example.c").contains("top-level"));
        assert!(refused("ann@example.c0m").contains("top-level"));
        assert!(refused("ann@192.168.0.1").contains("top-level"));
    }

    #[test]
    fn underscores_and_ip_literals_in_the_domain_are_refused() {
        assert!(refused("ann@my_host.example.com").contains("only ASCII letters"));
        assert!(refused("ann@[192.168.0.1]").contains("only ASCII letters"));
    }

    #[test]
    fn internationalised_addresses_are_refused_as_not_ascii() {
        assert!(refused("anné@example.com").contains("ASCII"));
        assert!(refused("ann@bücher.de").contains("ASCII"));
    }

    #[test]
    fn an_address_longer_than_254_characters_is_refused() {
        let label = "a".repeat(60);
        let domain = format!("{label}.{label}.{label}.{label}.com");
        let raw = format!("{}@{domain}", "b".repeat(64));
        assert!(raw.len() > 254);
        assert!(refused(&raw).contains("254"));
    }
}
