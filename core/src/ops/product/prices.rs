//! A product's list prices: at most one per currency, each zero or more
//! with no more decimals than its currency has, stored on the product row as
//! a JSON array sorted by currency.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::{currency, money};
use crate::error::{CoreError, CoreResult};

/// A list price as given: an amount in a currency.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPrice {
    pub currency: String,
    pub amount: Decimal,
}

/// A list price as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPrice {
    pub currency: String,
    pub amount_e4: i64,
}

/// Checks `given` (the field of a refusal is `{field}.{i}.currency` or
/// `.amount`) and returns it as stored: one price per currency, sorted.
pub fn check(given: Vec<ListPrice>, field: &str) -> CoreResult<serde_json::Value> {
    let mut stored: Vec<StoredPrice> = Vec::with_capacity(given.len());
    for (i, price) in given.into_iter().enumerate() {
        let code = currency::normalize_currency(&price.currency)
            .map_err(CoreError::invalid(format!("{field}.{i}.currency")))?;
        if stored.iter().any(|s| s.currency == code) {
            return Err(CoreError::bad_input(
                format!("{field}.{i}.currency"),
                format!("{code} is listed twice: give one price per currency"),
            ));
        }
        if price.amount.is_sign_negative() {
            return Err(CoreError::bad_input(
                format!("{field}.{i}.amount"),
                "must not be negative",
            ));
        }
        let amount_e4 = money::amount_e4(price.amount, &code)
            .map_err(CoreError::invalid(format!("{field}.{i}.amount")))?;
        stored.push(StoredPrice {
            currency: code,
            amount_e4,
        });
    }
    stored.sort_by(|a, b| a.currency.cmp(&b.currency));
    serde_json::to_value(stored).map_err(|e| CoreError::Internal(format!("prices as JSON: {e}")))
}

/// The stored prices of a product row (none if the column holds something else).
pub fn stored(list_prices: &serde_json::Value) -> Vec<StoredPrice> {
    serde_json::from_value(list_prices.clone()).unwrap_or_default()
}

/// The list price in `currency`, ×10⁴, if the product has one.
pub fn in_currency(list_prices: &serde_json::Value, currency: &str) -> Option<i64> {
    stored(list_prices)
        .into_iter()
        .find(|p| p.currency == currency)
        .map(|p| p.amount_e4)
}

/// Prices as one text, `EUR 9.50; USD 10.00` (what an export writes and
/// an import reads), each with its currency's decimals.
pub fn to_text(list_prices: &serde_json::Value) -> String {
    stored(list_prices)
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p.currency,
                money::from_e4(p.amount_e4, &p.currency)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The prices of a text written like [`to_text`]'s (refusals name `field`).
pub fn parse_text(text: &str, field: &str) -> CoreResult<Vec<ListPrice>> {
    let mut found = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (currency, amount) = part.split_once(char::is_whitespace).ok_or_else(|| {
            CoreError::bad_input(field, format!("{part:?} is not \"CURRENCY amount\""))
        })?;
        let amount: Decimal = amount.trim().parse().map_err(|_| {
            CoreError::bad_input(field, format!("{:?} is not an amount", amount.trim()))
        })?;
        found.push(ListPrice {
            currency: currency.to_owned(),
            amount,
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(currency: &str, amount: i64, scale: u32) -> ListPrice {
        ListPrice {
            currency: currency.into(),
            amount: Decimal::new(amount, scale),
        }
    }

    #[test]
    fn prices_are_one_per_currency_sorted_and_exact() {
        let json = check(
            vec![price("usd", 1999, 2), price("EUR", 18, 0)],
            "input.listPrices",
        )
        .unwrap();
        assert_eq!(in_currency(&json, "EUR"), Some(180_000));
        assert_eq!(in_currency(&json, "USD"), Some(199_900));
        assert_eq!(stored(&json)[0].currency, "EUR");
        let twice = check(vec![price("USD", 1, 0), price("usd", 2, 0)], "p").unwrap_err();
        assert!(format!("{twice:?}").contains("p.1.currency"));
        assert!(check(vec![price("JPY", 15, 1)], "p").is_err());
        assert!(check(vec![price("USD", -1, 0)], "p").is_err());
    }

    #[test]
    fn prices_read_back_from_their_text() {
        let json = check(vec![price("USD", 10, 0), price("EUR", 95, 1)], "p").unwrap();
        let text = to_text(&json);
        assert_eq!(text, "EUR 9.50; USD 10.00");
        assert_eq!(check(parse_text(&text, "p").unwrap(), "p").unwrap(), json);
        assert!(parse_text("EUR", "p").is_err());
        assert!(parse_text("EUR ten", "p").is_err());
        assert!(parse_text(" ", "p").unwrap().is_empty());
    }
}
