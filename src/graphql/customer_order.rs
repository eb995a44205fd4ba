//! Orders: what contacts and companies bought. Lifetime value and revenue
//! figures are sums over them.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, SubsecRound, Utc};
use entity::customer_order;
use rapport_macros::connections;
use rust_decimal::Decimal;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use uuid::Uuid;

use super::company::Company;
use super::contact::Contact;
use super::context::writer;
use super::error::{ApiError, ApiResult};
use super::filter::{
    DateTimeFilter, DecimalFilter, IdFilter, RecordFilter, StringFilter, col,
    record_filter_composition,
};
use super::ids::{self, Kind};
use super::level::{Conn, Level, Row};
use super::list::{self, ListArgs, Record};
use super::order::{Ordering, newest_first};
use super::page::{KeyType, PageArgs, SortKey};
use super::write::{
    self, begin, check_reference, check_version, commit, event_for, load_live, now,
};
use crate::auth::{Actor, Area};
use crate::domain::{currency, money, text};

/// Longest product name.
const PRODUCT_MAX: usize = 200;

/// A purchase.
pub struct Order(pub Row<customer_order::Model>);

impl Record for Order {
    type Entity = customer_order::Entity;
    type Model = customer_order::Model;
    fn wrap(row: Row<customer_order::Model>) -> Self {
        Self(row)
    }
}

/// Fields orders can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderOrderField {
    OrderedAt,
    Amount,
    CreatedAt,
}

impl OrderOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::OrderedAt => ("ordered_at", KeyType::Timestamp),
            Self::Amount => ("amount_e4", KeyType::BigInt),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "customer_order",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: newest first).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        newest_first(order_by, "customer_order", Self::key, Self::OrderedAt)
    }
}

/// Which orders to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct OrderFilter {
    pub and: Option<Vec<OrderFilter>>,
    pub or: Option<Vec<OrderFilter>>,
    pub not: Option<Box<OrderFilter>>,
    pub id: Option<IdFilter>,
    pub contact_id: Option<IdFilter>,
    pub company_id: Option<IdFilter>,
    pub product: Option<StringFilter>,
    /// Compares nominal amounts, whatever the currency.
    pub amount: Option<DecimalFilter>,
    pub currency: Option<StringFilter>,
    pub ordered_at: Option<DateTimeFilter>,
}

impl RecordFilter for OrderFilter {
    fn fields(&self, _workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("customer_order", name);
        let mut all = Condition::all();
        let references = [
            (&self.id, "id", Kind::Order, "filter.id"),
            (
                &self.contact_id,
                "contact_id",
                Kind::Contact,
                "filter.contactId",
            ),
            (
                &self.company_id,
                "company_id",
                Kind::Company,
                "filter.companyId",
            ),
        ];
        for (filter, column, kind, field) in references {
            if let Some(f) = filter {
                all = all.add(f.condition(c(column), kind, field)?);
            }
        }
        for (filter, column) in [(&self.product, "product"), (&self.currency, "currency")] {
            if let Some(f) = filter {
                all = all.add(f.condition(c(column), backend));
            }
        }
        if let Some(f) = &self.amount {
            all = all.add(f.condition(c("amount_e4"), "filter.amount")?);
        }
        if let Some(f) = &self.ordered_at {
            all = all.add(f.condition(c("ordered_at")));
        }
        Ok(all)
    }
    record_filter_composition!();
}

/// A purchase by a contact or a company.
#[Object]
impl Order {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Order, self.0.model().id)
    }
    async fn product(&self) -> &str {
        &self.0.model().product
    }
    async fn quantity(&self) -> i32 {
        self.0.model().quantity
    }
    /// The order's total, in `currency`.
    async fn amount(&self) -> Decimal {
        let m = self.0.model();
        money::from_e4(m.amount_e4, &m.currency)
    }
    /// ISO 4217 code of `amount`.
    async fn currency(&self) -> &str {
        &self.0.model().currency
    }
    async fn ordered_at(&self) -> DateTime<Utc> {
        self.0.model().ordered_at
    }
    /// Incremented by every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.model().version
    }
    /// Set while the order is deleted (it can be restored).
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().deleted_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.model().updated_at
    }
    /// Who bought.
    async fn contact(&self, ctx: &Context<'_>) -> ApiResult<Option<Contact>> {
        list::referenced(ctx, &self.0, "contact", |m: &customer_order::Model| {
            m.contact_id
        })
        .await
    }
    /// The company that bought, or the buyer's company.
    async fn company(&self, ctx: &Context<'_>) -> ApiResult<Option<Company>> {
        list::referenced(ctx, &self.0, "company", |m: &customer_order::Model| {
            m.company_id
        })
        .await
    }
}

/// A new order, by a contact, a company, or a contact of a company.
#[derive(InputObject)]
pub struct CreateOrderInput {
    pub contact_id: Option<ID>,
    /// Defaults to the contact's company.
    pub company_id: Option<ID>,
    pub product: String,
    /// At least 1; defaults to 1.
    pub quantity: Option<i32>,
    /// The order's total, at most as many decimals as the currency has.
    pub amount: Decimal,
    pub currency: String,
    /// Defaults to now.
    pub ordered_at: Option<DateTime<Utc>>,
}

/// Changes to an order; omitted fields stay. An amount needs no currency
/// unless the currency changes too.
#[derive(InputObject, Default)]
pub struct UpdateOrderInput {
    pub product: Option<String>,
    pub quantity: Option<i32>,
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    pub ordered_at: Option<DateTime<Utc>>,
}

/// The result of an order mutation.
#[derive(SimpleObject)]
pub struct OrderPayload {
    pub order: Order,
}

fn payload(row: customer_order::Model) -> OrderPayload {
    OrderPayload {
        order: Order(Level::single(row)),
    }
}

fn check_quantity(quantity: i32) -> ApiResult<i32> {
    if quantity < 1 {
        return Err(ApiError::bad_input("input.quantity", "must be at least 1"));
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
) -> ApiResult<(Option<Uuid>, Option<Uuid>)> {
    let contact = check_reference::<Contact>(txn, actor, contact_id, "input.contactId").await?;
    check_reference::<Company>(txn, actor, company_id, "input.companyId").await?;
    let company_id = match (&contact, company_id) {
        (Some(c), Some(given)) if c.company_id.is_some_and(|own| own != given) => {
            return Err(ApiError::bad_input(
                "input.companyId",
                "the contact works for another company",
            ));
        }
        (Some(c), None) => c.company_id,
        (_, given) => given,
    };
    if contact_id.is_none() && company_id.is_none() {
        return Err(ApiError::bad_input(
            "input",
            "give the contact or the company that bought",
        ));
    }
    Ok((contact_id, company_id))
}

/// Order mutations.
#[derive(Default)]
pub struct OrderMutation;

#[Object]
impl OrderMutation {
    /// Records an order.
    async fn create_order(
        &self,
        ctx: &Context<'_>,
        input: CreateOrderInput,
    ) -> ApiResult<OrderPayload> {
        let actor = writer(ctx, Area::Orders)?;
        let product = text::required_name(&input.product, PRODUCT_MAX)
            .map_err(ApiError::invalid("input.product"))?;
        let quantity = check_quantity(input.quantity.unwrap_or(1))?;
        let code = currency::normalize_currency(&input.currency)
            .map_err(ApiError::invalid("input.currency"))?;
        let amount_e4 =
            money::amount_e4(input.amount, &code).map_err(ApiError::invalid("input.amount"))?;
        let contact_id =
            ids::decode_opt(input.contact_id.as_ref(), Kind::Contact, "input.contactId")?;
        let company_id =
            ids::decode_opt(input.company_id.as_ref(), Kind::Company, "input.companyId")?;
        let txn = begin(ctx).await?;
        let (contact_id, company_id) = buyer(&txn, actor, contact_id, company_id).await?;
        let at = now();
        let row = customer_order::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            contact_id: Set(contact_id),
            company_id: Set(company_id),
            product: Set(product),
            quantity: Set(quantity),
            amount_e4: Set(amount_e4),
            currency: Set(code),
            ordered_at: Set(input.ordered_at.map_or(at, |t| t.trunc_subsecs(6))),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        let event = event_for::<Order>(&row, "created")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Changes an order. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_order(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateOrderInput,
        expected_version: Option<i32>,
    ) -> ApiResult<OrderPayload> {
        let actor = writer(ctx, Area::Orders)?;
        let id = ids::decode(&id, Kind::Order, "id")?;
        let txn = begin(ctx).await?;
        let current = load_live::<Order>(&txn, actor, id).await?;
        check_version(expected_version, current.version)?;
        let mut change = <customer_order::ActiveModel as Default>::default();
        if let Some(product) = &input.product {
            change.product = Set(text::required_name(product, PRODUCT_MAX)
                .map_err(ApiError::invalid("input.product"))?);
        }
        if let Some(quantity) = input.quantity {
            change.quantity = Set(check_quantity(quantity)?);
        }
        if input.amount.is_some() || input.currency.is_some() {
            let code = match &input.currency {
                Some(raw) => currency::normalize_currency(raw)
                    .map_err(ApiError::invalid("input.currency"))?,
                None => current.currency.clone(),
            };
            let amount = input
                .amount
                .unwrap_or_else(|| money::from_e4(current.amount_e4, &current.currency));
            let field = if input.amount.is_some() {
                "input.amount"
            } else {
                "input.currency"
            };
            change.amount_e4 =
                Set(money::amount_e4(amount, &code).map_err(ApiError::invalid(field))?);
            change.currency = Set(code);
        }
        if let Some(at) = input.ordered_at {
            change.ordered_at = Set(at.trunc_subsecs(6));
        }
        change.version = Set(current.version + 1);
        change.updated_at = Set(now());
        let row =
            write::save_if_unchanged::<Order>(&txn, actor, id, current.version, change).await?;
        let event = event_for::<Order>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Soft-deletes an order: sums and lists leave it out; `restoreOrder` brings it back.
    async fn delete_order(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<OrderPayload> {
        let actor = writer(ctx, Area::Orders)?;
        let order = write::delete_or_restore(ctx, actor, &id, expected_version, true).await?;
        Ok(OrderPayload { order })
    }

    /// Restores a deleted order.
    async fn restore_order(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<OrderPayload> {
        let actor = writer(ctx, Area::Orders)?;
        let order = write::delete_or_restore(ctx, actor, &id, expected_version, false).await?;
        Ok(OrderPayload { order })
    }
}

/// Order queries.
#[derive(Default)]
pub struct OrderQuery;

#[connections]
#[Object]
impl OrderQuery {
    /// The workspace's orders (newest first unless `orderBy` says otherwise).
    listing!(orders: Order, OrderFilter, OrderOrderField);
}

/// The orders of each row of a level, by `foreign_key` (`contact_id` or `company_id`).
#[allow(clippy::too_many_arguments)]
pub async fn orders_of<P: Send + Sync + 'static>(
    ctx: &Context<'_>,
    parent: &Row<P>,
    field: &str,
    parent_id: fn(&P) -> Uuid,
    foreign_key: &'static str,
    page: PageArgs,
    filter: Option<OrderFilter>,
    order_by: Option<Vec<Ordering<OrderOrderField>>>,
) -> ApiResult<Conn<Order>> {
    let args = ListArgs {
        page,
        filter: filter.as_ref(),
        keys: OrderOrderField::keys(order_by.as_deref())?,
        extra: Condition::all(),
    };
    list::children(ctx, parent, field, parent_id, foreign_key, args).await
}
