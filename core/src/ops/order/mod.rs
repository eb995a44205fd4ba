//! Orders: what contacts and companies bought. Lifetime value and revenue
//! figures are sums over placed ones; carts feed the abandoned-cart rate.

pub mod lines;
pub mod status;

use crate::store::Fresh;
use chrono::{DateTime, SubsecRound, Utc};
use entity::enums::OrderStatus;
use entity::{company, contact, customer_order};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use uuid::Uuid;

use self::lines::NewLine;
use super::lifecycle::delete_or_restore;
use crate::access::{Actor, Area};
use crate::domain::{currency, money, text};
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::rules::stored_figures::{self, Inputs, Owners};
use crate::store::{
    Core, check_reference, check_version, event_for_new, load_live, now, save_if_unchanged,
};

/// Longest product name.
const PRODUCT_MAX: usize = 200;

/// A new order, by a contact, a company, or a contact of a company.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub contact_id: Option<Uuid>,
    /// Defaults to the contact's company.
    pub company_id: Option<Uuid>,
    /// What was bought, in words: required without lines; with lines,
    /// defaults to their products' names.
    pub product: Option<String>,
    /// At least 1; defaults to 1. Not with lines (theirs add up).
    pub quantity: Option<i32>,
    /// The order's total, at most as many decimals as the currency has:
    /// required without lines, refused with them (their totals add up).
    pub amount: Option<Decimal>,
    pub currency: String,
    /// Defaults to now.
    pub ordered_at: Option<DateTime<Utc>>,
    /// Defaults to `PLACED`.
    pub status: Option<OrderStatus>,
    /// When the order began as a cart: defaults to `ordered_at` for a cart
    /// and to none (placed directly) otherwise.
    pub cart_started_at: Option<DateTime<Utc>>,
    /// Catalogue products bought; none for an order known only by its
    /// product text (other systems' history).
    pub lines: Vec<NewLine>,
}

/// Changes to an order; `None` fields stay. An amount needs no currency
/// unless the currency changes too.
#[derive(Debug, Clone, Default)]
pub struct OrderChanges {
    pub product: Option<String>,
    pub quantity: Option<i32>,
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    pub ordered_at: Option<DateTime<Utc>>,
    /// A move along the order's life (see [`status::may_become`]). A cart
    /// placed without a new `ordered_at` is placed now.
    pub status: Option<OrderStatus>,
    /// The whole set of lines (the amount and quantity follow them); an
    /// empty set leaves the order without lines, at its current amount.
    pub lines: Option<Vec<NewLine>>,
}

/// Records an order.
pub async fn create(
    core: &Core,
    actor: &Actor,
    new: NewOrder,
) -> CoreResult<customer_order::Model> {
    core.alone(actor, async |txn| create_in(txn, actor, new).await)
        .await
}

/// Records an order in the caller's transaction and returns it with its
/// `order.created` event, for the caller to commit (imports).
pub async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    new: NewOrder,
) -> CoreResult<(customer_order::Model, NewEvent)> {
    actor.require(Area::Orders)?;
    let code = currency::normalize_currency(&new.currency)
        .map_err(CoreError::invalid("input.currency"))?;
    let given_product = new.product.as_deref().map(check_product).transpose()?;
    let (product, quantity, amount_e4, checked) = if new.lines.is_empty() {
        let product = given_product.ok_or_else(|| {
            CoreError::bad_input("input.product", "give the product, or the order's lines")
        })?;
        let amount = new.amount.ok_or_else(|| {
            CoreError::bad_input("input.amount", "give the amount, or the order's lines")
        })?;
        let amount_e4 =
            money::amount_e4(amount, &code).map_err(CoreError::invalid("input.amount"))?;
        let quantity = check_quantity(new.quantity.unwrap_or(1))?;
        (product, quantity, amount_e4, Vec::new())
    } else {
        refuse_beside_lines(new.amount.is_some(), new.quantity.is_some(), false)?;
        let checked = lines::check(txn, actor.workspace_id, new.lines, &code, &[]).await?;
        let totals = lines::totals(&checked)?;
        let product = given_product.unwrap_or(totals.product_text);
        (product, totals.quantity, totals.amount_e4, checked)
    };
    let (contact_id, company_id) = buyer(txn, actor, new.contact_id, new.company_id).await?;
    let at = now();
    let ordered_at = new.ordered_at.map_or(at, |t| t.trunc_subsecs(6));
    let order_status = new.status.unwrap_or(OrderStatus::Placed);
    let cart_started_at = status::cart_start(
        order_status,
        new.cart_started_at.map(|t| t.trunc_subsecs(6)),
        ordered_at,
    )?;
    let row = customer_order::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        contact_id: Set(contact_id),
        company_id: Set(company_id),
        product: Set(product),
        quantity: Set(quantity),
        amount_e4: Set(amount_e4),
        currency: Set(code),
        ordered_at: Set(ordered_at),
        status: Set(order_status),
        cart_started_at: Set(cart_started_at),
        ..Default::default()
    }
    .fresh(at)
    .insert(txn)
    .await?;
    lines::replace(txn, actor.workspace_id, row.id, &checked).await?;
    let owners = Owners::of(row.contact_id, row.company_id);
    let inputs = [Inputs::Orders, Inputs::Customer];
    stored_figures::refresh(txn, actor.workspace_id, &owners, &inputs).await?;
    let event = event_for_new::<customer_order::Entity>(&row, "created")?;
    Ok((row, event))
}

/// Changes order `id`; with `expected_version`, refuses (`CONFLICT`) if it
/// changed since.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: OrderChanges,
    expected_version: Option<i32>,
) -> CoreResult<customer_order::Model> {
    actor.require(Area::Orders)?;
    let txn = core.begin().await?;
    let current = load_live::<customer_order::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let mut change = <customer_order::ActiveModel as Default>::default();
    if let Some(product) = &changes.product {
        change.product = Set(check_product(product)?);
    }
    let on_order = lines::products_on(&txn, actor.workspace_id, id).await?;
    let new_lines = changes.lines.clone().filter(|given| !given.is_empty());
    if let Some(given) = new_lines {
        refuse_beside_lines(changes.amount.is_some(), changes.quantity.is_some(), false)?;
        let code = match &changes.currency {
            Some(raw) => {
                currency::normalize_currency(raw).map_err(CoreError::invalid("input.currency"))?
            }
            None => current.currency.clone(),
        };
        let checked = lines::check(&txn, actor.workspace_id, given, &code, &on_order).await?;
        let totals = lines::totals(&checked)?;
        lines::replace(&txn, actor.workspace_id, id, &checked).await?;
        change.amount_e4 = Set(totals.amount_e4);
        change.quantity = Set(totals.quantity);
        change.currency = Set(code);
        if changes.product.is_none() {
            change.product = Set(totals.product_text);
        }
    } else {
        let dropping = changes.lines.is_some();
        if !on_order.is_empty() && !dropping {
            let currency = changes.currency.is_some();
            refuse_beside_lines(
                changes.amount.is_some(),
                changes.quantity.is_some(),
                currency,
            )?;
        }
        if dropping {
            lines::replace(&txn, actor.workspace_id, id, &[]).await?;
        }
        amount_and_quantity(&mut change, &current, &changes)?;
    }
    if let Some(at) = changes.ordered_at {
        change.ordered_at = Set(at.trunc_subsecs(6));
    }
    if let Some(to) = changes.status {
        status::check_transition(current.status, to, "input.status")?;
        change.status = Set(to);
        // A cart placed now, unless the change says when.
        if status::is_cart(current.status) && !status::is_cart(to) && changes.ordered_at.is_none() {
            change.ordered_at = Set(now());
        }
    }
    change.version = Set(current.version + 1);
    change.updated_at = Set(now());
    let row = save_if_unchanged::<customer_order::Entity>(&txn, actor, id, current.version, change)
        .await?;
    let owners = Owners::of(row.contact_id, row.company_id);
    let inputs = [Inputs::Orders, Inputs::Customer];
    stored_figures::refresh(&txn, actor.workspace_id, &owners, &inputs).await?;
    core.finish::<customer_order::Entity>(txn, actor, row, "updated")
        .await
}

/// Soft-deletes (`delete`) or restores order `id`: sums and lists leave a
/// deleted order out.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<customer_order::Model> {
    delete_or_restore::<customer_order::Entity>(
        core,
        actor,
        Area::Orders,
        id,
        expected_version,
        delete,
    )
    .await
}

/// Sets an order's amount, currency and quantity without lines: an amount
/// needs no currency unless the currency changes too.
fn amount_and_quantity(
    change: &mut customer_order::ActiveModel,
    current: &customer_order::Model,
    changes: &OrderChanges,
) -> CoreResult<()> {
    if let Some(quantity) = changes.quantity {
        change.quantity = Set(check_quantity(quantity)?);
    }
    if changes.amount.is_none() && changes.currency.is_none() {
        return Ok(());
    }
    let code = match &changes.currency {
        Some(raw) => {
            currency::normalize_currency(raw).map_err(CoreError::invalid("input.currency"))?
        }
        None => current.currency.clone(),
    };
    let amount = changes
        .amount
        .unwrap_or_else(|| money::from_e4(current.amount_e4, &current.currency));
    // A kept amount that the new currency cannot hold is the currency's fault.
    let field = if changes.amount.is_some() {
        "input.amount"
    } else {
        "input.currency"
    };
    change.amount_e4 = Set(money::amount_e4(amount, &code).map_err(CoreError::invalid(field))?);
    change.currency = Set(code);
    Ok(())
}

/// Refuses what an order's lines decide: its amount, its quantity, and (for
/// lines already priced) its currency.
fn refuse_beside_lines(amount: bool, quantity: bool, currency: bool) -> CoreResult<()> {
    let field = match (amount, quantity, currency) {
        (true, _, _) => "input.amount",
        (_, true, _) => "input.quantity",
        (_, _, true) => "input.currency",
        _ => return Ok(()),
    };
    Err(CoreError::bad_input(
        field,
        "an order with lines takes this from them: give the lines instead",
    ))
}

fn check_product(raw: &str) -> CoreResult<String> {
    text::required_name(raw, PRODUCT_MAX).map_err(CoreError::invalid("input.product"))
}

fn check_quantity(quantity: i32) -> CoreResult<i32> {
    if quantity < 1 {
        return Err(CoreError::bad_input("input.quantity", "must be at least 1"));
    }
    Ok(quantity)
}

/// The buyer: the contact and company given, the contact's company by
/// default, and never a contact of another company.
async fn buyer(
    txn: &DatabaseTransaction,
    actor: &Actor,
    contact_id: Option<Uuid>,
    company_id: Option<Uuid>,
) -> CoreResult<(Option<Uuid>, Option<Uuid>)> {
    let contact =
        check_reference::<contact::Entity>(txn, actor, contact_id, "input.contactId").await?;
    check_reference::<company::Entity>(txn, actor, company_id, "input.companyId").await?;
    let company_id = match (&contact, company_id) {
        (Some(c), Some(given)) if c.company_id.is_some_and(|own| own != given) => {
            return Err(CoreError::bad_input(
                "input.companyId",
                "the contact works for another company",
            ));
        }
        (Some(c), None) => c.company_id,
        (_, given) => given,
    };
    if contact_id.is_none() && company_id.is_none() {
        return Err(CoreError::bad_input(
            "input",
            "give the contact or the company that bought",
        ));
    }
    Ok((contact_id, company_id))
}
