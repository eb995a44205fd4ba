//! Why a row was refused: its column, a code a client can act on
//! (`BAD_USER_INPUT`, `NOT_FOUND`, `CONFLICT`, `FORBIDDEN`) and a message.
//! An error that is no fault of the row (the database went away) is not a
//! refusal: it stops the import, and the batch it was in is undone.

use sea_orm::DbErr;

use super::Outcome;
use crate::error::{CoreError, CoreResult};

/// A refused row's reason.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The column it concerns, when one does.
    pub column: Option<String>,
    pub code: &'static str,
    pub message: String,
    /// Not the row's fault: ends the import.
    fatal: Option<CoreError>,
}

impl Refusal {
    pub fn bad_input(column: &str, message: impl Into<String>) -> Self {
        Self::coded(Some(column), "BAD_USER_INPUT", message)
    }

    pub fn not_found(column: &str, message: impl Into<String>) -> Self {
        Self::coded(Some(column), "NOT_FOUND", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::coded(None, "CONFLICT", message)
    }

    /// A row that could not be read from the file at all.
    pub fn unreadable(message: String) -> Self {
        Self::coded(None, "BAD_USER_INPUT", message)
    }

    fn coded(column: Option<&str>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            column: column.map(str::to_owned),
            code,
            message: message.into(),
            fatal: None,
        }
    }

    /// The same refusal on `column` when it names no column of its own (an
    /// operation's argument, e.g. a move's `stageId`).
    pub fn on(mut self, column: &str) -> Self {
        let own = self.column.as_deref().is_some_and(|c| c != "stageId");
        if !own && self.fatal.is_none() {
            self.column = Some(column.to_owned());
        }
        self
    }

    /// The row's outcome, or the error that ends the import.
    pub(super) fn into_outcome(self) -> CoreResult<Outcome> {
        match self.fatal {
            Some(error) => Err(error),
            None => Ok(Outcome::Refused(self)),
        }
    }
}

impl From<CoreError> for Refusal {
    fn from(error: CoreError) -> Self {
        let code = error.code();
        match error {
            CoreError::BadInput { field, message } | CoreError::Taken { field, message } => {
                let column = column_of(&field);
                Self::coded(Some(&column), code, message)
            }
            CoreError::NotFound(kind) => Self::coded(None, code, format!("no such {kind}")),
            CoreError::Conflict(message) | CoreError::Forbidden(message) => {
                Self::coded(None, code, message)
            }
            fatal => Self {
                column: None,
                code: fatal.code(),
                message: String::new(),
                fatal: Some(fatal),
            },
        }
    }
}

impl From<DbErr> for Refusal {
    fn from(error: DbErr) -> Self {
        CoreError::from(error).into()
    }
}

/// The column an operation's input field came from: `input.firstName` is
/// `firstName`; an id field is the column that named the record.
fn column_of(field: &str) -> String {
    let name = field.strip_prefix("input.").unwrap_or(field);
    match name {
        "companyId" => "company",
        "contactId" => "contact",
        "dealId" => "dealExternalId",
        "ticketId" => "ticket",
        "ownerId" => "ownerEmail",
        "assigneeId" => "assigneeEmail",
        // An order row's one line (its `sku`) is checked as `lines.0`.
        "lines.0.productId" => "sku",
        "lines.0.quantity" => "quantity",
        "lines.0.unitPrice" | "lines.0.discount" | "lines" => "amount",
        // A custom field's value is its own column.
        other if other.starts_with(super::cells::CUSTOM_FIELD_PREFIX) => other,
        // A list's item (`listPrices.1.currency`) is its column's.
        other => other.split('.').next().unwrap_or(other),
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_field_becomes_its_column_and_outages_stop_the_import() {
        let refusal = Refusal::from(CoreError::bad_input("input.email", "bad"));
        assert_eq!(refusal.column.as_deref(), Some("email"));
        assert_eq!(refusal.code, "BAD_USER_INPUT");
        let moved = Refusal::from(CoreError::bad_input("stageId", "no")).on("stage");
        assert_eq!(moved.column.as_deref(), Some("stage"));
        assert!(
            Refusal::from(CoreError::Unavailable("db".into()))
                .into_outcome()
                .is_err()
        );
        assert!(Refusal::conflict("exists").into_outcome().is_ok());
    }
}
