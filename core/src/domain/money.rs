//! Money amounts: converts between the exact decimals users send and the
//! integer minor units (cents, yen, fils) that are stored.
//!
//! Why integers: SQLite has no exact decimal type (a NUMERIC column keeps
//! 0.1 as a binary float), while an i64 of minor units is exact on both
//! SQLite and PostgreSQL, so sums and comparisons done in SQL agree with the
//! ones done here. The currency's ISO 4217 exponent says how many minor
//! units make one major unit.

use rust_decimal::Decimal;

use super::{Invalid, currency, shown};

/// Converts `amount` of `currency` (a canonical code, see
/// [`currency::normalize_currency`]) into minor units, exactly.
///
/// Refused: negative amounts, amounts with more decimal places than the
/// currency has (after dropping trailing zeros, so `1.50` USD is fine but
/// `1.005` USD is not: rounding would change what the user said), amounts
/// too large for an i64, and unknown currencies.
pub fn to_minor_units(amount: Decimal, currency: &str) -> Result<i64, Invalid> {
    let Some(exponent) = currency::exponent(currency) else {
        return Err(Invalid(format!(
            "unknown currency code '{}' (ISO 4217)",
            shown(currency)
        )));
    };
    if amount < Decimal::ZERO {
        return Err(Invalid("amount must not be negative".into()));
    }
    let amount = amount.normalize();
    let scale = amount.scale();
    if scale > exponent {
        return Err(Invalid(if exponent == 0 {
            format!("{currency} amounts must be whole numbers (0 decimal places)")
        } else {
            format!("{currency} amounts allow at most {exponent} decimal places")
        }));
    }
    // The mantissa times 10^(exponent - scale) is the amount in minor units.
    // Working on the i128 mantissa avoids Decimal multiplication, which
    // panics on overflow; the mantissa is below 2^96 and the factor at most
    // 10^4, so the product cannot overflow i128, only the final i64.
    let factor = 10_i128.pow(exponent - scale);
    amount
        .mantissa()
        .checked_mul(factor)
        .and_then(|minor| i64::try_from(minor).ok())
        .ok_or_else(|| {
            Invalid(format!(
                "amount is too large (at most {} {currency})",
                from_minor_units(i64::MAX, currency)
            ))
        })
}

/// The decimal amount that `minor` units of `currency` stand for, with as
/// many decimal places as the currency has (so 150 USD cents is `1.50`).
///
/// An unknown currency is read with two decimal places, the most common
/// exponent, rather than failing: stored amounts were checked on the way in,
/// so this only matters if a code later leaves the table, and a readable
/// amount is better than an error when reading old data.
pub fn from_minor_units(minor: i64, currency: &str) -> Decimal {
    Decimal::new(minor, currency::exponent(currency).unwrap_or(2))
}

/// Stored amounts are integers of ten-thousandths (`amount × 10⁴`): every
/// ISO 4217 exponent fits (the largest is 4), sums stay exact on SQLite and
/// PostgreSQL, and amounts in different currencies compare by nominal value
/// in SQL (filters and sorting), which minor units of varying size would not.
pub const STORED_SCALE: u32 = 4;

/// An amount in `currency` as stored: validated like [`to_minor_units`]
/// (not negative, no more decimals than the currency has), then scaled to
/// ten-thousandths.
pub fn amount_e4(amount: Decimal, currency: &str) -> Result<i64, Invalid> {
    let minor = to_minor_units(amount, currency)?;
    let exponent = currency::exponent(currency).unwrap_or(2);
    minor
        .checked_mul(10_i64.pow(STORED_SCALE - exponent.min(STORED_SCALE)))
        .ok_or_else(|| Invalid("amount is too large".into()))
}

/// Any decimal (a filter bound, say) in stored ten-thousandths; refuses
/// values with more than four decimals or beyond the stored range.
pub fn to_e4(value: Decimal) -> Result<i64, Invalid> {
    let normalized = value.normalize();
    if normalized.scale() > STORED_SCALE {
        return Err(Invalid(format!("at most {STORED_SCALE} decimal places")));
    }
    let scaled = normalized.mantissa() * 10_i128.pow(STORED_SCALE - normalized.scale());
    i64::try_from(scaled).map_err(|_| Invalid("amount is too large".into()))
}

/// A stored amount as a decimal with the currency's number of decimals
/// (unknown currencies keep two).
pub fn from_e4(stored: i64, currency: &str) -> Decimal {
    let exponent = currency::exponent(currency).unwrap_or(2).min(STORED_SCALE);
    let mut value = Decimal::new(stored, STORED_SCALE);
    value.rescale(exponent);
    value
}

/// The one rounding rule for amounts Rapport computes (means, weighted
/// amounts, projections, commissions): to the currency's decimals, half
/// away from zero ("2.5" JPY is 3), always shown with those decimals (a
/// zero commission in euros is "0.00").
pub fn round_to_currency(value: Decimal, currency: &str) -> Decimal {
    let exponent = currency::exponent(currency).unwrap_or(2).min(STORED_SCALE);
    let mut rounded = value.round_dp_with_strategy(
        exponent,
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    );
    rounded.rescale(exponent);
    rounded
}

/// A sum of stored amounts, which may exceed an i64 ([`from_e4`]'s), as a
/// decimal of the currency; past what a decimal holds (about 7.9 × 10²⁴),
/// the largest decimal.
pub fn from_e4_wide(stored: i128, currency: &str) -> Decimal {
    let value = Decimal::try_from_i128_with_scale(stored, STORED_SCALE).unwrap_or(Decimal::MAX);
    round_to_currency(value, currency)
}

/// Ten-thousandths in one minor unit of `currency` (100 for a cent; unknown
/// currencies count two decimals, like [`from_e4`]).
pub fn minor_unit_e4(currency: &str) -> i64 {
    let exponent = currency::exponent(currency).unwrap_or(2).min(STORED_SCALE);
    10_i64.pow(STORED_SCALE - exponent)
}

/// A weighted amount: `amount_e4 × percent ÷ 100`, rounded half up to the
/// currency's minor unit, in stored ten-thousandths. Computed in 128 bits,
/// so it is exact for every storable amount; with `percent` at most 100
/// the result never exceeds the amount. The stored figure
/// (`rules::stored_figures`) computes the same in SQL.
pub fn weighted_e4(amount_e4: i64, currency: &str, percent: i32) -> i64 {
    let unit = i128::from(minor_unit_e4(currency));
    let minor = i128::from(amount_e4).div_euclid(unit);
    let weighted = (minor * i128::from(percent) + 50).div_euclid(100) * unit;
    i64::try_from(weighted).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn refused(amount: &str, currency: &str) -> String {
        to_minor_units(dec(amount), currency).expect_err(amount).0
    }

    #[test]
    fn dollars_become_cents() {
        assert_eq!(to_minor_units(dec("12.34"), "USD").unwrap(), 1234);
        assert_eq!(to_minor_units(dec("12"), "USD").unwrap(), 1200);
        assert_eq!(to_minor_units(dec("0.5"), "USD").unwrap(), 50);
    }

    #[test]
    fn point_one_plus_point_two_is_exact_in_minor_units() {
        let sum =
            to_minor_units(dec("0.1"), "USD").unwrap() + to_minor_units(dec("0.2"), "USD").unwrap();
        assert_eq!(sum, to_minor_units(dec("0.3"), "USD").unwrap());
        assert_eq!(from_minor_units(sum, "USD"), dec("0.30"));
    }

    #[test]
    fn trailing_zeros_beyond_the_exponent_are_fine() {
        assert_eq!(to_minor_units(dec("1.50"), "USD").unwrap(), 150);
        assert_eq!(to_minor_units(dec("1.5000000"), "USD").unwrap(), 150);
        assert_eq!(to_minor_units(dec("100.000"), "JPY").unwrap(), 100);
    }

    #[test]
    fn more_decimal_places_than_the_currency_has_are_refused_not_rounded() {
        assert_eq!(
            refused("1.005", "USD"),
            "USD amounts allow at most 2 decimal places"
        );
        assert_eq!(
            refused("1.2345", "KWD"),
            "KWD amounts allow at most 3 decimal places"
        );
    }

    #[test]
    fn currencies_without_minor_units_take_whole_numbers_only() {
        assert_eq!(to_minor_units(dec("1500"), "JPY").unwrap(), 1500);
        assert_eq!(
            refused("1500.5", "JPY"),
            "JPY amounts must be whole numbers (0 decimal places)"
        );
    }

    #[test]
    fn three_and_four_decimal_currencies_scale_accordingly() {
        assert_eq!(to_minor_units(dec("1.234"), "KWD").unwrap(), 1234);
        assert_eq!(to_minor_units(dec("1.5"), "BHD").unwrap(), 1500);
        assert_eq!(to_minor_units(dec("37.1234"), "CLF").unwrap(), 371_234);
    }

    #[test]
    fn zero_is_allowed_and_negative_zero_counts_as_zero() {
        assert_eq!(to_minor_units(Decimal::ZERO, "EUR").unwrap(), 0);
        assert_eq!(to_minor_units(dec("-0.00"), "EUR").unwrap(), 0);
    }

    #[test]
    fn negative_amounts_are_refused() {
        assert_eq!(refused("-0.01", "USD"), "amount must not be negative");
    }

    #[test]
    fn the_largest_amount_that_fits_is_accepted_and_one_more_cent_is_not() {
        let max = from_minor_units(i64::MAX, "USD");
        assert_eq!(max, dec("92233720368547758.07"));
        assert_eq!(to_minor_units(max, "USD").unwrap(), i64::MAX);
        let over = refused("92233720368547758.08", "USD");
        assert!(
            over.contains("too large") && over.contains("92233720368547758.07 USD"),
            "{over}"
        );
    }

    #[test]
    fn the_largest_decimal_overflows_without_panicking() {
        assert!(refused(&Decimal::MAX.to_string(), "USD").contains("too large"));
        assert!(refused(&Decimal::MAX.to_string(), "CLF").contains("too large"));
    }

    #[test]
    fn an_unknown_currency_is_refused() {
        assert_eq!(
            refused("1", "XYZ"),
            "unknown currency code 'XYZ' (ISO 4217)"
        );
        assert!(refused("1", "usd").contains("unknown currency code"));
    }

    #[test]
    fn minor_units_read_back_with_the_currencys_scale() {
        assert_eq!(from_minor_units(150, "USD").to_string(), "1.50");
        assert_eq!(from_minor_units(1500, "JPY").to_string(), "1500");
        assert_eq!(from_minor_units(1234, "KWD").to_string(), "1.234");
        assert_eq!(from_minor_units(371_234, "CLF").to_string(), "37.1234");
    }

    #[test]
    fn an_unknown_currency_reads_back_with_two_decimal_places() {
        assert_eq!(from_minor_units(150, "XYZ").to_string(), "1.50");
    }

    #[test]
    fn converting_there_and_back_keeps_the_amount() {
        for (amount, code) in [
            ("19.99", "EUR"),
            ("0.001", "TND"),
            ("7", "KRW"),
            ("123456.78", "GBP"),
        ] {
            let minor = to_minor_units(dec(amount), code).unwrap();
            assert_eq!(
                from_minor_units(minor, code),
                dec(amount),
                "{amount} {code}"
            );
        }
    }

    #[test]
    fn stored_amounts_are_exact_ten_thousandths() {
        let ten_cents = Decimal::new(10, 2);
        let twenty_cents = Decimal::new(20, 2);
        let sum = amount_e4(ten_cents, "USD").unwrap() + amount_e4(twenty_cents, "USD").unwrap();
        assert_eq!(sum, 3000);
        assert_eq!(from_e4(sum, "USD").to_string(), "0.30");
        assert_eq!(
            from_e4(amount_e4(Decimal::new(1500, 0), "JPY").unwrap(), "JPY").to_string(),
            "1500"
        );
        assert_eq!(to_e4(Decimal::new(12345, 1)).unwrap(), 12_345_000);
        assert!(to_e4(Decimal::new(1, 5)).is_err());
        assert!(amount_e4(Decimal::new(-1, 0), "USD").is_err());
    }
}
