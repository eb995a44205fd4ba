//! Levels: how nested lists cost one SQL statement per level, by construction.
//!
//! Every object a list returns holds a [`Row`]: its index into the
//! [`Level`] of all rows that list returned, for every parent at once. When
//! a child field is resolved on any of those objects, the level loads that
//! field for *all* its rows with one statement and caches the result under
//! the field's name and arguments; the siblings then read their share from
//! the cache. Unlike a DataLoader this does not depend on timing: the set of
//! parents is known before any child resolves, so the number of statements
//! is the number of distinct (level, field, arguments) in the query.

use rapport_core::error::CoreError;
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use async_graphql::connection::{
    Connection, ConnectionNameType, CursorType, Edge, EdgeNameType, EmptyFields,
};
use async_graphql::{OutputType, SimpleObject};
use sea_orm::{EntityTrait, Iterable, ModelTrait};
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use super::page::{PageSlice, Pages, SortKey, encode_cursor};

type Cached = Arc<dyn Any + Send + Sync>;

/// All rows of one type returned by one list field, across all its parents.
pub struct Level<M> {
    pub rows: Vec<M>,
    cache: Mutex<HashMap<String, Arc<OnceCell<Cached>>>>,
}

impl<M: Send + Sync + 'static> Level<M> {
    pub fn new(rows: Vec<M>) -> Arc<Self> {
        Arc::new(Self {
            rows,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// One row as a level of its own (a `node(id:)` lookup, a mutation's result).
    pub fn single(row: M) -> Row<M> {
        Row {
            level: Self::new(vec![row]),
            index: 0,
        }
    }

    /// Every row of the level as a [`Row`].
    pub fn all(self: &Arc<Self>) -> Vec<Row<M>> {
        (0..self.rows.len())
            .map(|index| Row {
                level: self.clone(),
                index,
            })
            .collect()
    }

    /// The value of the field `key` for every row of the level, loaded once.
    pub async fn load<'a, T, F, Fut>(&'a self, key: String, load: F) -> ApiResult<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: FnOnce(&'a [M]) -> Fut,
        Fut: Future<Output = ApiResult<T>> + 'a,
    {
        let cell = {
            let mut cache = self
                .cache
                .lock()
                .map_err(|_| CoreError::Internal("level cache poisoned".into()))?;
            cache.entry(key).or_default().clone()
        };
        let value = cell
            .get_or_try_init(|| async {
                load(&self.rows)
                    .await
                    .map(|value| Arc::new(value) as Cached)
            })
            .await?;
        value
            .clone()
            .downcast::<T>()
            .map_err(|_| ApiError(CoreError::Internal("level cache holds another type".into())))
    }
}

/// One row of a level: what every record object wraps.
pub struct Row<M> {
    pub level: Arc<Level<M>>,
    pub index: usize,
}

impl<M> Clone for Row<M> {
    fn clone(&self) -> Self {
        Self {
            level: self.level.clone(),
            index: self.index,
        }
    }
}

impl<M> Row<M> {
    pub fn model(&self) -> &M {
        &self.level.rows[self.index]
    }
}

/// The pages of one child field for all parents of a level.
pub struct LoadedPages<M, X = ()> {
    pub level: Arc<Level<M>>,
    pub extras: Vec<X>,
    /// Per row, the values of calculated sort keys (see [`Pages::calculated`]).
    pub calculated: Vec<Vec<Option<sea_orm::Value>>>,
    pub by_parent: HashMap<Uuid, PageSlice>,
}

impl<M: Send + Sync + 'static, X> From<Pages<M, X>> for LoadedPages<M, X> {
    fn from(pages: Pages<M, X>) -> Self {
        Self {
            level: Level::new(pages.rows),
            extras: pages.extras,
            calculated: pages.calculated,
            by_parent: pages.by_parent,
        }
    }
}

/// What every connection adds to Relay's edges and pageInfo.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct ConnectionTotals {
    /// How many records match the filter, across all pages.
    pub total_count: i64,
}

/// A connection of `N` objects, named after `N` (e.g. `CompanyConnection`).
pub type Conn<N, E = EmptyFields> = Connection<RowCursor, N, ConnectionTotals, E>;

/// A connection with custom type names, for edges that carry extra fields.
pub type NamedConn<N, E, CN, EN> = Connection<
    RowCursor,
    N,
    ConnectionTotals,
    E,
    CN,
    EN,
    async_graphql::connection::EnableNodesField,
>;

/// Encodes the cursor of one row of a level.
trait CursorSource: Send + Sync {
    /// `calculated` holds the values of calculated keys (by key position),
    /// which the row itself does not hold.
    fn cursor(
        &self,
        index: usize,
        keys: &[SortKey],
        calculated: &[Option<sea_orm::Value>],
    ) -> String;
}

impl<M: ModelTrait + Send + Sync> CursorSource for Level<M> {
    fn cursor(
        &self,
        index: usize,
        keys: &[SortKey],
        calculated: &[Option<sea_orm::Value>],
    ) -> String {
        let model = &self.rows[index];
        let values: Vec<_> = keys
            .iter()
            .enumerate()
            .map(|(j, key)| {
                if let Some(Some(value)) = calculated.get(j) {
                    return value.clone();
                }
                <M::Entity as EntityTrait>::Column::iter()
                    .find(|c| sea_orm::IdenStatic::as_str(c) == key.column)
                    .map_or(sea_orm::Value::BigInt(None), |column| model.get(column))
            })
            .collect();
        encode_cursor(&values, keys)
    }
}

/// The cursor of an edge, encoded only when a client selects it (`cursor`,
/// `pageInfo.startCursor`/`endCursor`): a query reading `nodes` of 10,000
/// rows would otherwise build 10,000 JSON documents and base64 strings that
/// nobody reads.
pub struct RowCursor {
    level: Arc<dyn CursorSource>,
    index: usize,
    keys: Arc<[SortKey]>,
    /// Values of calculated sort keys (empty without any).
    calculated: Vec<Option<sea_orm::Value>>,
}

impl CursorType for RowCursor {
    type Error = &'static str;

    /// Cursors arrive as `String` arguments and are decoded against their
    /// list's ordering (`PageArgs::window`), never through this.
    fn decode_cursor(_: &str) -> Result<Self, Self::Error> {
        Err("row cursors are decoded by PageArgs::window")
    }

    fn encode_cursor(&self) -> String {
        self.level.cursor(self.index, &self.keys, &self.calculated)
    }
}

impl<M, X> LoadedPages<M, X>
where
    M: ModelTrait + Send + Sync + 'static,
{
    /// The connection of `parent` (`Uuid::nil()` for a top-level list).
    pub fn connection<N, E, CN, EN>(
        &self,
        parent: Uuid,
        keys: &[SortKey],
        node: impl Fn(Row<M>) -> N,
        edge: impl Fn(&X) -> E,
    ) -> NamedConn<N, E, CN, EN>
    where
        N: OutputType,
        E: async_graphql::ObjectType,
        CN: ConnectionNameType,
        EN: EdgeNameType,
    {
        let slice = self.by_parent.get(&parent).cloned().unwrap_or_default();
        let keys: Arc<[SortKey]> = keys.into();
        let source: Arc<dyn CursorSource> = self.level.clone();
        let mut conn = Connection::with_additional_fields(
            slice.has_previous,
            slice.has_next,
            ConnectionTotals {
                total_count: slice.total,
            },
        );
        conn.edges.reserve(slice.end.saturating_sub(slice.start));
        for index in slice.start..slice.end {
            let cursor = RowCursor {
                level: source.clone(),
                index,
                keys: keys.clone(),
                calculated: self.calculated.get(index).cloned().unwrap_or_default(),
            };
            let row = Row {
                level: self.level.clone(),
                index,
            };
            conn.edges.push(Edge::with_additional_fields(
                cursor,
                node(row),
                edge(&self.extras[index]),
            ));
        }
        conn
    }
}
