//! Segments and lists (saved views): the `Segment` type with its records
//! ([`members`]), the `segments` list and `segment` lookup (shared views and
//! the reader's own), and (in [`mutation`]) their writes. The rules are the
//! core's `ops::segment`.

pub(crate) mod members;
mod mutation;

pub use mutation::SegmentMutation;

use async_graphql::types::Json;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::enums::{SegmentKind, SegmentType};
use entity::segment;
use rapport_macros::connections;
use sea_orm::sea_query::{Condition, ExprTrait};
use uuid::Uuid;

use super::company::{Company, CompanyFilter};
use super::contact::{Contact, ContactFilter};
use super::context::actor;
use super::deal::{Deal, DealFilter};
use super::error::ApiResult;
use super::filter::{Fields, IdFilter, RecordFilter, StringFilter, col, record_filter_composition};
use super::ids::{self, Kind};
use super::level::{Conn, Row};
use super::list::{self, ListArgs, Record};
use super::member::Member;
use super::order::{Ordering, sort_keys};
use super::page::{KeyType, PageArgs, SortKey};

/// A saved view of contacts, companies or deals.
pub struct Segment(pub Row<segment::Model>);

impl Record for Segment {
    type Entity = segment::Entity;
    type Model = segment::Model;
    fn wrap(row: Row<segment::Model>) -> Self {
        Self(row)
    }
}

/// A saved view: a segment (a saved filter and ordering of one record
/// type, evaluated whenever it is read) or a list (records put on it by
/// hand), shared with the workspace or private to its owner.
#[connections]
#[Object]
impl Segment {
    /// Who changed it, when and how, newest first (ADMIN and MANAGER).
    history!(Segment);
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Segment, self.0.model().id)
    }
    /// What it is called.
    field!(name: &str);
    /// The records it holds.
    async fn r#type(&self) -> SegmentType {
        self.0.model().record_type
    }
    /// A saved filter or a static list.
    field!(kind: SegmentKind);
    /// A segment's filter: the record type's filter input, as given.
    async fn filter(&self) -> Option<Json<serde_json::Value>> {
        self.0.model().filter.clone().map(Json)
    }
    /// A segment's ordering: the record type's `orderBy`, as given.
    async fn order_by(&self) -> Option<Json<serde_json::Value>> {
        self.0.model().order_by.clone().map(Json)
    }
    /// Whether the whole workspace sees it (else only its owner).
    field!(shared: bool);
    /// The member who made it.
    async fn owner(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "owner", |m: &segment::Model| Some(m.owner_id)).await
    }
    /// How many records it holds now (live ones, matching its filter or on the list).
    async fn count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let m = self.0.model();
        match m.record_type {
            SegmentType::Contact => {
                members::count::<Contact, ContactFilter>(ctx, m, members::contact_keys).await
            }
            SegmentType::Company => {
                members::count::<Company, CompanyFilter>(ctx, m, members::company_keys).await
            }
            SegmentType::Deal => {
                members::count::<Deal, DealFilter>(ctx, m, members::deal_keys).await
            }
        }
    }
    /// Its contacts, in its order; null unless it holds contacts.
    relay!(contacts: Option<Conn<Contact>>, {
        let (m, keys) = (self.0.model(), members::contact_keys);
        members::page_of::<Contact, ContactFilter>(ctx, m, SegmentType::Contact, page, keys).await
    });
    /// Its companies, in its order; null unless it holds companies.
    relay!(companies: Option<Conn<Company>>, {
        let (m, keys) = (self.0.model(), members::company_keys);
        members::page_of::<Company, CompanyFilter>(ctx, m, SegmentType::Company, page, keys).await
    });
    /// Its deals, in its order; null unless it holds deals.
    relay!(deals: Option<Conn<Deal>>, {
        let (m, keys) = (self.0.model(), members::deal_keys);
        members::page_of::<Deal, DealFilter>(ctx, m, SegmentType::Deal, page, keys).await
    });
    /// Edits so far; `expectedVersion` takes it.
    field!(version: i32);
    /// When it was made.
    field!(created_at: DateTime<Utc>);
    /// When it last changed.
    field!(updated_at: DateTime<Utc>);
    /// When it was deleted; null while live.
    field!(deleted_at: Option<DateTime<Utc>>);
}

/// Fields saved views can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentOrderField {
    /// By `name`.
    Name,
    /// By `createdAt`.
    CreatedAt,
}

impl SegmentOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::Name => ("name", KeyType::Text),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "segment",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: by name).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        let name = Self::Name.key();
        sort_keys(
            order_by,
            "segment",
            Self::key,
            &[name, SortKey::id("segment")],
        )
    }
}

/// Which saved views to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SegmentFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<SegmentFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<SegmentFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<SegmentFilter>>,
    /// Matches on the Segment's global id.
    pub id: Option<IdFilter>,
    /// Matches on `name`.
    pub name: Option<StringFilter>,
}

impl RecordFilter for SegmentFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("segment", workspace_id, backend)
            .id(&self.id, "id", Kind::Segment)?
            .column(&self.name, "name")
            .done()
    }
    record_filter_composition!();
}

/// The views `actor` sees: shared ones and its own.
fn visible(member_id: Uuid) -> Condition {
    Condition::any()
        .add(col("segment", "shared").eq(true))
        .add(col("segment", "owner_id").eq(member_id))
}

/// Saved-view queries.
#[derive(Default)]
pub struct SegmentQuery;

#[connections]
#[Object]
impl SegmentQuery {
    /// The saved views the reader sees (shared ones and its own), by name
    /// unless `orderBy` says otherwise.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn segments(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Forward paging: at most this many after `after`; 0 to 100 (20 by default)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Forward paging: the records after this cursor.")] after: Option<String>,
        #[graphql(desc = "Backward paging: at most this many before `before`; 0 to 100.")]
        last: Option<i32>,
        #[graphql(desc = "Backward paging: the records before this cursor.")] before: Option<
            String,
        >,
        #[graphql(desc = "Only views of this record type.")] r#type: Option<SegmentType>,
        #[graphql(desc = "Only the views matching this filter.")] filter: Option<SegmentFilter>,
        #[graphql(desc = "Sort fields, most significant first; ties end with the id.")]
        order_by: Option<Vec<Ordering<SegmentOrderField>>>,
    ) -> ApiResult<Conn<Segment>> {
        let actor = actor(ctx)?;
        let mut extra = visible(actor.member_id);
        if let Some(t) = r#type {
            extra = Condition::all()
                .add(extra)
                .add(col("segment", "record_type").eq(t));
        }
        let args = ListArgs {
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
            filter: filter.as_ref(),
            keys: SegmentOrderField::keys(order_by.as_deref())?,
            extra,
        };
        list::top_level(ctx, args).await
    }

    /// One saved view by its global id, if the reader sees it.
    async fn segment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The view's global id.")] id: ID,
    ) -> ApiResult<Option<Segment>> {
        let actor = actor(ctx)?;
        let id = ids::decode(&id, Kind::Segment, "id")?;
        let found = list::find::<Segment>(ctx, id).await?;
        Ok(found.filter(|s| rapport_core::ops::segment::visible(actor, s.0.model())))
    }
}
