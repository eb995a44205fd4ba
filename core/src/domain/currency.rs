//! Currencies: which ISO 4217 codes a deal or price may use, and how many
//! decimal places (the minor-unit exponent) each has, which decides how
//! amounts are stored as integers (see `money`).

use super::{Invalid, shown};

/// Active ISO 4217 codes and their minor-unit exponents, sorted by code so
/// lookups can binary-search.
///
/// Taken from ISO 4217 List One as published 2025-05-12. Left out are codes
/// nobody prices a deal in: precious metals (XAU, XAG, XPD, XPT), testing and
/// "no currency" (XTS, XXX), bond-market and accounting units (XBA–XBD, XDR,
/// XSU, XUA, XAD) and the fund codes (BOV, CHE, CHW, COU, MXV, USN, UYI).
/// CLF (Chile's Unidad de Fomento) and UYW (Uruguay's Unidad Previsional)
/// stay: contracts and rents there are commonly priced in them.
/// ANG gave way to XCG in 2025. BGN stays while it is in that list, so deals
/// priced in lev before Bulgaria's move to the euro remain valid.
#[rustfmt::skip] // Six to a line; one per line would run to 160 lines.
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("AOA", 2), ("ARS", 2),
    ("AUD", 2), ("AWG", 2), ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2),
    ("BGN", 2), ("BHD", 3), ("BIF", 0), ("BMD", 2), ("BND", 2), ("BOB", 2),
    ("BRL", 2), ("BSD", 2), ("BTN", 2), ("BWP", 2), ("BYN", 2), ("BZD", 2),
    ("CAD", 2), ("CDF", 2), ("CHF", 2), ("CLF", 4), ("CLP", 0), ("CNY", 2),
    ("COP", 2), ("CRC", 2), ("CUP", 2), ("CVE", 2), ("CZK", 2), ("DJF", 0),
    ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2), ("ERN", 2), ("ETB", 2),
    ("EUR", 2), ("FJD", 2), ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2),
    ("GIP", 2), ("GMD", 2), ("GNF", 0), ("GTQ", 2), ("GYD", 2), ("HKD", 2),
    ("HNL", 2), ("HTG", 2), ("HUF", 2), ("IDR", 2), ("ILS", 2), ("INR", 2),
    ("IQD", 3), ("IRR", 2), ("ISK", 0), ("JMD", 2), ("JOD", 3), ("JPY", 0),
    ("KES", 2), ("KGS", 2), ("KHR", 2), ("KMF", 0), ("KPW", 2), ("KRW", 0),
    ("KWD", 3), ("KYD", 2), ("KZT", 2), ("LAK", 2), ("LBP", 2), ("LKR", 2),
    ("LRD", 2), ("LSL", 2), ("LYD", 3), ("MAD", 2), ("MDL", 2), ("MGA", 2),
    ("MKD", 2), ("MMK", 2), ("MNT", 2), ("MOP", 2), ("MRU", 2), ("MUR", 2),
    ("MVR", 2), ("MWK", 2), ("MXN", 2), ("MYR", 2), ("MZN", 2), ("NAD", 2),
    ("NGN", 2), ("NIO", 2), ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3),
    ("PAB", 2), ("PEN", 2), ("PGK", 2), ("PHP", 2), ("PKR", 2), ("PLN", 2),
    ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2), ("RUB", 2), ("RWF", 0),
    ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2), ("SGD", 2),
    ("SHP", 2), ("SLE", 2), ("SOS", 2), ("SRD", 2), ("SSP", 2), ("STN", 2),
    ("SVC", 2), ("SYP", 2), ("SZL", 2), ("THB", 2), ("TJS", 2), ("TMT", 2),
    ("TND", 3), ("TOP", 2), ("TRY", 2), ("TTD", 2), ("TWD", 2), ("TZS", 2),
    ("UAH", 2), ("UGX", 0), ("USD", 2), ("UYU", 2), ("UYW", 4), ("UZS", 2),
    ("VED", 2), ("VES", 2), ("VND", 0), ("VUV", 0), ("WST", 2), ("XAF", 0),
    ("XCD", 2), ("XCG", 2), ("XOF", 0), ("XPF", 0), ("YER", 2), ("ZAR", 2),
    ("ZMW", 2), ("ZWG", 2),
];

/// The number of decimal places of `code`, or `None` if it is not a known
/// code. `code` must already be canonical (three uppercase letters); use
/// [`normalize_currency`] on user input first.
pub fn exponent(code: &str) -> Option<u32> {
    CURRENCIES
        .binary_search_by(|(known, _)| (*known).cmp(code))
        .ok()
        .and_then(|index| CURRENCIES.get(index))
        .map(|(_, exponent)| *exponent)
}

/// The known codes whose minor unit has `exponent` decimal places (SQL that
/// must know a currency's minor unit lists them).
pub fn codes_with_exponent(exponent: u32) -> impl Iterator<Item = &'static str> {
    CURRENCIES
        .iter()
        .filter(move |(_, e)| *e == exponent)
        .map(|(code, _)| *code)
}

/// Checks `raw` and returns it trimmed and uppercased, so `" usd"` is stored
/// as `"USD"`.
pub fn normalize_currency(raw: &str) -> Result<String, Invalid> {
    let code = raw.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err(Invalid("must not be empty".into()));
    }
    if exponent(&code).is_none() {
        return Err(Invalid(format!(
            "unknown currency code '{}' (ISO 4217)",
            shown(&code)
        )));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_without_duplicates_so_binary_search_works() {
        for pair in CURRENCIES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
    }

    #[test]
    fn every_code_in_the_table_is_three_uppercase_letters() {
        for (code, _) in CURRENCIES {
            assert!(
                code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()),
                "{code}"
            );
        }
    }

    #[test]
    fn the_table_holds_the_whole_active_list() {
        assert_eq!(CURRENCIES.len(), 158);
    }

    #[test]
    fn common_currencies_have_two_decimal_places() {
        for code in [
            "USD", "EUR", "GBP", "CHF", "CAD", "AUD", "CNY", "INR", "BRL",
        ] {
            assert_eq!(exponent(code), Some(2), "{code}");
        }
    }

    #[test]
    fn currencies_without_minor_units_have_exponent_zero() {
        for code in ["JPY", "KRW", "VND", "CLP", "ISK", "XAF", "XOF", "XPF"] {
            assert_eq!(exponent(code), Some(0), "{code}");
        }
    }

    #[test]
    fn dinars_and_rials_with_fils_and_baisa_have_exponent_three() {
        for code in ["KWD", "BHD", "OMR", "JOD", "IQD", "LYD", "TND"] {
            assert_eq!(exponent(code), Some(3), "{code}");
        }
    }

    #[test]
    fn chilean_and_uruguayan_units_of_account_have_exponent_four() {
        assert_eq!(exponent("CLF"), Some(4));
        assert_eq!(exponent("UYW"), Some(4));
    }

    #[test]
    fn the_first_and_last_codes_are_found() {
        assert_eq!(exponent("AED"), Some(2));
        assert_eq!(exponent("ZWG"), Some(2));
    }

    #[test]
    fn metals_test_codes_and_funds_are_not_currencies_here() {
        for code in [
            "XAU", "XAG", "XPT", "XPD", "XTS", "XXX", "XDR", "BOV", "USN",
        ] {
            assert_eq!(exponent(code), None, "{code}");
        }
    }

    #[test]
    fn withdrawn_codes_are_unknown() {
        for code in ["ANG", "HRK", "SLL", "ZWL", "CUC", "VEF", "DEM"] {
            assert_eq!(exponent(code), None, "{code}");
        }
    }

    #[test]
    fn exponent_wants_the_canonical_form() {
        assert_eq!(exponent("usd"), None);
        assert_eq!(exponent(" USD"), None);
        assert_eq!(exponent(""), None);
    }

    #[test]
    fn user_input_is_trimmed_and_uppercased() {
        assert_eq!(normalize_currency(" usd ").unwrap(), "USD");
        assert_eq!(normalize_currency("Jpy").unwrap(), "JPY");
    }

    #[test]
    fn an_unknown_code_names_itself_and_the_standard() {
        assert_eq!(
            normalize_currency("xyz").unwrap_err().0,
            "unknown currency code 'XYZ' (ISO 4217)"
        );
        assert!(normalize_currency("dollars").is_err());
        assert!(normalize_currency("XAU").is_err());
    }

    #[test]
    fn an_empty_code_must_not_be_empty() {
        assert_eq!(normalize_currency("  ").unwrap_err().0, "must not be empty");
    }
}
