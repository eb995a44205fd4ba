//! A row's values, read as the types the operations take. Every refusal
//! names the column it concerns (as `BAD_USER_INPUT` with that field).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{CoreError, CoreResult};

/// What the columns of custom field values start with: `customFields.tier`.
pub const CUSTOM_FIELD_PREFIX: &str = "customFields.";

/// The values of one row by column.
pub struct Cells<'a> {
    values: &'a Map<String, Value>,
}

impl<'a> Cells<'a> {
    pub fn new(values: &'a Map<String, Value>) -> Self {
        Self { values }
    }

    /// The raw value of `column`, if the row has one.
    pub fn value(&self, column: &str) -> Option<&'a Value> {
        self.values.get(column)
    }

    /// Text; numbers and booleans are taken as written.
    pub fn text(&self, column: &str) -> CoreResult<Option<String>> {
        match self.values.get(column) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(CoreError::bad_input(column, "must be text")),
        }
    }

    /// The row's custom field values: its `customFields.<key>` columns as
    /// given (each type reads its text form); blank cells are left out, so
    /// they keep a matched record's value.
    pub fn custom_fields(&self) -> Vec<(String, Value)> {
        self.values
            .iter()
            .filter_map(|(column, value)| {
                let key = column.strip_prefix(CUSTOM_FIELD_PREFIX)?;
                let blank = value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty());
                (!blank).then(|| (key.to_owned(), value.clone()))
            })
            .collect()
    }

    /// Text that must be there.
    pub fn required(&self, column: &str) -> CoreResult<String> {
        self.text(column)?
            .ok_or_else(|| CoreError::bad_input(column, "is required"))
    }

    /// An exact decimal, from text or a JSON number (read from its digits,
    /// never through a float).
    pub fn decimal(&self, column: &str) -> CoreResult<Option<Decimal>> {
        let Some(text) = self.text(column)? else {
            return Ok(None);
        };
        let text = text.trim();
        let parsed = text
            .parse::<Decimal>()
            .or_else(|_| Decimal::from_scientific(text));
        parsed
            .map(Some)
            .map_err(|_| CoreError::bad_input(column, format!("{text:?} is not a number")))
    }

    /// A whole number.
    pub fn integer(&self, column: &str) -> CoreResult<Option<i32>> {
        let Some(text) = self.text(column)? else {
            return Ok(None);
        };
        text.trim()
            .parse::<i32>()
            .map(Some)
            .map_err(|_| CoreError::bad_input(column, format!("{text:?} is not a whole number")))
    }

    /// A calendar date, `YYYY-MM-DD`.
    pub fn date(&self, column: &str) -> CoreResult<Option<NaiveDate>> {
        let Some(text) = self.text(column)? else {
            return Ok(None);
        };
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                CoreError::bad_input(column, format!("{text:?} is not a date (YYYY-MM-DD)"))
            })
    }

    /// An instant: RFC 3339 (`2026-03-01T09:30:00Z`, any offset), or a
    /// date and time without an offset, or a date alone (both read as UTC).
    pub fn time(&self, column: &str) -> CoreResult<Option<DateTime<Utc>>> {
        let Some(text) = self.text(column)? else {
            return Ok(None);
        };
        parse_time(&text).map(Some).ok_or_else(|| {
            CoreError::bad_input(
                column,
                format!("{text:?} is not a time (RFC 3339, e.g. 2026-03-01T09:30:00Z)"),
            )
        })
    }

    /// One of an enumeration's API names (`CLOSED_WON`); case, spaces and
    /// hyphens are forgiven.
    pub fn choice<E: DeserializeOwned>(&self, column: &str) -> CoreResult<Option<E>> {
        let Some(text) = self.text(column)? else {
            return Ok(None);
        };
        let name: String = text
            .trim()
            .chars()
            .map(|c| match c {
                ' ' | '-' => '_',
                c => c.to_ascii_uppercase(),
            })
            .collect();
        serde_json::from_value(Value::String(name))
            .map(Some)
            .map_err(|_| CoreError::bad_input(column, format!("{text:?} is not one of the values")))
    }
}

/// The instant `text` names, at microsecond precision (what both databases keep).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    use chrono::SubsecRound;
    let text = text.trim();
    let at = if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        at.with_timezone(&Utc)
    } else if let Ok(at) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f") {
        at.and_utc()
    } else if let Ok(at) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        at.and_utc()
    } else {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?
            .and_utc()
    };
    Some(at.trunc_subsecs(6))
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::enums::TicketStatus;
    use serde_json::json;

    #[test]
    fn values_are_read_exactly_or_refused_on_their_column() {
        let row = json!({"amount": "12.345", "n": 12.5, "when": "2026-03-01", "status": "resolved",
                         "bad": "13/01/2026", "list": [1]});
        let cells = Cells::new(row.as_object().unwrap());
        assert_eq!(
            cells.decimal("amount").unwrap().unwrap().to_string(),
            "12.345"
        );
        assert_eq!(cells.decimal("n").unwrap().unwrap().to_string(), "12.5");
        assert_eq!(
            cells.time("when").unwrap().unwrap().to_rfc3339(),
            "2026-03-01T00:00:00+00:00"
        );
        assert_eq!(
            cells.choice::<TicketStatus>("status").unwrap(),
            Some(TicketStatus::Resolved)
        );
        let field = |e: CoreError| match e {
            CoreError::BadInput { field, .. } => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(cells.time("bad").unwrap_err()), "bad");
        assert_eq!(field(cells.text("list").unwrap_err()), "list");
        assert_eq!(field(cells.required("missing").unwrap_err()), "missing");
        assert!(cells.integer("n").is_err());
    }
}
