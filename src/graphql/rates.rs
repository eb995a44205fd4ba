//! One unit for every rate the API carries: a fraction from 0 to 1 (0.35 is
//! 35 %), as the computed figures (`winRate`, `attainment`, `rate`) already
//! were. Win probabilities are stored in whole percent and commissions in
//! basis points; these convert, refusing a fraction the store cannot hold
//! exactly rather than rounding it.

use super::error::{ApiError, ApiResult};

/// How far a scaled fraction may be from a whole number and still be read
/// as it (a double cannot write 0.07 exactly).
const TOLERANCE: f64 = 1e-6;

/// `fraction` (0 to 1) × `scale`, which must come out whole.
fn scaled(fraction: f64, scale: f64, field: &str, unit: &str) -> ApiResult<i32> {
    if !(0.0..=1.0).contains(&fraction) {
        return Err(ApiError::bad_input(field, "must be between 0 and 1"));
    }
    let value = fraction * scale;
    let whole = value.round();
    if (value - whole).abs() > TOLERANCE {
        return Err(ApiError::bad_input(
            field,
            format!("must be a whole {unit} (a multiple of {})", 1.0 / scale),
        ));
    }
    // Between 0 and `scale` (at most 10,000): it fits.
    Ok(whole as i32)
}

/// A win probability in whole percent, from `winChance` (a fraction) or the
/// deprecated `winProbability` (percent), at most one of them given.
pub fn win_percent(
    chance: Option<f64>,
    percent: Option<i32>,
    field: &str,
) -> ApiResult<Option<i32>> {
    match (chance, percent) {
        (Some(_), Some(_)) => Err(ApiError::bad_input(
            field,
            "give `winChance` or the deprecated `winProbability`, not both",
        )),
        (Some(chance), None) => scaled(chance, 100.0, field, "percent").map(Some),
        (None, percent) => Ok(percent),
    }
}

/// A commission in basis points, from `commissionShare` (a fraction) or the
/// deprecated `commissionBps`, at most one of them given.
pub fn commission_bps(share: Option<f64>, bps: Option<i32>, field: &str) -> ApiResult<Option<i32>> {
    match (share, bps) {
        (Some(_), Some(_)) => Err(ApiError::bad_input(
            field,
            "give `commissionShare` or the deprecated `commissionBps`, not both",
        )),
        (Some(share), None) => scaled(share, 10_000.0, field, "basis point").map(Some),
        (None, bps) => Ok(bps),
    }
}

/// A stored whole percent as a fraction.
pub fn percent_fraction(percent: i32) -> f64 {
    f64::from(percent) / 100.0
}

/// Stored basis points as a fraction.
pub fn bps_fraction(bps: i32) -> f64 {
    f64::from(bps) / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_convert_to_the_stored_units_exactly_or_not_at_all() {
        assert_eq!(win_percent(Some(0.35), None, "f").unwrap(), Some(35));
        assert_eq!(win_percent(Some(0.07), None, "f").unwrap(), Some(7));
        assert_eq!(win_percent(None, Some(40), "f").unwrap(), Some(40));
        assert!(win_percent(Some(0.355), None, "f").is_err());
        assert!(win_percent(Some(1.5), None, "f").is_err());
        assert!(win_percent(Some(0.5), Some(50), "f").is_err());
        assert_eq!(commission_bps(Some(0.075), None, "f").unwrap(), Some(750));
        assert!(commission_bps(Some(0.00005), None, "f").is_err());
        assert_eq!(bps_fraction(750), 0.075);
        assert_eq!(percent_fraction(35), 0.35);
    }
}
