//! What each custom field type accepts, and the one form it is stored in.
//!
//! Values arrive as JSON (GraphQL), or as text (CSV imports, a type change
//! reading an old value), so every type takes its native JSON form and its
//! text form. What is stored is canonical, which is what lets filters and
//! sorting compare stored values directly: numbers as JSON numbers, dates
//! as `YYYY-MM-DD`, instants as RFC 3339 UTC with microseconds (so text
//! order is time order), options spelled as the field defines them.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use entity::enums::CustomFieldType;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Number, Value};

use crate::domain::{email, text};

/// Longest TEXT value, in characters.
pub const TEXT_MAX: usize = 2_000;
/// The largest whole number every JSON parser keeps exactly (2^53 - 1).
const NUMBER_MAX: i64 = 9_007_199_254_740_991;
/// Significant digits a DECIMAL keeps exactly as a JSON number.
const DECIMAL_DIGITS: u32 = 15;
/// Digits after the point a DECIMAL may have.
const DECIMAL_SCALE: u32 = 6;
/// What separates the options of a MULTI_SELECT given as text.
pub const OPTION_SEPARATOR: char = ';';

/// `raw` checked against `field_type` (and `options`, for the two select
/// types) in its stored form; `None` for a blank value, which clears.
pub fn check(
    field_type: CustomFieldType,
    options: &[String],
    raw: &Value,
) -> Result<Option<Value>, String> {
    if raw.is_null() || raw.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(None);
    }
    use CustomFieldType as T;
    let value = match field_type {
        T::Text => Value::String(text_of(raw, TEXT_MAX)?),
        T::Number => Value::from(whole_number(raw)?),
        T::Decimal => decimal(raw)?,
        T::Date => Value::String(date(raw)?),
        T::Datetime => Value::String(instant(raw)?),
        T::Boolean => Value::Bool(boolean(raw)?),
        T::Select => Value::String(option(options, &text_of(raw, TEXT_MAX)?)?),
        T::MultiSelect => {
            let chosen = options_of(options, raw)?;
            if chosen.is_empty() {
                return Ok(None);
            }
            Value::Array(chosen.into_iter().map(Value::String).collect())
        }
        T::Url => Value::String(url(raw)?),
        T::Email => {
            Value::String(email::normalize_email(&text_of(raw, 320)?).map_err(|invalid| invalid.0)?)
        }
    };
    Ok(Some(value))
}

/// A stored value as text: what a CSV export writes and what a type change
/// reads the old value as (options joined by `;`).
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(as_text)
            .collect::<Vec<_>>()
            .join(&format!("{OPTION_SEPARATOR} ")),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A single line or paragraph of text (numbers and booleans as written).
fn text_of(raw: &Value, max: usize) -> Result<String, String> {
    let given = match raw {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return Err("must be text".into()),
    };
    text::optional_text(Some(&given), max)
        .map_err(|invalid| invalid.0)?
        .ok_or_else(|| "must not be blank".to_owned())
}

fn whole_number(raw: &Value) -> Result<i64, String> {
    let wrong = || "must be a whole number".to_owned();
    let n = match raw {
        Value::Number(n) => match n.as_i64() {
            Some(i) => i,
            None => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() <= NUMBER_MAX as f64 => f as i64,
                _ => return Err(wrong()),
            },
        },
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| wrong())?,
        _ => return Err(wrong()),
    };
    if n.abs() > NUMBER_MAX {
        return Err(format!("must be between -{NUMBER_MAX} and {NUMBER_MAX}"));
    }
    Ok(n)
}

fn decimal(raw: &Value) -> Result<Value, String> {
    let wrong = || "must be a decimal number such as 12.5".to_owned();
    let written = match raw {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return Err(wrong()),
    };
    let d = Decimal::from_str(&written)
        .or_else(|_| Decimal::from_scientific(&written))
        .map_err(|_| wrong())?
        .normalize();
    if d.scale() > DECIMAL_SCALE {
        return Err(format!(
            "must have at most {DECIMAL_SCALE} digits after the point"
        ));
    }
    let digits = d.mantissa().unsigned_abs().to_string().len() as u32;
    if digits > DECIMAL_DIGITS {
        return Err(format!(
            "must have at most {DECIMAL_DIGITS} significant digits"
        ));
    }
    // At most 15 significant digits: the f64 nearest the decimal prints
    // back as the same digits, so the JSON number is exact in any parser.
    let number = if d.scale() == 0 {
        d.to_i64().map(Number::from)
    } else {
        d.to_f64().and_then(Number::from_f64)
    };
    number.map(Value::Number).ok_or_else(wrong)
}

fn date(raw: &Value) -> Result<String, String> {
    let s = raw.as_str().ok_or("must be a date, YYYY-MM-DD")?.trim();
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| "must be a date, YYYY-MM-DD".to_owned())?;
    Ok(day.format("%Y-%m-%d").to_string())
}

fn instant(raw: &Value) -> Result<String, String> {
    let wrong = || "must be an RFC 3339 date and time with its offset".to_owned();
    let s = raw.as_str().ok_or_else(wrong)?.trim();
    let at = DateTime::parse_from_rfc3339(s).map_err(|_| wrong())?;
    Ok(at
        .with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Micros, true))
}

fn boolean(raw: &Value) -> Result<bool, String> {
    match raw {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" => Ok(false),
            _ => Err("must be true or false".into()),
        },
        Value::Number(n) if n.as_i64() == Some(1) => Ok(true),
        Value::Number(n) if n.as_i64() == Some(0) => Ok(false),
        _ => Err("must be true or false".into()),
    }
}

/// The option `given` names, as the field spells it (case is ignored).
fn option(options: &[String], given: &str) -> Result<String, String> {
    options
        .iter()
        .find(|o| o.to_lowercase() == given.trim().to_lowercase())
        .cloned()
        .ok_or_else(|| format!("must be one of: {}", options.join(", ")))
}

/// The options chosen by a JSON array or by `;`-separated text, each once,
/// in the field's order.
fn options_of(options: &[String], raw: &Value) -> Result<Vec<String>, String> {
    let given: Vec<String> = match raw {
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or("must be a list of options")?,
        Value::String(s) => s.split(OPTION_SEPARATOR).map(str::to_owned).collect(),
        _ => return Err("must be a list of options".into()),
    };
    let mut chosen = Vec::new();
    for item in given.iter().filter(|i| !i.trim().is_empty()) {
        let found = option(options, item)?;
        if !chosen.contains(&found) {
            chosen.push(found);
        }
    }
    chosen.sort_by_key(|o| options.iter().position(|x| x == o));
    Ok(chosen)
}

fn url(raw: &Value) -> Result<String, String> {
    let s = text_of(raw, TEXT_MAX)?;
    let parsed = url::Url::parse(&s).map_err(|_| "must be an absolute URL".to_owned())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err("must be an http or https URL".into());
    }
    Ok(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(t: CustomFieldType, raw: Value) -> Value {
        check(t, &["Gold".into(), "Silver".into()], &raw)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn each_type_keeps_one_canonical_form() {
        use CustomFieldType as T;
        assert_eq!(ok(T::Number, json!("42")), json!(42));
        assert_eq!(ok(T::Number, json!(42.0)), json!(42));
        assert_eq!(ok(T::Decimal, json!("12.50")), json!(12.5));
        assert_eq!(ok(T::Decimal, json!(3)), json!(3));
        assert_eq!(ok(T::Date, json!(" 2026-02-03 ")), json!("2026-02-03"));
        assert_eq!(
            ok(T::Datetime, json!("2026-02-03T10:00:00+02:00")),
            json!("2026-02-03T08:00:00.000000Z")
        );
        assert_eq!(ok(T::Boolean, json!("Yes")), json!(true));
        assert_eq!(ok(T::Select, json!("gold")), json!("Gold"));
        assert_eq!(
            ok(T::MultiSelect, json!("silver; gold;silver")),
            json!(["Gold", "Silver"])
        );
        assert_eq!(
            ok(T::Email, json!(" A@Example.COM ")),
            json!("a@example.com")
        );
        assert_eq!(
            ok(T::Url, json!("https://example.com")),
            json!("https://example.com/")
        );
        assert_eq!(check(T::Text, &[], &json!("  ")).unwrap(), None);
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        use CustomFieldType as T;
        let bad = |t, raw: Value| check(t, &["Gold".into()], &raw).unwrap_err();
        assert!(bad(T::Number, json!(1.5)).contains("whole number"));
        assert!(bad(T::Number, json!(9_007_199_254_740_992_i64)).contains("between"));
        assert!(bad(T::Decimal, json!("1.1234567")).contains("after the point"));
        assert!(bad(T::Decimal, json!("1234567890123456")).contains("significant"));
        assert!(bad(T::Date, json!("2026-02-30")).contains("YYYY-MM-DD"));
        assert!(bad(T::Datetime, json!("2026-02-03 10:00")).contains("RFC 3339"));
        assert!(bad(T::Boolean, json!("maybe")).contains("true or false"));
        assert!(bad(T::Select, json!("Bronze")).contains("one of: Gold"));
        assert!(bad(T::Url, json!("ftp://example.com")).contains("http"));
        assert!(
            bad(T::Email, json!("nobody")).contains('@')
                || !bad(T::Email, json!("nobody")).is_empty()
        );
        assert!(bad(T::Text, json!({"a": 1})).contains("text"));
    }
}
