//! A row as the seed writes it: its table's columns and one value per
//! column, independent of where the rows go (COPY or INSERT).

use chrono::NaiveDate;
use uuid::Uuid;

/// A table and the columns the seed writes, in the order of each row.
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

/// One value of a row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Null,
    Id(Uuid),
    Text(&'a str),
    Int(i64),
    Bool(bool),
    /// A moment, in milliseconds since the Unix epoch.
    At(i64),
    Day(NaiveDate),
}

impl From<Uuid> for Cell<'_> {
    fn from(id: Uuid) -> Self {
        Cell::Id(id)
    }
}

impl From<Option<Uuid>> for Cell<'_> {
    fn from(id: Option<Uuid>) -> Self {
        id.map_or(Cell::Null, Cell::Id)
    }
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(text: &'a str) -> Self {
        Cell::Text(text)
    }
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(text: Option<&'a str>) -> Self {
        text.map_or(Cell::Null, Cell::Text)
    }
}

impl From<i64> for Cell<'_> {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<bool> for Cell<'_> {
    fn from(b: bool) -> Self {
        Cell::Bool(b)
    }
}

/// A moment, for a nullable time column.
pub fn at(ms: Option<i64>) -> Cell<'static> {
    ms.map_or(Cell::Null, Cell::At)
}
