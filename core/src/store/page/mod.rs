//! Paginated lists at one SQL statement per level, for any number of parents.
//!
//! A nested connection (`companies { contacts(first: 10) }`) must page each
//! parent's children separately; [`PageQuery`] does it in one statement
//! that reads only each parent's page (see its module for how).
//!
//! Cursors hold the values of the sort keys of a row, so `after`/`before`
//! become keyset conditions (`(name, id) > (…)`), which stay correct when
//! rows are inserted between two page requests.

mod cursor;
mod custom_field;
mod fetch;
mod query;

use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, Value};

use crate::error::{CoreError, CoreResult};
use crate::rules::figures::{Figure, FigureType};

use cursor::decode_cursor;
pub use cursor::{encode_cursor, key_values};
pub use fetch::{CUSTOM_PLANS, PageSlice, Pages};
pub use query::{PageQuery, Partition};

/// The most rows one page may hold (`first`/`last`).
pub const MAX_PAGE_SIZE: i32 = 100;
/// Rows in a page when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// The Relay pagination arguments of a connection field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// How a sort key's values are typed, to read them back from a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Uuid,
    Int,
    BigInt,
    Text,
    Timestamp,
    Date,
    /// A calculated figure (an SQL expression), read back as its own type.
    Calculated(Figure),
    /// A custom field's value (`column` is `custom_fields.<key>`): JSON
    /// order on PostgreSQL (numbers by value, text by byte), the extracted
    /// value's order on SQLite; read back as JSON.
    CustomField,
}

impl KeyType {
    /// Whether the key is an expression the page statement selects as
    /// `_k<i>` (rather than a column of the row), read back from there.
    pub fn is_expression(self) -> bool {
        matches!(self, KeyType::Calculated(_) | KeyType::CustomField)
    }

    /// The type the key's values have.
    fn values(self) -> KeyType {
        match self {
            KeyType::Calculated(figure) => match figure.value_type() {
                FigureType::BigInt => KeyType::BigInt,
                FigureType::Int => KeyType::Int,
                FigureType::Timestamp => KeyType::Timestamp,
            },
            other => other,
        }
    }
}

/// One column (or calculated figure) a page is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub table: &'static str,
    pub column: &'static str,
    pub ty: KeyType,
    /// Nullable keys sort their NULLs last, in both directions.
    pub nullable: bool,
    pub desc: bool,
}

impl SortKey {
    /// The `id` key every ordering ends with, so that the order is total.
    pub const fn id(table: &'static str) -> Self {
        Self {
            table,
            column: "id",
            ty: KeyType::Uuid,
            nullable: false,
            desc: false,
        }
    }

    fn expr(&self, backend: DbBackend) -> Expr {
        match self.ty {
            KeyType::Calculated(figure) => figure.expr(backend),
            KeyType::CustomField => custom_field::expr(self.table, self.column, backend),
            _ => Expr::col((self.table, self.column)),
        }
    }

    /// A key on custom field `key` of `table`'s rows (`key` must be a
    /// custom field key: a lower-case letter, then letters, digits and `_`).
    pub fn custom_field(table: &'static str, key: &str) -> Self {
        Self {
            table,
            column: custom_field::interned(key),
            ty: KeyType::CustomField,
            nullable: true,
            desc: false,
        }
    }

    /// A key on a calculated figure of `table`'s rows.
    pub fn calculated(table: &'static str, figure: Figure) -> Self {
        Self {
            table,
            column: figure.name(),
            ty: KeyType::Calculated(figure),
            nullable: figure.nullable(),
            desc: false,
        }
    }

    fn signature(keys: &[SortKey]) -> String {
        keys.iter()
            .map(|k| format!("{}{}", k.column, if k.desc { "-" } else { "+" }))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The validated pagination of one request.
#[derive(Debug, Clone)]
pub struct Window {
    /// Rows wanted per parent.
    pub limit: u64,
    /// True for `last`: the page is taken from the end.
    pub backward: bool,
    after: Option<Vec<Value>>,
    before: Option<Vec<Value>>,
}

impl PageArgs {
    /// Checks the arguments against the cap and decodes the cursors for `keys`.
    pub fn window(&self, keys: &[SortKey]) -> CoreResult<Window> {
        let size = |value: Option<i32>, name: &str| -> CoreResult<Option<u64>> {
            match value {
                None => Ok(None),
                Some(n) if !(0..=MAX_PAGE_SIZE).contains(&n) => Err(CoreError::bad_input(
                    name,
                    format!("must be between 0 and {MAX_PAGE_SIZE}"),
                )),
                Some(n) => Ok(Some(n as u64)),
            }
        };
        let (first, last) = (size(self.first, "first")?, size(self.last, "last")?);
        let (limit, backward) = match (first, last) {
            (Some(_), Some(_)) => {
                return Err(CoreError::bad_input(
                    "last",
                    "use either first or last, not both",
                ));
            }
            (Some(n), None) => (n, false),
            (None, Some(n)) => (n, true),
            (None, None) => (
                DEFAULT_PAGE_SIZE as u64,
                self.before.is_some() && self.after.is_none(),
            ),
        };
        let after = self
            .after
            .as_deref()
            .map(|c| decode_cursor(c, keys, "after"))
            .transpose()?;
        let before = self
            .before
            .as_deref()
            .map(|c| decode_cursor(c, keys, "before"))
            .transpose()?;
        Ok(Window {
            limit,
            backward,
            after,
            before,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    const KEYS: [SortKey; 2] = [
        SortKey {
            table: "company",
            column: "name",
            ty: KeyType::Text,
            nullable: false,
            desc: false,
        },
        SortKey::id("company"),
    ];

    #[test]
    fn a_cursor_round_trips_its_values() {
        let id = Uuid::now_v7();
        let cursor = encode_cursor(
            &[Value::String(Some("Acme".into())), Value::Uuid(Some(id))],
            &KEYS,
        );
        let args = PageArgs {
            first: Some(5),
            after: Some(cursor),
            ..Default::default()
        };
        let window = args.window(&KEYS).unwrap();
        assert_eq!(
            window.after.unwrap(),
            vec![Value::String(Some("Acme".into())), Value::Uuid(Some(id))]
        );
    }

    #[test]
    fn a_cursor_of_another_ordering_is_refused() {
        let other = [
            SortKey {
                desc: true,
                ..KEYS[0]
            },
            KEYS[1],
        ];
        let cursor = encode_cursor(
            &[
                Value::String(Some("Acme".into())),
                Value::Uuid(Some(Uuid::nil())),
            ],
            &other,
        );
        let args = PageArgs {
            after: Some(cursor),
            ..Default::default()
        };
        assert!(args.window(&KEYS).is_err());
    }

    #[test]
    fn page_sizes_over_the_cap_are_refused() {
        let args = PageArgs {
            first: Some(MAX_PAGE_SIZE + 1),
            ..Default::default()
        };
        assert!(
            matches!(args.window(&KEYS), Err(CoreError::BadInput { field, .. }) if field == "first")
        );
        let args = PageArgs {
            first: Some(1),
            last: Some(1),
            ..Default::default()
        };
        assert!(args.window(&KEYS).is_err());
    }
}
