//! Phone numbers: checks a number against Google's libphonenumber metadata
//! (through the `phonenumber` crate) and stores it in E.164 form, such as
//! `+14155552671`, so the same number typed two ways is stored once and can
//! be dialled or compared without knowing where the user was.

use std::fmt::Write as _;

use phonenumber::{Mode, ParseError, country};

use super::{Invalid, shown};

/// Longer input than this is refused before parsing. With separators and an
/// extension a real number fits easily; the cap keeps arbitrary text away
/// from the parser, which has had panics on crafted input in the past.
const MAX_INPUT_CHARS: usize = 64;

/// Checks `raw` and returns it as E.164.
///
/// A number written with its country code (`+44 20 7183 8750`) is read as
/// is. One without (`(415) 555-2671`) is read as a national number of
/// `default_region`, an ISO 3166 alpha-2 code such as `"US"`; with no region
/// the user is asked to include the country code, since guessing would store
/// a wrong number. Extensions are refused: E.164 cannot carry one, and
/// dropping it silently would lose what the user typed.
pub fn normalize_phone(raw: &str, default_region: Option<&str>) -> Result<String, Invalid> {
    let input = raw.trim();
    if input.is_empty() {
        return Err(Invalid("must not be empty".into()));
    }
    if input.chars().count() > MAX_INPUT_CHARS {
        return Err(Invalid(format!(
            "not a valid phone number: it must be at most {MAX_INPUT_CHARS} characters long"
        )));
    }
    let region = default_region.map(region_id).transpose()?;

    let number = phonenumber::parse(region, input).map_err(|error| {
        let reason = match error {
            // Without a '+' or a region there is nothing to say which country
            // the digits belong to.
            ParseError::InvalidCountryCode if region.is_none() && !has_plus(input) => {
                "include the country code, e.g. +1 415 555 2671"
            }
            ParseError::InvalidCountryCode => "its country code is unknown",
            ParseError::TooShortAfterIdd | ParseError::TooShortNsn => "it is too short",
            ParseError::TooLong => "it is too long",
            ParseError::NoNumber | ParseError::MalformedInteger(_) => "it does not look like one",
        };
        Invalid(format!("not a valid phone number: {reason}"))
    })?;

    if number.extension().is_some() {
        return Err(Invalid(
            "not a valid phone number: extensions are not supported, enter the main number only"
                .into(),
        ));
    }
    if !phonenumber::is_valid(&number) {
        return Err(Invalid(
            "not a valid phone number: no such number exists in its country's numbering plan"
                .into(),
        ));
    }

    // Written through fmt::Write rather than to_string(): the formatter
    // reports a missing country as fmt::Error, which to_string() would turn
    // into a panic.
    let mut e164 = String::new();
    write!(e164, "{}", number.format().mode(Mode::E164))
        .map_err(|_| Invalid("not a valid phone number: its country code is unknown".into()))?;
    Ok(e164)
}

/// Reads a default region such as "US" or "gb". A bad region is a setting
/// problem rather than the user's typing, but it is still reported as
/// `Invalid` so the caller can show it instead of failing the request.
fn region_id(raw: &str) -> Result<country::Id, Invalid> {
    let code = raw.trim().to_ascii_uppercase();
    code.parse::<country::Id>().map_err(|_| {
        Invalid(format!(
            "unknown default region '{}' (expected an ISO 3166 alpha-2 code such as US)",
            shown(&code)
        ))
    })
}

/// Whether the number starts with a plus (ASCII or full-width, which the
/// parser also accepts) or a `tel:` URI, so it names its own country.
fn has_plus(input: &str) -> bool {
    input.starts_with('+') || input.starts_with('＋') || input.starts_with("tel:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str, region: Option<&str>) -> String {
        normalize_phone(raw, region).expect_err(raw).0
    }

    #[test]
    fn an_international_number_needs_no_region() {
        assert_eq!(
            normalize_phone("+1 415 555 2671", None).unwrap(),
            "+14155552671"
        );
    }

    #[test]
    fn punctuation_and_surrounding_whitespace_are_dropped() {
        assert_eq!(
            normalize_phone("  +1 (415) 555-2671 ", None).unwrap(),
            "+14155552671"
        );
    }

    #[test]
    fn a_national_number_is_read_in_the_default_region() {
        assert_eq!(
            normalize_phone("(415) 555-2671", Some("US")).unwrap(),
            "+14155552671"
        );
        assert_eq!(
            normalize_phone("020 7183 8750", Some("GB")).unwrap(),
            "+442071838750"
        );
    }

    #[test]
    fn the_default_region_may_be_lowercase() {
        assert_eq!(
            normalize_phone("030 123456", Some("de")).unwrap(),
            "+4930123456"
        );
    }

    #[test]
    fn a_country_code_in_the_number_wins_over_the_default_region() {
        assert_eq!(
            normalize_phone("+44 20 7183 8750", Some("US")).unwrap(),
            "+442071838750"
        );
    }

    #[test]
    fn the_regions_international_prefix_is_understood() {
        assert_eq!(
            normalize_phone("0044 20 7183 8750", Some("GB")).unwrap(),
            "+442071838750"
        );
    }

    #[test]
    fn the_same_number_typed_two_ways_normalises_to_one_value() {
        let a = normalize_phone("+14155552671", None).unwrap();
        let b = normalize_phone("415.555.2671", Some("US")).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_tel_uri_is_accepted() {
        assert_eq!(
            normalize_phone("tel:+1-415-555-2671", None).unwrap(),
            "+14155552671"
        );
    }

    #[test]
    fn a_national_number_without_a_region_asks_for_the_country_code() {
        assert!(refused("4155552671", None).contains("include the country code"));
    }

    #[test]
    fn an_unknown_country_code_is_refused() {
        assert!(refused("+999 123456789", None).contains("country code is unknown"));
    }

    #[test]
    fn an_unknown_default_region_is_refused() {
        assert!(refused("415 555 2671", Some("ZZ")).contains("unknown default region 'ZZ'"));
        assert!(refused("415 555 2671", Some("USA")).contains("ISO 3166"));
    }

    #[test]
    fn a_number_outside_the_numbering_plan_is_refused() {
        // NANP area codes never start with 1.
        assert!(refused("+1 123 456 7890", None).contains("numbering plan"));
    }

    #[test]
    fn a_number_with_too_few_digits_is_refused() {
        assert!(refused("+1 555 0100", None).contains("not a valid phone number"));
    }

    #[test]
    fn a_number_with_too_many_digits_is_refused() {
        assert!(refused("+14155552671123456789", None).contains("too long"));
    }

    #[test]
    fn text_that_is_not_a_number_is_refused() {
        assert!(refused("hello", None).contains("does not look like one"));
        assert!(refused("+", None).contains("not a valid phone number"));
    }

    #[test]
    fn an_empty_number_must_not_be_empty() {
        assert_eq!(refused("  ", Some("US")), "must not be empty");
    }

    #[test]
    fn an_extension_is_refused_rather_than_dropped() {
        assert!(refused("+1 415 555 2671 ext. 123", None).contains("extensions"));
    }

    #[test]
    fn very_long_input_is_refused_before_parsing() {
        let raw = format!("+1 {}", "5".repeat(100));
        assert!(refused(&raw, None).contains("at most 64"));
    }

    #[test]
    fn crafted_uri_input_is_refused_without_panicking() {
        for raw in [
            ".;phone-context=",
            "+dwPAA;phone-context=AA",
            "tel:é;phone-context=+é",
        ] {
            assert!(normalize_phone(raw, None).is_err(), "{raw}");
            assert!(normalize_phone(raw, Some("US")).is_err(), "{raw}");
        }
    }
}
