//! Deals: amounts moving through a pipeline's stages, with their contacts
//! and stage history.
//!
//! Deal events go to the topic `pipeline:<pipeline id>`, which is what a
//! pipeline board subscribes to. The rules of every change live in the
//! core (`rapport_core::ops::deal`); here are the object, its filters
//! ([`filter`]), its stage history ([`stage_change`]), the contacts of a deal
//! ([`contacts`]) and the mutations ([`mutation`]).

pub(crate) mod contacts;
mod filter;
pub mod mutation;
mod stage_change;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::deal;
use entity::enums::{DealStatus, TaggableType};
use rapport_core::error::CoreError;
use rapport_macros::connections;
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Condition, Expr};

pub use self::contacts::{
    DealContactConnectionName, DealContactEdgeFields, DealContactEdgeName, deals_of_contact,
};
pub use self::filter::{DealFiguresFilter, DealFilter, DealOrderField};
pub use self::mutation::{
    CreateDealInput, DealContactInput, DealMutation, DealOutcome, DealPayload, UpdateDealInput,
};
pub use self::stage_change::{DealStageChange, DealStageChangeFilter};
use super::activity::{Activity, ActivityFilter, ActivityOrderField};
use super::calculated::{Figure, load};
use super::campaign::touch::{Touch, touch_of};
use super::company::Company;
use super::contact::{Contact, ContactFilter, ContactOrderField};
use super::context::{actor, db};
use super::error::{ApiError, ApiResult};
use super::filter::RecordFilter;
use super::ids::{self, Kind};
use super::level::{Conn, NamedConn, Row};
use super::list::{self, ListArgs, Record};
use super::member::Member;
use super::page::{KeyType, PageArgs, SortKey};
use super::pipeline::{Pipeline, Stage};
use super::tag::{Tag, tags_of};
use super::ticket::{Ticket, TicketFilter, TicketOrderField};
use crate::domain::money;
use crate::graphql::scalars::Date;
use rapport_core::rules::figures::whole_days_between;
use rapport_core::rules::sums;

/// A sales opportunity.
pub struct Deal(pub Row<deal::Model>);

impl Record for Deal {
    type Entity = deal::Entity;
    type Model = deal::Model;
    fn wrap(row: Row<deal::Model>) -> Self {
        Self(row)
    }
}

/// A sales opportunity: an amount moving through a pipeline's stages.
#[connections]
#[connections]
#[Object]
impl Deal {
    /// The documents kept on it, oldest first (one statement per level).
    async fn documents(
        &self,
        ctx: &Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::document::Document>> {
        let id = |m: &deal::Model| m.id;
        crate::graphql::document::documents_of(ctx, &self.0, rapport_core::Kind::Deal, id).await
    }
    /// Its ids in other systems, by source then id.
    async fn external_ids(
        &self,
        ctx: &Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::external_id::ExternalIdValue>> {
        let id = |m: &deal::Model| m.id;
        crate::graphql::external_id::external_ids_of(ctx, &self.0, rapport_core::Kind::Deal, id)
            .await
    }
    /// Who changed it, when and how, newest first (ADMIN and MANAGER).
    history!(Deal);
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Deal, self.0.model().id)
    }
    /// Its custom field values, in the order of the type's fields (fields
    /// without a value, and deleted fields, are left out).
    async fn custom_fields(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::custom_field::CustomFieldValue>> {
        let values = &self.0.model().custom_fields;
        let record_type = entity::enums::CustomFieldRecordType::Deal;
        crate::graphql::custom_field::values_of(ctx, &self.0, record_type, values).await
    }
    /// The deal's name.
    field!(name: &str);
    /// The amount, in `currency`; null for SUPPORT, which sees no deal amounts.
    async fn amount(&self, ctx: &Context<'_>) -> ApiResult<Option<Decimal>> {
        let m = self.0.model();
        let visible = actor(ctx)?.sees_amounts();
        Ok(visible.then(|| money::from_e4(m.amount_e4, &m.currency)))
    }
    /// ISO 4217 code of `amount`.
    field!(currency: &str);
    /// Its contact's first touch when the deal was created (kept, not recomputed).
    async fn first_touch(&self, ctx: &Context<'_>) -> ApiResult<Option<Touch>> {
        let (campaign, at) = (
            |m: &deal::Model| m.first_touch_campaign_id,
            |m: &deal::Model| m.first_touch_at,
        );
        touch_of(ctx, &self.0, "first_touch", campaign, at).await
    }
    /// Its contact's last touch when the deal was created (kept, not recomputed).
    async fn last_touch(&self, ctx: &Context<'_>) -> ApiResult<Option<Touch>> {
        let (campaign, at) = (
            |m: &deal::Model| m.last_touch_campaign_id,
            |m: &deal::Model| m.last_touch_at,
        );
        touch_of(ctx, &self.0, "last_touch", campaign, at).await
    }
    /// Open, won or lost; follows the kind of the deal's stage.
    field!(status: DealStatus);
    /// When the deal is expected to close.
    field!(expected_close_date: Option<Date>);
    /// When it was won or lost; null while open.
    field!(closed_at: Option<DateTime<Utc>>);
    /// Why it was won or lost, as given to `closeDeal`.
    field!(close_reason: Option<&str>);
    /// When it entered its current stage.
    field!(stage_entered_at: DateTime<Utc>);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while the deal is deleted (it can be restored).
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was created.
    field!(created_at: DateTime<Utc>);
    /// When it last changed.
    field!(updated_at: DateTime<Utc>);
    /// Its pipeline; null while that pipeline is deleted.
    async fn pipeline(&self, ctx: &Context<'_>) -> ApiResult<Option<Pipeline>> {
        list::referenced(ctx, &self.0, "pipeline", |m: &deal::Model| {
            Some(m.pipeline_id)
        })
        .await
    }
    /// Whole days since it entered its current stage (24-hour days, rounded
    /// down: an entry 14.5 days ahead is −15), as `daysInStage` filters
    /// and sorts.
    async fn days_in_stage(&self) -> i64 {
        whole_days_between(self.0.model().stage_entered_at, crate::clock::now())
    }
    /// Whole days from its creation to its closing, or to now while open
    /// (rounded down), as `ageDays` filters and sorts.
    async fn age_days(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let days = load(ctx, &self.0, |m: &deal::Model| m.id, Figure::DealAgeDays).await?;
        Ok(days.unwrap_or_default())
    }
    /// `amount` × its stage's win probability, rounded half up to the
    /// currency's decimals (as `weightedAmount` filters and sorts); null
    /// for SUPPORT, or while the stage is deleted.
    async fn weighted_amount(&self, ctx: &Context<'_>) -> ApiResult<Option<Decimal>> {
        if !actor(ctx)?.sees_amounts() {
            return Ok(None);
        }
        let stage: Option<Stage> =
            list::referenced(ctx, &self.0, "stage", |m: &deal::Model| Some(m.stage_id)).await?;
        if stage.is_none() {
            return Ok(None);
        }
        let figure = Figure::DealWeightedAmount;
        let weighted = load(ctx, &self.0, |m: &deal::Model| m.id, figure).await?;
        let m = self.0.model();
        Ok(weighted.map(|w| money::from_e4(w, &m.currency)))
    }
    /// Its current stage; null while that stage is deleted.
    async fn stage(&self, ctx: &Context<'_>) -> ApiResult<Option<Stage>> {
        list::referenced(ctx, &self.0, "stage", |m: &deal::Model| Some(m.stage_id)).await
    }
    /// The customer company.
    async fn company(&self, ctx: &Context<'_>) -> ApiResult<Option<Company>> {
        list::referenced(ctx, &self.0, "company", |m: &deal::Model| m.company_id).await
    }
    /// The member responsible for the deal.
    async fn owner(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "owner", |m: &deal::Model| m.owner_id).await
    }
    /// Its tags.
    async fn tags(&self, ctx: &Context<'_>) -> ApiResult<Vec<Tag>> {
        tags_of(ctx, &self.0, TaggableType::Deal, |m: &deal::Model| m.id).await
    }
    /// The people involved, each with their role in the deal.
    paged!(contacts: NamedConn<Contact, DealContactEdgeFields, DealContactConnectionName, DealContactEdgeName>,
        ContactFilter, ContactOrderField, contacts::contacts_of_deal(ctx, &self.0, args).await);
    /// Support tickets about the deal.
    connection!(tickets: Ticket, TicketFilter, TicketOrderField,
        of |m: &deal::Model| m.id, "deal_id");
    /// Its timeline: notes, calls, emails, meetings and tasks.
    connection!(activities: Activity, ActivityFilter, ActivityOrderField,
        of |m: &deal::Model| m.id, "deal_id");
    /// Every stage the deal entered, oldest first (the first entry is its creation).
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn stage_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Forward paging: at most this many records after `after`; 0 to 100, and 20 when neither `first` nor `last` is given."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Forward paging: the records after this cursor (an edge's `cursor` or `pageInfo.endCursor`)."
        )]
        after: Option<String>,
        #[graphql(desc = "Backward paging: at most this many records before `before`; 0 to 100.")]
        last: Option<i32>,
        #[graphql(
            desc = "Backward paging: the records before this cursor (an edge's `cursor` or `pageInfo.startCursor`)."
        )]
        before: Option<String>,
        #[graphql(
            desc = "Only the records matching this filter; `totalCount` counts the same records."
        )]
        filter: Option<DealStageChangeFilter>,
    ) -> ApiResult<Conn<DealStageChange>> {
        let args = ListArgs {
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
            filter: filter.as_ref(),
            keys: vec![
                SortKey {
                    table: "deal_stage_change",
                    column: "created_at",
                    ty: KeyType::Timestamp,
                    nullable: false,
                    desc: false,
                },
                SortKey::id("deal_stage_change"),
            ],
            extra: Condition::all(),
        };
        list::children(
            ctx,
            &self.0,
            "stageHistory",
            |m: &deal::Model| m.id,
            "deal_id",
            args,
        )
        .await
    }
}

/// The sum of some deals' amounts in one currency.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct MoneyTotal {
    /// ISO 4217 code.
    pub currency: String,
    /// The exact sum of the amounts in this currency.
    pub amount: Decimal,
    /// How many deals were summed.
    pub count: i64,
}

/// Deal queries.
#[derive(Default)]
pub struct DealQuery;

#[connections]
#[Object]
impl DealQuery {
    /// Deals of the workspace.
    listing!(deals: Deal, DealFilter, DealOrderField, fast);

    /// The total amount of the matching deals, per currency (amounts in
    /// different currencies are never added together), ordered by currency.
    async fn deal_amount_totals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the deals matching this filter.")] filter: Option<DealFilter>,
    ) -> ApiResult<Option<Vec<MoneyTotal>>> {
        let actor = actor(ctx)?;
        if !actor.sees_amounts() {
            return Err(ApiError(CoreError::Forbidden(
                "this role sees no deal amounts".into(),
            )));
        }
        let mut condition = list::scope::<Deal>(actor);
        if let Some(filter) = &filter {
            condition = condition.add(filter.condition(
                actor.workspace_id,
                db(ctx)?.get_database_backend(),
                0,
            )?);
        }
        // Amounts are integers ×10⁴, summed exactly in two parts (`sums`).
        let mut select = sea_orm::sea_query::Query::select();
        select
            .expr_as(Expr::col(("deal", "currency")), "currency")
            .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "count");
        let select = sums::select(&mut select, r#""deal"."amount_e4""#, "total")
            .from("deal")
            .cond_where(condition)
            .group_by_col(("deal", "currency"))
            .order_by(("deal", "currency"), sea_orm::Order::Asc)
            .to_owned();
        let mut totals = Vec::new();
        for row in db(ctx)?.query_all(&select).await? {
            let currency: String = row.try_get("", "currency")?;
            totals.push(MoneyTotal {
                amount: money::from_e4_wide(sums::read(&row, "total")?, &currency),
                count: row.try_get("", "count")?,
                currency,
            });
        }
        Ok(Some(totals))
    }
}
