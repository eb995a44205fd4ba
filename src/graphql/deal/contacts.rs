//! The many-to-many between deals and contacts, through `deal_contact`.
//!
//! Both directions page per parent with [`PageQuery`], partitioned by the
//! link's column, so `deals { contacts }` and `contacts { deals }` stay one
//! statement per level. `Deal.contacts` also reads each link's role into its
//! edge.

use async_graphql::connection::EmptyFields;
use async_graphql::connection::{ConnectionNameType, EdgeNameType};
use async_graphql::{Context, OutputType, SimpleObject};
use entity::enums::DealContactRole;
use entity::{contact, deal};
use sea_orm::sea_query::{Condition, ExprTrait};
use sea_orm::{ActiveEnum, DbBackend, EntityTrait, QueryFilter, QueryResult, QueryTrait};
use uuid::Uuid;

use super::{Deal, DealFilter};
use crate::graphql::contact::{Contact, ContactFilter};
use crate::graphql::context::{actor, db};
use crate::graphql::error::ApiResult;
use crate::graphql::filter::col;
use crate::graphql::level::{Conn, LoadedPages, NamedConn, Row};
use crate::graphql::list::{self, ListArgs, distinct};
use crate::graphql::page::{PageQuery, Partition};

/// What a `DealContactEdge` adds to a plain edge.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct DealContactEdgeFields {
    /// The contact's part in this deal.
    pub role: DealContactRole,
}

/// Names the connection of `Deal.contacts` `DealContactConnection`.
pub struct DealContactConnectionName;

impl ConnectionNameType for DealContactConnectionName {
    fn type_name<T: OutputType>() -> String {
        "DealContactConnection".to_owned()
    }
}

/// Names the edges of `Deal.contacts` `DealContactEdge`.
pub struct DealContactEdgeName;

impl EdgeNameType for DealContactEdgeName {
    fn type_name<T: OutputType>() -> String {
        "DealContactEdge".to_owned()
    }
}

/// `Deal.contacts` with roles.
pub type DealContactConn =
    NamedConn<Contact, DealContactEdgeFields, DealContactConnectionName, DealContactEdgeName>;

/// The link rows of the given parents: `deal_contact.<parent_column> IN ids`,
/// in the workspace, joined to the listed table on `<other_column>`.
pub(crate) fn link_join(
    backend: DbBackend,
    workspace_id: Uuid,
    parent_column: &'static str,
    other_column: &'static str,
    other_table: &'static str,
    ids: Vec<Uuid>,
) -> Condition {
    Condition::all()
        .add(col("deal_contact", other_column).eq(col(other_table, "id")))
        .add(col("deal_contact", "workspace_id").eq(workspace_id))
        .add(list::in_ids(
            backend,
            col("deal_contact", parent_column),
            ids,
        ))
}

fn role(row: &QueryResult) -> Result<DealContactRole, sea_orm::DbErr> {
    let raw: String = row.try_get("", "_role")?;
    DealContactRole::try_from_value(&raw)
}

/// The contacts of `deal` with their roles, loaded for its whole level.
pub(super) async fn contacts_of_deal(
    ctx: &Context<'_>,
    deal: &Row<deal::Model>,
    args: ListArgs<'_, ContactFilter>,
) -> ApiResult<DealContactConn> {
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let window = args.page.window(&args.keys)?;
    let count = list::counts(ctx);
    let loaded = deal
        .level
        .load(args.cache_key("contacts", count), |deals| async {
            let ids = distinct(deals.iter().map(|d| d.id));
            let join = link_join(
                db.get_database_backend(),
                actor.workspace_id,
                "deal_id",
                "contact_id",
                "contact",
                ids.clone(),
            );
            let mut base = contact::Entity::find()
                .filter(args.condition::<Contact>(actor, db.get_database_backend())?)
                .into_query();
            base.inner_join("deal_contact", join)
                .expr_as(col("deal_contact", "role"), "_role");
            let partition = Some(Partition {
                key: col("deal_contact", "deal_id"),
                parents: ids,
            });
            let pages = PageQuery {
                base,
                partition,
                keys: &args.keys,
                window: &window,
                count,
            }
            .fetch::<contact::Model, _, _>(db, role)
            .await?;
            Ok(LoadedPages::from(pages))
        })
        .await?;
    Ok(loaded.connection::<Contact, DealContactEdgeFields, DealContactConnectionName, DealContactEdgeName>(
        deal.model().id,
        &args.keys,
        Contact,
        |role| DealContactEdgeFields { role: *role },
    ))
}

/// The deals `contact` takes part in, loaded for its whole level (`Contact.deals`).
pub async fn deals_of_contact(
    ctx: &Context<'_>,
    contact: &Row<contact::Model>,
    args: ListArgs<'_, DealFilter>,
) -> ApiResult<Conn<Deal>> {
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let window = args.page.window(&args.keys)?;
    let count = list::counts(ctx);
    let loaded = contact
        .level
        .load(args.cache_key("deals", count), |contacts| async {
            let ids = distinct(contacts.iter().map(|c| c.id));
            let join = link_join(
                db.get_database_backend(),
                actor.workspace_id,
                "contact_id",
                "deal_id",
                "deal",
                ids.clone(),
            );
            let mut base = deal::Entity::find()
                .filter(args.condition::<Deal>(actor, db.get_database_backend())?)
                .into_query();
            base.inner_join("deal_contact", join);
            let partition = Some(Partition {
                key: col("deal_contact", "contact_id"),
                parents: ids,
            });
            let pages = PageQuery {
                base,
                partition,
                keys: &args.keys,
                window: &window,
                count,
            }
            .fetch::<deal::Model, (), _>(db, |_| Ok(()))
            .await?;
            Ok(LoadedPages::from(pages))
        })
        .await?;
    Ok(loaded.connection(contact.model().id, &args.keys, Deal, |_| EmptyFields))
}
