//! The generic list loaders every record type plugs into: a top-level
//! connection, a nested connection (children of every parent of a level in
//! one statement), and a to-one reference (the parents of every child of a
//! level in one statement).

use rapport_core::error::CoreError;
use std::collections::{HashMap, HashSet};
use std::fmt::Debug;

use async_graphql::Context;
use async_graphql::connection::EmptyFields;
use sea_orm::sea_query::extension::postgres::PgFunc;
use sea_orm::sea_query::{ArrayType, Condition, Expr, ExprTrait, Value};
use sea_orm::{
    DbBackend, EntityTrait, FromQueryResult, ModelTrait, QueryFilter, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::context::{actor, db};
use super::error::{ApiError, ApiResult};
use super::filter::search_forms::Decided;
use super::filter::{RecordFilter, col, limits};
use super::ids::Kind;
use super::level::{Conn, Level, LoadedPages, Row};
use super::page::{PageArgs, PageQuery, Partition, SortKey};
use rapport_core::store::Table;

/// A record type of the API: the GraphQL object wrapping rows of a core
/// [`Table`], whose metadata it repeats under the names resolvers use.
pub trait Record: async_graphql::OutputType + Sized + Send + Sync + 'static {
    type Entity: Table<Model = Self::Model>;
    type Model: ModelTrait<Entity = Self::Entity>
        + FromQueryResult
        + serde::Serialize
        + Send
        + Sync
        + 'static;
    const TABLE: &'static str = <Self::Entity as Table>::TABLE;
    const KIND: Kind = <Self::Entity as Table>::KIND;
    /// The prefix of its event kinds, e.g. `deal` in `deal.moved`.
    const EVENT_NAME: &'static str = <Self::Entity as Table>::EVENT_NAME;
    /// Whether the table has `deleted_at` and `version` (lists skip deleted rows).
    const SOFT_DELETE: bool = <Self::Entity as Table>::SOFT_DELETE;
    fn wrap(row: Row<Self::Model>) -> Self;
    fn id(row: &Self::Model) -> Uuid {
        <Self::Entity as Table>::id(row)
    }
    fn version(row: &Self::Model) -> i32 {
        <Self::Entity as Table>::version(row)
    }
    fn deleted_at(row: &Self::Model) -> Option<chrono::DateTime<chrono::Utc>> {
        <Self::Entity as Table>::deleted_at(row)
    }
}

/// What the actor may see of `R`: its workspace's rows, not deleted, and
/// of deals, companies and contacts those its role reads.
pub fn scope<R: Record>(actor: &crate::auth::Actor) -> Condition {
    rapport_core::store::visible::<R::Entity>(actor)
}

/// `column IN ids` as one bound parameter on PostgreSQL (`= ANY($1)`), so a
/// level with 10,000 parents is still one statement with one parameter.
/// SQLite binds a list up to [`SQLITE_BOUND_IDS`] ids; past that, one JSON
/// array of hex ids read by `json_each` (its bundled build allows 32,766
/// parameters, and a nested level can have more parents than that).
///
/// One id is `column = $1`: PostgreSQL planned `= ANY($1)` again on every
/// execution of the prepared statement (the planner's functions led its
/// profile during lookups by id), while `= $1` gets a generic plan once. A
/// lookup by id cost PostgreSQL 0.09 ms of CPU before and 0.06 ms after.
/// Ids SQLite gets as separate parameters; more go in one JSON array.
pub const SQLITE_BOUND_IDS: usize = 1_000;

pub fn in_ids(backend: DbBackend, column: Expr, ids: Vec<Uuid>) -> Expr {
    if let [id] = ids[..] {
        return column.eq(id);
    }
    if backend == DbBackend::Sqlite && ids.len() > SQLITE_BOUND_IDS {
        // Ids are stored as 16-byte blobs: unhex the simple (no dashes) form.
        let hex: Vec<String> = ids.iter().map(|id| id.simple().to_string()).collect();
        let array = serde_json::Value::from(hex).to_string();
        return column.binary(
            sea_orm::sea_query::BinOper::In,
            Expr::cust_with_values("(SELECT unhex(value) FROM json_each(?))", [array]),
        );
    }
    let values: Vec<Value> = ids.into_iter().map(|id| Value::Uuid(Some(id))).collect();
    match backend {
        DbBackend::Postgres => column.eq(PgFunc::any(Expr::val(Value::Array(
            ArrayType::Uuid,
            Some(Box::new(values)),
        )))),
        _ => column.is_in(values),
    }
}

/// The arguments of a list field, as a cache key and a query.
pub struct ListArgs<'a, F> {
    pub page: PageArgs,
    pub filter: Option<&'a F>,
    /// The ordering, ending with the `id` key.
    pub keys: Vec<SortKey>,
    /// Conditions beyond the filter that this field always applies.
    pub extra: Condition,
}

impl<F: RecordFilter + Debug> ListArgs<'_, F> {
    /// `count`: whether the load counts each parent's rows, which a second
    /// alias of the same list may ask for when the first did not.
    pub(crate) fn cache_key(&self, field: &str, count: bool) -> String {
        format!(
            "{field}|{count}|{:?}|{:?}|{:?}|{:?}",
            self.page, self.filter, self.keys, self.extra
        )
    }

    /// The condition for `actor`, refusing filters over the size limits
    /// (before anything walks them) and filters and sorting on values its
    /// role may not see.
    pub(crate) fn condition<R: Record>(
        &self,
        actor: &crate::auth::Actor,
        backend: DbBackend,
    ) -> ApiResult<Condition> {
        if let Some(filter) = self.filter {
            limits::check(filter)?;
        }
        if let Some(field) = self.filter.and_then(|f| f.hidden_field(actor)) {
            return Err(ApiError(CoreError::Forbidden(format!(
                "this role may not filter by {field}"
            ))));
        }
        let amount = |k: &SortKey| k.column == "amount_e4" || k.column == "weighted_amount";
        if !actor.sees_amounts() && self.keys.iter().any(amount) {
            return Err(ApiError(CoreError::Forbidden(
                "this role may not sort by amount".into(),
            )));
        }
        let mut c = scope::<R>(actor).add(self.extra.clone());
        if let Some(filter) = self.filter {
            c = c.add(filter.condition(actor.workspace_id, backend, 0)?);
        }
        Ok(c)
    }
}

/// Whether the connection being resolved selects `totalCount` (directly or
/// through a fragment): only then does its statement count the whole set.
pub fn counts(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// A top-level connection: one statement for the page (and its total when
/// selected).
pub async fn top_level<R: Record, F: RecordFilter + Debug>(
    ctx: &Context<'_>,
    args: ListArgs<'_, F>,
) -> ApiResult<Conn<R>> {
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let window = args.page.window(&args.keys)?;
    let decided = Decided::probe(db, actor.workspace_id, args.filter).await?;
    let condition = decided.within(|| args.condition::<R>(actor, db.get_database_backend()))?;
    let base = R::Entity::find().filter(condition).into_query();
    let pages = PageQuery {
        base,
        partition: None,
        keys: &args.keys,
        window: &window,
        count: counts(ctx),
    }
    .fetch::<R::Model, (), _>(db, |_| Ok(()))
    .await?;
    let loaded = LoadedPages::from(pages);
    Ok(loaded.connection(Uuid::nil(), &args.keys, R::wrap, |_| EmptyFields))
}

/// The children of `parent` in `R` whose `foreign_key` column points at it,
/// loaded for every row of the parent's level at once.
pub async fn children<P, R, F>(
    ctx: &Context<'_>,
    parent: &Row<P>,
    field: &str,
    parent_id: fn(&P) -> Uuid,
    foreign_key: &'static str,
    args: ListArgs<'_, F>,
) -> ApiResult<Conn<R>>
where
    P: Send + Sync + 'static,
    R: Record,
    F: RecordFilter + Debug,
{
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let window = args.page.window(&args.keys)?;
    let count = counts(ctx);
    let loaded = parent
        .level
        .load(args.cache_key(field, count), |parents| async {
            let ids = distinct(parents.iter().map(parent_id));
            let condition = args
                .condition::<R>(actor, db.get_database_backend())?
                .add(in_ids(
                    db.get_database_backend(),
                    col(R::TABLE, foreign_key),
                    ids.clone(),
                ));
            let base = R::Entity::find().filter(condition).into_query();
            let partition = Some(Partition {
                key: col(R::TABLE, foreign_key),
                parents: ids,
            });
            let pages = PageQuery {
                base,
                partition,
                keys: &args.keys,
                window: &window,
                count,
            }
            .fetch::<R::Model, (), _>(db, |_| Ok(()))
            .await?;
            Ok(LoadedPages::from(pages))
        })
        .await?;
    Ok(
        loaded.connection(parent_id(parent.model()), &args.keys, R::wrap, |_| {
            EmptyFields
        }),
    )
}

/// Records of one type by id, for a level.
pub struct ById<M> {
    level: std::sync::Arc<Level<M>>,
    index: HashMap<Uuid, usize>,
}

/// The `R` that `child`'s `reference` points at, loaded for every row of the
/// child's level at once; `None` when unset, deleted, or not visible.
pub async fn referenced<C, R>(
    ctx: &Context<'_>,
    child: &Row<C>,
    field: &str,
    reference: fn(&C) -> Option<Uuid>,
) -> ApiResult<Option<R>>
where
    C: Send + Sync + 'static,
    R: Record,
{
    let Some(target) = reference(child.model()) else {
        return Ok(None);
    };
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let loaded = child
        .level
        .load(field.to_owned(), |children| async {
            let ids = distinct(children.iter().filter_map(reference));
            let condition =
                scope::<R>(actor).add(in_ids(db.get_database_backend(), col(R::TABLE, "id"), ids));
            let rows: Vec<R::Model> = R::Entity::find()
                .filter(condition)
                .limit(None)
                .all(db)
                .await?;
            let index = rows
                .iter()
                .enumerate()
                .filter_map(|(i, row)| match row.get(id_column::<R>()?) {
                    Value::Uuid(Some(id)) => Some((id, i)),
                    _ => None,
                })
                .collect();
            Ok(ById {
                level: Level::new(rows),
                index,
            })
        })
        .await?;
    Ok(loaded.index.get(&target).map(|&index| {
        R::wrap(Row {
            level: loaded.level.clone(),
            index,
        })
    }))
}

/// One record of the actor's workspace by id, or `None`.
pub async fn find<R: Record>(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<R>> {
    let actor = actor(ctx)?;
    let condition = scope::<R>(actor).add(col(R::TABLE, "id").eq(id));
    let row = R::Entity::find().filter(condition).one(db(ctx)?).await?;
    Ok(row.map(|row| R::wrap(Level::single(row))))
}

/// One record of the actor's workspace by id, deleted or not, or `None`:
/// for events, which name records that may have been deleted since.
pub async fn find_any<R: Record>(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<R>> {
    let actor = actor(ctx)?;
    let row = R::Entity::find()
        .filter(col(R::TABLE, "workspace_id").eq(actor.workspace_id))
        .filter(col(R::TABLE, "id").eq(id))
        .one(db(ctx)?)
        .await?;
    Ok(row.map(|row| R::wrap(Level::single(row))))
}

fn id_column<R: Record>() -> Option<<R::Entity as EntityTrait>::Column> {
    use sea_orm::Iterable;
    <R::Entity as EntityTrait>::Column::iter().find(|c| sea_orm::IdenStatic::as_str(c) == "id")
}

/// The ids in their first order, each once.
pub(crate) fn distinct(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    ids.filter(|id| seen.insert(*id)).collect()
}
