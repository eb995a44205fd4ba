//! The schema's own scalars, and what the scalars async-graphql ships are
//! told to say about themselves.
//!
//! `Date` is a newtype, so that the schema names the ISO 8601 calendar date
//! it carries rather than chrono's `NaiveDate`. `Decimal` stays
//! `rust_decimal::Decimal` in Rust (the core and the figures compute with
//! it); [`describe`] gives its registry entry a description, a
//! `@specifiedBy` URL and a validator that refuses JSON numbers whose digits
//! a double cannot hold, before any resolver runs.

use std::str::FromStr;
use std::sync::Arc;

use async_graphql::registry::{MetaType, Registry};
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, ServerError, Value};
use chrono::NaiveDate;
use sea_orm::sea_query;

/// A calendar date (chrono's `NaiveDate`), named for what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// Where the `Date` format is written down.
const DATE_SPEC: &str = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6";

/// A calendar date without a time of day or zone, written `YYYY-MM-DD` (ISO 8601 / RFC 3339 `full-date`), e.g. `"2026-12-02"`.
#[Scalar(
    name = "Date",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| {
                    InputValueError::custom(format!(
                        "\"{text}\" is not a date; write it YYYY-MM-DD ({DATE_SPEC})"
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(_))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Date(date)
    }
}

impl From<Date> for NaiveDate {
    fn from(date: Date) -> Self {
        date.0
    }
}

impl From<Date> for sea_query::Value {
    fn from(date: Date) -> Self {
        date.0.into()
    }
}

/// What the `Decimal` scalar says about itself.
const DECIMAL_DESCRIPTION: &str = "An exact decimal number, sent and answered as a string of digits with an optional \
minus sign and decimal point (`\"1234.50\"`, no exponent). Money amounts carry the number of decimals their currency \
uses (ISO 4217 minor units; at most 4 are stored). An input may also be a JSON number when it has at most 15 \
significant digits, which every JSON parser keeps exactly; a longer number (`0.10000000000000001`) is refused with \
`BAD_USER_INPUT` rather than rounded: send it as a string.";

/// The grammar of `Decimal`'s string form: a JSON number without exponent.
const DECIMAL_SPEC: &str = "https://datatracker.ietf.org/doc/html/rfc8259#section-6";

/// What the `DateTime` scalar says about itself (its `@specifiedBy` is async-graphql's RFC 3339).
const DATE_TIME_DESCRIPTION: &str = "A point in time, written as RFC 3339 (ISO 8601) with a zone offset, e.g. \
`\"2026-12-02T13:45:00Z\"`; answered in UTC.";

/// The most significant digits a JSON number may have and still be read exactly.
pub const EXACT_NUMBER_DIGITS: usize = 15;

/// Whether a `Decimal` input is acceptable as given: a string (parsed
/// exactly later), an integer JSON number, or a fractional JSON number
/// whose shortest decimal form has at most [`EXACT_NUMBER_DIGITS`]
/// significant digits. A double keeps any decimal of 15 significant
/// digits exactly, so such a number means what the client wrote; beyond
/// that the client's digits may already be gone, and guessing would round.
/// A number written with more digits than its double shows
/// (`0.10000000000000001`) is caught from the request's text
/// ([`super::exact_numbers`]).
pub fn decimal_input_is_exact(value: &Value) -> bool {
    match value {
        Value::String(_) => true,
        Value::Number(number) => {
            if number.is_i64() || number.is_u64() {
                return true;
            }
            number.as_f64().is_some_and(|float| {
                float.is_finite()
                    && significant_digits(float) <= EXACT_NUMBER_DIGITS
                    && reads_as_written(float)
                    && !super::exact_numbers::is_inexact(float)
            })
        }
        _ => false,
    }
}

/// Whether async-graphql's reading of a JSON number as a `Decimal` (from
/// the double) gives the decimal the number is written as.
fn reads_as_written(float: f64) -> bool {
    let written = rust_decimal::Decimal::from_str(&float.to_string());
    let read = rust_decimal::Decimal::try_from(float);
    matches!((written, read), (Ok(written), Ok(read)) if written == read)
}

/// Significant digits in the shortest decimal form that reads back as `float`.
fn significant_digits(float: f64) -> usize {
    // `{:e}` prints the shortest round-trip mantissa: "1.2345e6".
    let written = format!("{float:e}");
    let mantissa = written.split('e').next().unwrap_or_default();
    mantissa.chars().filter(char::is_ascii_digit).count()
}

/// Turns async-graphql's refusal of a `Decimal` input (by the validator
/// [`describe`] installs) into a `BAD_USER_INPUT` naming the field, with
/// what to send instead. Returns whether it did.
pub fn explain_decimal_refusal(error: &mut ServerError) -> bool {
    let Some(path) = error
        .message
        .strip_prefix("Invalid value for argument \"")
        .and_then(|rest| rest.strip_suffix("\", expected type \"Decimal\""))
    else {
        return false;
    };
    let path = path.to_owned();
    error.message = format!(
        "{path}: not an exact decimal; send a string of digits such as \"1234.50\", or a JSON \
         number of at most {EXACT_NUMBER_DIGITS} significant digits (longer numbers would be rounded)"
    );
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", "BAD_USER_INPUT");
    extensions.set("field", path);
    true
}

/// Gives the scalars async-graphql defines their descriptions, URLs and
/// (for `Decimal`) the exactness check, and every connection type a
/// description. Runs once, on the finished registry, through
/// [`SchemaDocs`]'s registration.
fn describe(registry: &mut Registry) {
    if let Some(MetaType::Scalar {
        description,
        specified_by_url,
        is_valid,
        ..
    }) = registry.types.get_mut("Decimal")
    {
        *description = Some(DECIMAL_DESCRIPTION.to_owned());
        *specified_by_url = Some(DECIMAL_SPEC.to_owned());
        *is_valid = Some(Arc::new(decimal_input_is_exact));
    }
    if let Some(MetaType::Scalar { description, .. }) = registry.types.get_mut("DateTime") {
        *description = Some(DATE_TIME_DESCRIPTION.to_owned());
    }
    for ty in registry.types.values_mut() {
        if let MetaType::Object {
            name, description, ..
        } = ty
            && description.is_none()
            && let Some(record) = name.strip_suffix("Connection")
        {
            *description = Some(format!(
                "A page of `{record}` records: `edges` (each with its cursor) or `nodes`, `pageInfo` to page \
                 forwards (`first`/`after`) or backwards (`last`/`before`), and `totalCount`, the number of \
                 records the filter matches across all pages."
            ));
        }
    }
}

/// Not a GraphQL type: registering it on the schema builder runs
/// [`describe`] on the registry, which async-graphql otherwise keeps to
/// itself. It adds no type of its own.
pub struct SchemaDocs;

impl async_graphql::InputType for SchemaDocs {
    type RawValueType = ();

    fn type_name() -> std::borrow::Cow<'static, str> {
        "Decimal".into()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        describe(registry);
        "Decimal".to_owned()
    }

    fn parse(_: Option<Value>) -> InputValueResult<Self> {
        Err(InputValueError::custom("not an input type"))
    }

    fn to_value(&self) -> Value {
        Value::Null
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Value {
        Value::from_json(serde_json::from_str(text).unwrap()).unwrap()
    }

    #[test]
    fn json_numbers_a_double_keeps_exactly_are_accepted() {
        for text in [
            "0.1",
            "1234.5",
            "-0.0001",
            "123456789012.345",
            "18446744073709551615",
            "7",
        ] {
            assert!(decimal_input_is_exact(&number(text)), "{text}");
        }
        // What async-graphql then reads is the decimal as written.
        for cents in (0..100_000_i64).step_by(7) {
            let text = format!("{}.{:02}", cents / 100, cents % 100);
            let float: f64 = text.parse().unwrap();
            assert_eq!(
                rust_decimal::Decimal::try_from(float).unwrap(),
                rust_decimal::Decimal::from_str(&text).unwrap(),
                "{text}"
            );
        }
    }

    #[test]
    fn json_numbers_with_more_digits_than_a_double_keeps_are_refused() {
        for text in [
            "12345678901234567.89",
            "0.12345678901234567",
            "123456789012345678901",
        ] {
            assert!(!decimal_input_is_exact(&number(text)), "{text}");
        }
        assert!(decimal_input_is_exact(&Value::String(
            "12345678901234567.89".into()
        )));
    }
}
