//! Exports: every row of a list, with the same `filter` and `orderBy` as
//! its GraphQL connection, as CSV (RFC 4180, a header row) or JSON Lines
//! (one object a row, the GraphQL type's field names). Served at
//! `GET /export/{type}.csv|.jsonl` ([`http`]) and written by `rapport
//! export`; both take the bytes of one [`Export`].
//!
//! Rows are read in keyset pages of [`PAGE_ROWS`] through the same paging
//! statement lists use, each page resuming after the previous page's last
//! row (its cursor), and each page is encoded and handed on before the next
//! is read: memory stays constant whatever the number of rows, and no
//! connection is held between pages. The export is not one snapshot: a row
//! written while it runs may or may not be in it, as with paging a list.

mod columns;
mod encode;
pub mod http;
mod input;
mod paths;

use std::fmt::Debug;
use std::pin::Pin;

use async_graphql::InputType;
use futures_util::Stream;
use futures_util::future::BoxFuture;
use rapport_core::ops::custom_field::definitions;
use sea_orm::sea_query::Condition;
use sea_orm::{DatabaseConnection, EntityTrait, QueryFilter, QueryTrait};
use uuid::Uuid;

use crate::auth::Actor;
use crate::graphql::error::{ApiResult, CoreError};
use crate::graphql::filter::RecordFilter;
use crate::graphql::list::{ListArgs, Record};
use crate::graphql::order::OrderField;
use crate::graphql::page::{
    MAX_PAGE_SIZE, PageArgs, PageQuery, SortKey, encode_cursor, key_values,
};
use columns::Column;
pub use encode::Format;
use input::parse_json;

/// Rows read per statement.
pub const PAGE_ROWS: u64 = 1_000;

/// The record types that export, named as the GraphQL list fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportType {
    Companies,
    Contacts,
    Deals,
    Tickets,
    Activities,
    Orders,
    SurveyResponses,
    Products,
}

impl ExportType {
    pub const ALL: [ExportType; 8] = [
        Self::Companies,
        Self::Contacts,
        Self::Deals,
        Self::Tickets,
        Self::Activities,
        Self::Orders,
        Self::SurveyResponses,
        Self::Products,
    ];

    /// The GraphQL list field's name, which is also the URL's.
    pub fn name(self) -> &'static str {
        match self {
            Self::Companies => "companies",
            Self::Contacts => "contacts",
            Self::Deals => "deals",
            Self::Tickets => "tickets",
            Self::Activities => "activities",
            Self::Orders => "orders",
            Self::SurveyResponses => "surveyResponses",
            Self::Products => "products",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// What to export: the type, the format, and the list's `filter` and
/// `orderBy` as JSON text (as GraphQL variables would hold them).
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub ty: ExportType,
    pub format: Format,
    pub filter: Option<String>,
    pub order_by: Option<String>,
}

/// The encoded export, page by page.
pub type Chunks = Pin<Box<dyn Stream<Item = Result<Vec<u8>, CoreError>> + Send>>;

/// A checked export, ready to stream: the input was parsed and refused
/// here, so a bad filter is an error before any byte is written.
pub struct Export {
    pub format: Format,
    pub chunks: Chunks,
}

/// Checks `request` for `actor` (parse, role rules, filter limits) and
/// returns the export's bytes as a stream that reads the database lazily.
pub fn prepare(
    db: &DatabaseConnection,
    actor: &Actor,
    request: &ExportRequest,
) -> ApiResult<Export> {
    use crate::graphql::{
        activity, company, contact, customer_order, deal, product, survey, ticket,
    };
    // One record type's stream: its module's record, filter and order
    // types, its columns, its custom fields, its columns from other tables.
    macro_rules! chunks_of {
        ($module:ident :: $record:ident, $filter:ident, $order:ident, $columns:ident, $custom:expr, $extras:expr) => {
            chunks::<$module::$record, $module::$filter, $module::$order>(
                db,
                actor,
                request,
                $module::$order::keys,
                columns::$columns,
                $custom,
                $extras,
            )
        };
    }
    let chunks = match request.ty {
        ExportType::Companies => chunks_of!(
            company::Company,
            CompanyFilter,
            CompanyOrderField,
            COMPANY,
            Some(|m| &m.custom_fields),
            None
        ),
        ExportType::Contacts => chunks_of!(
            contact::Contact,
            ContactFilter,
            ContactOrderField,
            CONTACT,
            Some(|m| &m.custom_fields),
            None
        ),
        ExportType::Deals => chunks_of!(
            deal::Deal,
            DealFilter,
            DealOrderField,
            DEAL,
            Some(|m| &m.custom_fields),
            Some(Extras {
                names: paths::NAMES,
                read: paths::of_deals,
            })
        ),
        ExportType::Tickets => chunks_of!(
            ticket::Ticket,
            TicketFilter,
            TicketOrderField,
            TICKET,
            Some(|m| &m.custom_fields),
            None
        ),
        ExportType::Activities => chunks_of!(
            activity::Activity,
            ActivityFilter,
            ActivityOrderField,
            ACTIVITY,
            None,
            None
        ),
        ExportType::Orders => chunks_of!(
            customer_order::Order,
            OrderFilter,
            OrderOrderField,
            ORDER,
            None,
            None
        ),
        ExportType::SurveyResponses => chunks_of!(
            survey::SurveyResponse,
            SurveyResponseFilter,
            SurveyResponseOrderField,
            SURVEY_RESPONSE,
            None,
            None
        ),
        ExportType::Products => chunks_of!(
            product::Product,
            ProductFilter,
            ProductOrderField,
            PRODUCT,
            None,
            None
        ),
    }?;
    Ok(Export {
        format: request.format,
        chunks,
    })
}

/// Columns an export reads from other tables, a page at a time: their
/// names, and each row's values in that order.
pub struct Extras<M: 'static> {
    pub names: &'static [&'static str],
    pub read: ReadExtras<M>,
}

/// Reads the extra columns' values of a page's rows, in the rows' order.
pub type ReadExtras<M> =
    for<'a> fn(&'a DatabaseConnection, Uuid, &'a [M]) -> BoxFuture<'a, ExtraValues>;

/// Each row's extra values, or why they could not be read.
pub type ExtraValues = Result<Vec<Vec<serde_json::Value>>, CoreError>;

/// How a list reads its `orderBy` (e.g. `ContactOrderField::keys`).
type SortKeysOf<O> = fn(Option<&[<O as OrderField>::Input]>) -> ApiResult<Vec<SortKey>>;

/// The stream of one record type's export.
fn chunks<R, F, O>(
    db: &DatabaseConnection,
    actor: &Actor,
    request: &ExportRequest,
    keys: SortKeysOf<O>,
    columns: &'static [Column<R::Model>],
    custom_of: Option<encode::CustomOf<R::Model>>,
    extras: Option<Extras<R::Model>>,
) -> ApiResult<Chunks>
where
    R: Record,
    F: RecordFilter + InputType + Debug,
    O: OrderField,
{
    let filter: Option<F> = parse_json(request.filter.as_deref(), "filter")?;
    let order_by: Option<Vec<O::Input>> = parse_json(request.order_by.as_deref(), "orderBy")?;
    let args = ListArgs {
        page: PageArgs::default(),
        filter: filter.as_ref(),
        keys: keys(order_by.as_deref())?,
        extra: Condition::all(),
    };
    let condition = args.condition::<R>(actor, db.get_database_backend())?;
    let columns: Vec<&'static Column<R::Model>> = columns
        .iter()
        .filter(|c| !c.amount || actor.sees_amounts())
        .collect();
    let mut encoder = encode::Encoder::new(request.format, columns, custom_of);
    if let Some(extras) = &extras {
        encoder = encoder.with_extras(extras.names);
    }
    Ok(Box::pin(pages::<R>(
        db.clone(),
        actor.workspace_id,
        condition,
        args.keys,
        encoder,
        extras,
    )))
}

/// Reads every row matching `condition` in the order of `keys`, a page at
/// a time, and gives out each page encoded (the first chunk starts with
/// the CSV header).
fn pages<R: Record>(
    db: DatabaseConnection,
    workspace_id: Uuid,
    condition: Condition,
    keys: Vec<SortKey>,
    encoder: encode::Encoder<R::Model>,
    extras: Option<Extras<R::Model>>,
) -> impl Stream<Item = Result<Vec<u8>, CoreError>> + Send {
    let reader = Pager::<R> {
        db,
        workspace_id,
        condition,
        keys,
        encoder,
        extras,
        next: Some(None),
    };
    futures_util::stream::try_unfold(reader, |mut reader| async move {
        let Some(after) = reader.next.take() else {
            return Ok(None);
        };
        let chunk = reader.page(after).await?;
        Ok(Some((chunk, reader)))
    })
}

/// Where an export stands between two pages.
struct Pager<R: Record> {
    db: DatabaseConnection,
    workspace_id: Uuid,
    condition: Condition,
    keys: Vec<SortKey>,
    encoder: encode::Encoder<R::Model>,
    extras: Option<Extras<R::Model>>,
    /// The next page's `after` cursor (`Some(None)`: the first page);
    /// `None` once the last page is out.
    next: Option<Option<String>>,
}

impl<R: Record> Pager<R> {
    /// Reads and encodes the page after `after`, noting where the next starts.
    async fn page(&mut self, after: Option<String>) -> Result<Vec<u8>, CoreError> {
        let custom = R::KIND
            .record_type()
            .filter(|_| self.encoder.has_custom_fields());
        if let Some(record_type) = custom.filter(|_| after.is_none()) {
            // The live fields as the export starts: one column each.
            let fields = definitions(&self.db, self.workspace_id, record_type, false).await?;
            let keys = fields.into_iter().map(|f| f.key).collect();
            self.encoder.set_custom_keys(keys);
        }
        let keys = &self.keys;
        // The cap on a client's page does not bind the export: the window
        // is checked at a size a client may ask for, then widened.
        let page = PageArgs {
            first: Some(MAX_PAGE_SIZE),
            after,
            ..PageArgs::default()
        };
        let mut window = page.window(keys)?;
        window.limit = PAGE_ROWS;
        let base = R::Entity::find()
            .filter(self.condition.clone())
            .into_query();
        let pages = PageQuery {
            base,
            partition: None,
            keys,
            window: &window,
            count: false,
        }
        .fetch::<R::Model, _, _>(&self.db, |row| key_values(row, keys))
        .await?;
        let slice = pages.slice(Uuid::nil());
        let rows = &pages.rows[slice.start..slice.end];
        let extras = match &self.extras {
            Some(extras) => (extras.read)(&self.db, self.workspace_id, rows).await?,
            None => Vec::new(),
        };
        for (i, row) in rows.iter().enumerate() {
            self.encoder
                .row(row, extras.get(i).map_or(&[], Vec::as_slice))?;
        }
        if slice.has_next {
            let last = slice.end.checked_sub(1).and_then(|i| pages.extras.get(i));
            self.next = last.map(|values| Some(encode_cursor(values, keys)));
        }
        self.encoder.take()
    }
}
