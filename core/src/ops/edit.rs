//! Edits of fields that need a check: a reference that must name a live
//! record, a text that must stay within its limit, an amount that must not
//! be negative. Shared by the operations whose inputs take them.

use rust_decimal::Decimal;
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use super::Patch;
use crate::access::Actor;
use crate::domain::{currency, money, text};
use crate::error::{CoreError, CoreResult};
use crate::store::{Table, check_reference};

/// A nullable reference of an update: `Keep` keeps `current`, `Clear`
/// clears, a new id must be a live record of `T` in the workspace
/// (otherwise `field` is refused).
pub async fn changed_reference<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    change: Patch<Uuid>,
    current: Option<Uuid>,
    field: &str,
) -> CoreResult<Option<Uuid>> {
    if let Patch::Set(id) = change {
        check_reference::<T>(txn, actor, Some(id), field).await?;
    }
    Ok(change.apply(current))
}

/// A nullable text of an update: `Keep` keeps `current`, `Clear` clears,
/// a new text is checked like on create (at most `max` characters).
pub fn edited_text(
    change: Patch<String>,
    current: &Option<String>,
    max: usize,
    field: &str,
) -> CoreResult<Option<String>> {
    let value = change.apply(current.clone());
    text::optional_text(value.as_deref(), max).map_err(CoreError::invalid(field))
}

/// An amount that must not be negative (a goal's quota, a campaign's spend)
/// in `raw_currency`: the normalised currency code and the stored amount;
/// `field` names the amount in a refusal.
pub fn non_negative_amount(
    amount: Decimal,
    raw_currency: &str,
    field: &str,
) -> CoreResult<(String, i64)> {
    let code =
        currency::normalize_currency(raw_currency).map_err(CoreError::invalid("input.currency"))?;
    if amount.is_sign_negative() {
        return Err(CoreError::bad_input(field, "must not be negative"));
    }
    let stored = money::amount_e4(amount, &code).map_err(CoreError::invalid(field))?;
    Ok((code, stored))
}
