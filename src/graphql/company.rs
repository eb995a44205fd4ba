//! Companies: the organisations a workspace sells to and supports.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::company;
use entity::enums::TaggableType;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Condition, ExprTrait};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::activity::{Activity, ActivityFilter, ActivityOrderField};
use super::calculated::{Figure, FiguresFilter, Of};
use super::contact::{Contact, ContactFilter, ContactOrderField};
use super::context::{actor, writer};
use super::deal::{Deal, DealFilter, DealOrderField};
use super::error::{ApiError, ApiResult};
use super::filter::{
    DateFilter, DateTimeFilter, DecimalFilter, IdFilter, IntFilter, RecordFilter, StringFilter,
    TagFilter, col, record_filter_composition,
};
use super::ids::{self, Kind};
use super::level::{Conn, Level, Row};
use super::list::{self, ListArgs, Record};
use super::member::Member;
use super::order::{Ordering, sort_keys};
use super::page::{KeyType, PageArgs, SortKey};
use super::tag::{Tag, tags_of};
use super::ticket::{Ticket, TicketFilter, TicketOrderField};
use super::write::{
    self, begin, check_reference, check_version, commit, event_for, expect_one_row, load_live,
    merged, now,
};
use crate::auth::Area;
use crate::domain::{currency, money, text};

/// A customer organisation.
pub struct Company(pub Row<company::Model>);

impl Record for Company {
    type Entity = company::Entity;
    type Model = company::Model;
    fn wrap(row: Row<company::Model>) -> Self {
        Self(row)
    }
}

/// Fields companies can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompanyOrderField {
    Name,
    EmployeeCount,
    AnnualRevenue,
    CreatedAt,
    UpdatedAt,
    /// Calculated: live tickets.
    TicketCount,
    /// Calculated: tickets OPEN or PENDING.
    OpenTicketCount,
    /// Calculated: the latest ticket's opening (none last).
    LastTicketAt,
    /// Calculated (none last).
    LatestNps,
    /// Calculated (none last).
    LatestCsat,
    /// Calculated: Σ of orders by nominal amount.
    LifetimeValue,
    /// Calculated: 0–100.
    ChurnRisk,
    /// Calculated: mean hours to resolve tickets (none last).
    AverageResolutionHours,
    /// The highest lead score of its contacts.
    LeadScore,
}

impl CompanyOrderField {
    fn key(self) -> SortKey {
        let figure = match self {
            Self::TicketCount => Figure::TicketCount(Of::Company),
            Self::OpenTicketCount => Figure::OpenTicketCount(Of::Company),
            Self::LastTicketAt => Figure::LastTicketAt(Of::Company),
            Self::LatestNps => Figure::LatestNps(Of::Company),
            Self::LatestCsat => Figure::LatestCsat(Of::Company),
            Self::LifetimeValue => Figure::LifetimeValue(Of::Company),
            Self::ChurnRisk => Figure::ChurnRisk(Of::Company),
            Self::AverageResolutionHours => Figure::AverageResolution(Of::Company),
            Self::LeadScore => Figure::CompanyLeadScore,
            _ => return self.column_key(),
        };
        SortKey::calculated("company", figure)
    }

    fn column_key(self) -> SortKey {
        let (column, ty, nullable) = match self {
            Self::Name => ("name", KeyType::Text, false),
            Self::EmployeeCount => ("employee_count", KeyType::Int, true),
            Self::AnnualRevenue => ("annual_revenue_e4", KeyType::BigInt, true),
            Self::CreatedAt => ("created_at", KeyType::Timestamp, false),
            Self::UpdatedAt => ("updated_at", KeyType::Timestamp, false),
            // Calculated fields are keyed by `key`.
            _ => ("id", KeyType::Uuid, false),
        };
        SortKey {
            table: "company",
            column,
            ty,
            nullable,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: oldest first).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(order_by, "company", Self::key, &[SortKey::id("company")])
    }
}

/// Which companies to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CompanyFilter {
    pub and: Option<Vec<CompanyFilter>>,
    pub or: Option<Vec<CompanyFilter>>,
    pub not: Option<Box<CompanyFilter>>,
    pub id: Option<IdFilter>,
    pub name: Option<StringFilter>,
    pub domain: Option<StringFilter>,
    pub industry: Option<StringFilter>,
    pub employee_count: Option<IntFilter>,
    /// Compared by nominal amount, whatever the currency.
    pub annual_revenue: Option<DecimalFilter>,
    pub city: Option<StringFilter>,
    pub country: Option<StringFilter>,
    pub owner_id: Option<IdFilter>,
    pub created_at: Option<DateTimeFilter>,
    pub updated_at: Option<DateTimeFilter>,
    pub tags: Option<TagFilter>,
    /// Conditions on the calculated figures.
    pub figures: Option<FiguresFilter>,
    /// The highest lead score among its contacts.
    pub lead_score: Option<IntFilter>,
    pub current_vendor: Option<StringFilter>,
    pub vendor_contract_ends_on: Option<DateFilter>,
    /// When the customer left; `{ isNull: true }` for current customers and prospects.
    pub churned_at: Option<DateTimeFilter>,
    pub exit_reason: Option<StringFilter>,
}

impl RecordFilter for CompanyFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("company", name);
        let mut all = Condition::all();
        let strings = [
            (&self.name, "name"),
            (&self.domain, "domain"),
            (&self.industry, "industry"),
            (&self.city, "city"),
            (&self.country, "country"),
            (&self.current_vendor, "current_vendor"),
            (&self.exit_reason, "exit_reason"),
        ];
        for (filter, column) in strings {
            if let Some(f) = filter {
                all = all.add(f.condition(c(column), backend));
            }
        }
        if let Some(f) = &self.id {
            all = all.add(f.condition(c("id"), Kind::Company, "filter.id")?);
        }
        if let Some(f) = &self.owner_id {
            all = all.add(f.condition(c("owner_id"), Kind::Member, "filter.ownerId")?);
        }
        if let Some(f) = &self.employee_count {
            all = all.add(f.condition(c("employee_count")));
        }
        if let Some(f) = &self.annual_revenue {
            all = all.add(f.condition(c("annual_revenue_e4"), "filter.annualRevenue")?);
        }
        if let Some(f) = &self.created_at {
            all = all.add(f.condition(c("created_at")));
        }
        if let Some(f) = &self.updated_at {
            all = all.add(f.condition(c("updated_at")));
        }
        if let Some(f) = &self.vendor_contract_ends_on {
            all = all.add(f.condition(c("vendor_contract_ends_on")));
        }
        if let Some(f) = &self.churned_at {
            all = all.add(f.condition(c("churned_at")));
        }
        if let Some(f) = &self.tags {
            all = all.add(f.condition(workspace_id, TaggableType::Company, c("id")));
        }
        if let Some(f) = &self.figures {
            all = all.add(f.condition(Of::Company, backend)?);
        }
        if let Some(f) = &self.lead_score {
            all = all.add(f.condition(Figure::CompanyLeadScore.expr(backend)));
        }
        Ok(all)
    }
    record_filter_composition!();
}

/// A customer organisation: who it is and what it is like.
#[Object]
impl Company {
    /// Support figures: ticket count, open tickets, last ticket, mean resolution time.
    async fn ticket_stats(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<crate::graphql::insight::TicketFigures> {
        crate::graphql::insight::tickets(ctx, &self.0, |m: &company::Model| m.id, "company_id")
            .await
    }
    /// Order figures: count, lifetime value per currency, last order.
    async fn order_stats(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<crate::graphql::insight::OrderFigures> {
        crate::graphql::insight::orders(ctx, &self.0, |m: &company::Model| m.id, "company_id").await
    }
    /// The latest NPS and CSAT answers of the company's contacts.
    async fn satisfaction(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<crate::graphql::insight::SatisfactionFigures> {
        crate::graphql::insight::satisfaction(ctx, &self.0, |m: &company::Model| m.id, true).await
    }
    /// Orders recorded for the company (an order by one of its contacts counts for the company it had then), newest first.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<crate::graphql::customer_order::OrderFilter>,
        order_by: Option<
            Vec<crate::graphql::order::Ordering<crate::graphql::customer_order::OrderOrderField>>,
        >,
    ) -> ApiResult<Conn<crate::graphql::customer_order::Order>> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        crate::graphql::customer_order::orders_of(
            ctx,
            &self.0,
            "orders",
            |m: &company::Model| m.id,
            "company_id",
            page,
            filter,
            order_by,
        )
        .await
    }
    /// Who changed it, when and how, newest first (ADMIN and MANAGER).
    #[graphql(complexity = "crate::graphql::page::cost(first, None, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<
        async_graphql::connection::Connection<
            String,
            crate::graphql::history::HistoryEntry,
            async_graphql::connection::EmptyFields,
            async_graphql::connection::EmptyFields,
        >,
    > {
        crate::graphql::history::history(
            ctx,
            crate::graphql::ids::Kind::Company,
            self.0.model().id,
            first,
            after,
        )
        .await
    }
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Company, self.0.model().id)
    }
    /// The company's name.
    async fn name(&self) -> &str {
        &self.0.model().name
    }
    /// Its web domain, lower-cased, without scheme or path.
    async fn domain(&self) -> Option<&str> {
        self.0.model().domain.as_deref()
    }
    /// Its industry.
    async fn industry(&self) -> Option<&str> {
        self.0.model().industry.as_deref()
    }
    /// How many people it employs.
    async fn employee_count(&self) -> Option<i32> {
        self.0.model().employee_count
    }
    /// Yearly revenue, in `annualRevenueCurrency`.
    async fn annual_revenue(&self) -> Option<Decimal> {
        let m = self.0.model();
        m.annual_revenue_e4
            .map(|v| money::from_e4(v, m.annual_revenue_currency.as_deref().unwrap_or("USD")))
    }
    /// ISO 4217 code of `annualRevenue`.
    async fn annual_revenue_currency(&self) -> Option<&str> {
        self.0.model().annual_revenue_currency.as_deref()
    }
    /// City of its main office.
    async fn city(&self) -> Option<&str> {
        self.0.model().city.as_deref()
    }
    /// 0–100, higher is riskier, over the company's contacts' answers, its
    /// tickets and its orders; the README has the formula.
    async fn churn_risk(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let figure = Figure::ChurnRisk(Of::Company);
        let value = crate::graphql::calculated::load(
            ctx,
            &self.0,
            |m: &company::Model| m.id,
            Of::Company,
            figure,
        )
        .await?;
        Ok(value.unwrap_or_default())
    }
    /// The highest lead score among its contacts; null without contacts.
    async fn lead_score(&self, ctx: &Context<'_>) -> ApiResult<Option<i64>> {
        crate::graphql::calculated::load(
            ctx,
            &self.0,
            |m: &company::Model| m.id,
            Of::Company,
            Figure::CompanyLeadScore,
        )
        .await
    }
    /// The competitor it buys from today.
    async fn current_vendor(&self) -> Option<&str> {
        self.0.model().current_vendor.as_deref()
    }
    /// When its contract with `currentVendor` ends.
    async fn vendor_contract_ends_on(&self) -> Option<chrono::NaiveDate> {
        self.0.model().vendor_contract_ends_on
    }
    /// When it stopped being a customer; null while it is one.
    async fn churned_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().churned_at
    }
    /// Why it left: a CUSTOMER_EXIT reason code.
    async fn exit_reason(&self) -> Option<&str> {
        self.0.model().exit_reason.as_deref()
    }
    /// ISO 3166-1 alpha-2 country of its main office.
    async fn country(&self) -> Option<&str> {
        self.0.model().country.as_deref()
    }
    /// The member responsible for the account.
    async fn owner(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "owner", |m: &company::Model| m.owner_id).await
    }
    /// Incremented by every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.model().version
    }
    /// Set while the company is deleted (it can be restored).
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().deleted_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.model().updated_at
    }
    /// Its tags.
    async fn tags(&self, ctx: &Context<'_>) -> ApiResult<Vec<Tag>> {
        tags_of(ctx, &self.0, TaggableType::Company, |m: &company::Model| {
            m.id
        })
        .await
    }
    /// The people who work there.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ContactFilter>,
        order_by: Option<Vec<Ordering<ContactOrderField>>>,
    ) -> ApiResult<Conn<Contact>> {
        let args = ListArgs {
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
            filter: filter.as_ref(),
            keys: ContactOrderField::keys(order_by.as_deref())?,
            extra: Condition::all(),
        };
        list::children(
            ctx,
            &self.0,
            "contacts",
            |m: &company::Model| m.id,
            "company_id",
            args,
        )
        .await
    }
    /// Its deals.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn deals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<DealFilter>,
        order_by: Option<Vec<Ordering<DealOrderField>>>,
    ) -> ApiResult<Conn<Deal>> {
        let args = ListArgs {
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
            filter: filter.as_ref(),
            keys: DealOrderField::keys(order_by.as_deref())?,
            extra: Condition::all(),
        };
        list::children(
            ctx,
            &self.0,
            "deals",
            |m: &company::Model| m.id,
            "company_id",
            args,
        )
        .await
    }
    /// Its support tickets.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<TicketFilter>,
        order_by: Option<Vec<Ordering<TicketOrderField>>>,
    ) -> ApiResult<Conn<Ticket>> {
        let args = ListArgs {
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
            filter: filter.as_ref(),
            keys: TicketOrderField::keys(order_by.as_deref())?,
            extra: Condition::all(),
        };
        list::children(
            ctx,
            &self.0,
            "tickets",
            |m: &company::Model| m.id,
            "company_id",
            args,
        )
        .await
    }
    /// Its timeline: notes, calls, emails, meetings and tasks.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ActivityFilter>,
        order_by: Option<Vec<Ordering<ActivityOrderField>>>,
    ) -> ApiResult<Conn<Activity>> {
        let args = ListArgs {
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
            filter: filter.as_ref(),
            keys: ActivityOrderField::keys(order_by.as_deref())?,
            extra: Condition::all(),
        };
        list::children(
            ctx,
            &self.0,
            "activities",
            |m: &company::Model| m.id,
            "company_id",
            args,
        )
        .await
    }
}

/// A new company.
#[derive(InputObject)]
pub struct CreateCompanyInput {
    pub name: String,
    /// A domain or website URL; stored as the bare domain.
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    pub annual_revenue: Option<Decimal>,
    /// ISO 4217; required with `annualRevenue`.
    pub annual_revenue_currency: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub owner_id: Option<ID>,
}

/// Changes to a company; omitted fields stay, `null` clears.
#[derive(InputObject, Default)]
pub struct UpdateCompanyInput {
    pub name: Option<String>,
    pub domain: MaybeUndefined<String>,
    pub industry: MaybeUndefined<String>,
    pub employee_count: MaybeUndefined<i32>,
    pub annual_revenue: MaybeUndefined<Decimal>,
    pub annual_revenue_currency: MaybeUndefined<String>,
    pub city: MaybeUndefined<String>,
    pub country: MaybeUndefined<String>,
    pub owner_id: MaybeUndefined<ID>,
}

/// The result of a company mutation.
#[derive(SimpleObject)]
pub struct CompanyPayload {
    /// The company after the change.
    pub company: Company,
}

/// Validated descriptive fields shared by create and update.
struct CompanyFields {
    domain: Option<String>,
    industry: Option<String>,
    employee_count: Option<i32>,
    revenue: Option<(i64, String)>,
    city: Option<String>,
    country: Option<String>,
}

fn validate_fields(
    domain: Option<String>,
    industry: Option<String>,
    employee_count: Option<i32>,
    revenue: Option<Decimal>,
    revenue_currency: Option<String>,
    city: Option<String>,
    country: Option<String>,
) -> ApiResult<CompanyFields> {
    let domain = match domain.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(text::normalize_domain(d).map_err(ApiError::invalid("input.domain"))?),
        None => None,
    };
    if employee_count.is_some_and(|n| n < 0) {
        return Err(ApiError::bad_input(
            "input.employeeCount",
            "must not be negative",
        ));
    }
    let revenue = match (revenue, revenue_currency) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(ApiError::bad_input(
                "input.annualRevenueCurrency",
                "required with annualRevenue",
            ));
        }
        (Some(amount), Some(code)) => {
            let code = currency::normalize_currency(&code)
                .map_err(ApiError::invalid("input.annualRevenueCurrency"))?;
            Some((
                money::amount_e4(amount, &code)
                    .map_err(ApiError::invalid("input.annualRevenue"))?,
                code,
            ))
        }
    };
    Ok(CompanyFields {
        domain,
        industry: text::optional_text(industry.as_deref(), 100)
            .map_err(ApiError::invalid("input.industry"))?,
        employee_count,
        revenue,
        city: text::optional_text(city.as_deref(), 100).map_err(ApiError::invalid("input.city"))?,
        country: country_code(country, "input.country")?,
    })
}

/// An ISO 3166-1 alpha-2 code, upper-cased.
pub fn country_code(raw: Option<String>, field: &str) -> ApiResult<Option<String>> {
    let Some(code) = raw
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
    else {
        return Ok(None);
    };
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ApiError::bad_input(
            field,
            "must be an ISO 3166-1 alpha-2 code such as DE or US",
        ));
    }
    Ok(Some(code))
}

fn apply(model: &mut company::ActiveModel, fields: CompanyFields) {
    model.domain = Set(fields.domain);
    model.industry = Set(fields.industry);
    model.employee_count = Set(fields.employee_count);
    model.annual_revenue_e4 = Set(fields.revenue.as_ref().map(|r| r.0));
    model.annual_revenue_currency = Set(fields.revenue.map(|r| r.1));
    model.city = Set(fields.city);
    model.country = Set(fields.country);
}

/// Company mutations.
#[derive(Default)]
pub struct CompanyMutation;

#[Object]
impl CompanyMutation {
    /// Creates a company.
    async fn create_company(
        &self,
        ctx: &Context<'_>,
        input: CreateCompanyInput,
    ) -> ApiResult<CompanyPayload> {
        let actor = writer(ctx, Area::Companies)?;
        let name =
            text::required_name(&input.name, 200).map_err(ApiError::invalid("input.name"))?;
        let fields = validate_fields(
            input.domain,
            input.industry,
            input.employee_count,
            input.annual_revenue,
            input.annual_revenue_currency,
            input.city,
            input.country,
        )?;
        let owner_id = ids::decode_opt(input.owner_id.as_ref(), Kind::Member, "input.ownerId")?;
        let txn = begin(ctx).await?;
        check_reference::<Member>(&txn, actor, owner_id, "input.ownerId").await?;
        let at = now();
        let mut model = company::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            name: Set(name),
            owner_id: Set(owner_id),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        };
        apply(&mut model, fields);
        let row = model.insert(&txn).await?;
        let event = event_for::<Company>(&row, "created")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(CompanyPayload {
            company: Company(Level::single(row)),
        })
    }

    /// Changes a company. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_company(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateCompanyInput,
        expected_version: Option<i32>,
    ) -> ApiResult<CompanyPayload> {
        let actor = writer(ctx, Area::Companies)?;
        let id = ids::decode(&id, Kind::Company, "id")?;
        let txn = begin(ctx).await?;
        let current = load_live::<Company>(&txn, actor, id).await?;
        check_version(expected_version, current.version)?;
        let name = match &input.name {
            Some(name) => {
                text::required_name(name, 200).map_err(ApiError::invalid("input.name"))?
            }
            None => current.name.clone(),
        };
        let current_revenue = current.annual_revenue_e4.map(|v| {
            money::from_e4(
                v,
                current.annual_revenue_currency.as_deref().unwrap_or("USD"),
            )
        });
        let fields = validate_fields(
            merged(input.domain, current.domain.clone()),
            merged(input.industry, current.industry.clone()),
            merged(input.employee_count, current.employee_count),
            merged(input.annual_revenue, current_revenue),
            merged(
                input.annual_revenue_currency,
                current.annual_revenue_currency.clone(),
            ),
            merged(input.city, current.city.clone()),
            merged(input.country, current.country.clone()),
        )?;
        let owner_id = match input.owner_id {
            MaybeUndefined::Undefined => current.owner_id,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(owner) => {
                let owner = ids::decode(&owner, Kind::Member, "input.ownerId")?;
                check_reference::<Member>(&txn, actor, Some(owner), "input.ownerId").await?;
                Some(owner)
            }
        };
        let mut model = company::ActiveModel {
            name: Set(name),
            owner_id: Set(owner_id),
            version: Set(current.version + 1),
            updated_at: Set(now()),
            ..Default::default()
        };
        apply(&mut model, fields);
        let rows = company::Entity::update_many()
            .set(model)
            .filter(col("company", "id").eq(id))
            .filter(col("company", "version").eq(current.version))
            .exec(&txn)
            .await?
            .rows_affected;
        expect_one_row(rows)?;
        let scoring = crate::graphql::scoring::Which::Company(id);
        crate::graphql::scoring::recompute(
            &txn,
            actor.workspace_id,
            scoring,
            "company updated",
            now(),
        )
        .await?;
        let row = load_live::<Company>(&txn, actor, id).await?;
        let event = event_for::<Company>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(CompanyPayload {
            company: Company(Level::single(row)),
        })
    }

    /// Soft-deletes a company: lists skip it, `restoreCompany` brings it back.
    async fn delete_company(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<CompanyPayload> {
        let actor = writer(ctx, Area::Companies)?;
        let company = write::delete_or_restore(ctx, actor, &id, expected_version, true).await?;
        Ok(CompanyPayload { company })
    }

    /// Restores a deleted company.
    async fn restore_company(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<CompanyPayload> {
        let actor = writer(ctx, Area::Companies)?;
        let company = write::delete_or_restore(ctx, actor, &id, expected_version, false).await?;
        Ok(CompanyPayload { company })
    }
}

/// Company queries.
#[derive(Default)]
pub struct CompanyQuery;

#[Object]
impl CompanyQuery {
    /// Companies of the workspace.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn companies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CompanyFilter>,
        order_by: Option<Vec<Ordering<CompanyOrderField>>>,
    ) -> ApiResult<crate::graphql::fast::Fast<Conn<Company>>> {
        actor(ctx)?;
        let args = ListArgs {
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
            filter: filter.as_ref(),
            keys: CompanyOrderField::keys(order_by.as_deref())?,
            extra: Condition::all(),
        };
        crate::graphql::fast::top_level(ctx, args).await
    }
}
