//! The typed operators of each scalar a filter can test; their conditions
//! are built in the parent module.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::graphql::scalars::Date;

/// Conditions on a text field. `contains` and `startsWith` ignore case.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StringFilter {
    /// Equal to this text, case included.
    pub eq: Option<String>,
    /// Not equal to this value (records without a value do not match).
    pub ne: Option<String>,
    /// Equal to one of these values.
    #[graphql(name = "in")]
    pub in_: Option<Vec<String>>,
    /// Equal to none of these values (records without a value do not match).
    pub not_in: Option<Vec<String>>,
    /// Sorts before this text (byte order).
    pub lt: Option<String>,
    /// Sorts before or equals this text (byte order).
    pub lte: Option<String>,
    /// Sorts after this text (byte order).
    pub gt: Option<String>,
    /// Sorts after or equals this text (byte order).
    pub gte: Option<String>,
    /// Contains this text anywhere, ignoring case.
    pub contains: Option<String>,
    /// Starts with this text, ignoring case.
    pub starts_with: Option<String>,
    /// `true`: only records without a value; `false`: only records with one.
    pub is_null: Option<bool>,
}

/// Conditions on an integer field.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct IntFilter {
    /// Equal to this value.
    pub eq: Option<i64>,
    /// Not equal to this value (records without a value do not match).
    pub ne: Option<i64>,
    /// Equal to one of these values.
    #[graphql(name = "in")]
    pub in_: Option<Vec<i64>>,
    /// Equal to none of these values (records without a value do not match).
    pub not_in: Option<Vec<i64>>,
    /// Less than this value.
    pub lt: Option<i64>,
    /// Less than or equal to this value.
    pub lte: Option<i64>,
    /// Greater than this value.
    pub gt: Option<i64>,
    /// Greater than or equal to this value.
    pub gte: Option<i64>,
    /// `true`: only records without a value; `false`: only records with one.
    pub is_null: Option<bool>,
}

/// Conditions on a money amount, compared by nominal value whatever the currency.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DecimalFilter {
    /// Equal to this value.
    pub eq: Option<Decimal>,
    /// Not equal to this value (records without a value do not match).
    pub ne: Option<Decimal>,
    /// Equal to one of these values.
    #[graphql(name = "in")]
    pub in_: Option<Vec<Decimal>>,
    /// Equal to none of these values (records without a value do not match).
    pub not_in: Option<Vec<Decimal>>,
    /// Less than this value.
    pub lt: Option<Decimal>,
    /// Less than or equal to this value.
    pub lte: Option<Decimal>,
    /// Greater than this value.
    pub gt: Option<Decimal>,
    /// Greater than or equal to this value.
    pub gte: Option<Decimal>,
    /// `true`: only records without a value; `false`: only records with one.
    pub is_null: Option<bool>,
}

/// Conditions on a point in time.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DateTimeFilter {
    /// Exactly this instant.
    pub eq: Option<DateTime<Utc>>,
    /// Not equal to this value (records without a value do not match).
    pub ne: Option<DateTime<Utc>>,
    /// Before this instant.
    pub lt: Option<DateTime<Utc>>,
    /// At or before this instant.
    pub lte: Option<DateTime<Utc>>,
    /// After this instant.
    pub gt: Option<DateTime<Utc>>,
    /// At or after this instant.
    pub gte: Option<DateTime<Utc>>,
    /// `true`: only records without a value; `false`: only records with one.
    pub is_null: Option<bool>,
}

/// Conditions on a calendar date.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DateFilter {
    /// On this day.
    pub eq: Option<Date>,
    /// Not equal to this value (records without a value do not match).
    pub ne: Option<Date>,
    /// Before this day.
    pub lt: Option<Date>,
    /// On or before this day.
    pub lte: Option<Date>,
    /// After this day.
    pub gt: Option<Date>,
    /// On or after this day.
    pub gte: Option<Date>,
    /// `true`: only records without a value; `false`: only records with one.
    pub is_null: Option<bool>,
}

/// Conditions on a reference to another record, by its global id.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct IdFilter {
    /// This record (global id); an id of another type is refused.
    pub eq: Option<ID>,
    /// Not this record (records without a reference do not match).
    pub ne: Option<ID>,
    /// One of these records (global ids).
    #[graphql(name = "in")]
    pub in_: Option<Vec<ID>>,
    /// None of these records (records without a reference do not match).
    pub not_in: Option<Vec<ID>>,
    /// `true`: only records without a reference; `false`: only records with one.
    pub is_null: Option<bool>,
}
