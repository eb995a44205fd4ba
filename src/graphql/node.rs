//! The Relay `Node` interface: fetch any record by its global id.

use std::collections::HashMap;

use async_graphql::{Context, ID, Interface, Object};
use sea_orm::{EntityTrait, QueryFilter};
use uuid::Uuid;

use super::activity::Activity;
use super::campaign::Campaign;
use super::company::Company;
use super::contact::Contact;
use super::context::{actor, db};
use super::customer_order::Order;
use super::deal::Deal;
use super::error::{ApiError, ApiResult};
use super::filter::col;
use super::form::Form;
use super::goal::Goal;
use super::ids::{self, Kind};
use super::level::{Level, Row};
use super::list::{Record, in_ids, scope};
use super::member::Member;
use super::pipeline::{Pipeline, Stage};
use super::product::Product;
use super::reason::Reason;
use super::scoring::LeadScoringRule;
use super::segment::Segment;
use super::survey::SurveyResponse;
use super::tag::Tag;
use super::ticket::Ticket;
use super::triggers::TriggerRule;

/// Most ids one `nodes` call may ask for.
const MAX_NODES: usize = 100;

/// Any record with a global id.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The global id: opaque, stable, unique across types."
))]
pub enum Node {
    Company(Company),
    Contact(Contact),
    Deal(Deal),
    Pipeline(Pipeline),
    Stage(Stage),
    Ticket(Ticket),
    Activity(Activity),
    Member(Member),
    Tag(Tag),
    Order(Order),
    SurveyResponse(SurveyResponse),
    Goal(Goal),
    Reason(Reason),
    LeadScoringRule(LeadScoringRule),
    TriggerRule(TriggerRule),
    Campaign(Campaign),
    Form(Form),
    Segment(Segment),
    Product(Product),
}

/// The live records of one type among `wanted`, keyed by id, in one statement.
pub async fn rows_by_ids<R: Record>(
    ctx: &Context<'_>,
    wanted: Vec<Uuid>,
) -> ApiResult<HashMap<Uuid, Row<R::Model>>> {
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let condition = scope::<R>(actor).add(in_ids(
        db.get_database_backend(),
        col(R::TABLE, "id"),
        wanted,
    ));
    let rows = R::Entity::find().filter(condition).all(db).await?;
    let ids: Vec<Uuid> = rows.iter().map(R::id).collect();
    let level = Level::new(rows);
    Ok(ids.into_iter().zip(level.all()).collect())
}

/// The records of one type among `wanted` as nodes, keyed by id.
async fn fetch<R: Record>(
    ctx: &Context<'_>,
    wanted: &[Uuid],
    wrap: fn(R) -> Node,
) -> ApiResult<HashMap<Uuid, Node>> {
    let found = rows_by_ids::<R>(ctx, wanted.to_vec()).await?;
    Ok(found
        .into_iter()
        .map(|(id, row)| (id, wrap(R::wrap(row))))
        .collect())
}

/// Looks up `ids` (any mix of types) with one statement per type present;
/// a merged contact or company answers as its survivor (statements only
/// for ids not found live).
async fn resolve(ctx: &Context<'_>, ids: &[ID]) -> ApiResult<Vec<Option<Node>>> {
    let decoded: Vec<Option<(Kind, Uuid)>> = ids.iter().map(|id| ids::decode_any(id)).collect();
    let mut found = resolve_decoded(ctx, decoded.clone()).await?;
    let mut missing: Vec<(usize, Option<(Kind, Uuid)>)> = decoded
        .into_iter()
        .enumerate()
        .filter(|(i, d)| {
            found[*i].is_none() && matches!(d, Some((Kind::Contact | Kind::Company, _)))
        })
        .collect();
    if missing.is_empty() {
        return Ok(found);
    }
    let mut moved: Vec<Option<(Kind, Uuid)>> = missing.iter().map(|(_, d)| *d).collect();
    follow_merges(ctx, &mut moved).await?;
    let survivors = resolve_decoded(ctx, moved).await?;
    for ((index, _), node) in missing.drain(..).zip(survivors) {
        found[index] = node;
    }
    Ok(found)
}

/// Looks up decoded ids with one statement per type present.
async fn resolve_decoded(
    ctx: &Context<'_>,
    decoded: Vec<Option<(Kind, Uuid)>>,
) -> ApiResult<Vec<Option<Node>>> {
    let of = |kind: Kind| -> Vec<Uuid> {
        decoded
            .iter()
            .flatten()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| *id)
            .collect()
    };
    let mut found: HashMap<Uuid, Node> = HashMap::new();
    found.extend(fetch::<Company>(ctx, &of(Kind::Company), Node::Company).await?);
    found.extend(fetch::<Contact>(ctx, &of(Kind::Contact), Node::Contact).await?);
    found.extend(fetch::<Deal>(ctx, &of(Kind::Deal), Node::Deal).await?);
    found.extend(fetch::<Pipeline>(ctx, &of(Kind::Pipeline), Node::Pipeline).await?);
    found.extend(fetch::<Stage>(ctx, &of(Kind::Stage), Node::Stage).await?);
    found.extend(fetch::<Ticket>(ctx, &of(Kind::Ticket), Node::Ticket).await?);
    found.extend(fetch::<Activity>(ctx, &of(Kind::Activity), Node::Activity).await?);
    found.extend(fetch::<Member>(ctx, &of(Kind::Member), Node::Member).await?);
    found.extend(fetch::<Tag>(ctx, &of(Kind::Tag), Node::Tag).await?);
    found.extend(fetch::<Order>(ctx, &of(Kind::Order), Node::Order).await?);
    let surveys = of(Kind::SurveyResponse);
    found.extend(fetch::<SurveyResponse>(ctx, &surveys, Node::SurveyResponse).await?);
    // Quotas are deal amounts, which SUPPORT does not see.
    if actor(ctx)?.can_read_deals() {
        found.extend(fetch::<Goal>(ctx, &of(Kind::Goal), Node::Goal).await?);
    }
    found.extend(fetch::<Reason>(ctx, &of(Kind::Reason), Node::Reason).await?);
    let rules = of(Kind::LeadScoringRule);
    found.extend(fetch::<LeadScoringRule>(ctx, &rules, Node::LeadScoringRule).await?);
    let triggers = of(Kind::TriggerRule);
    found.extend(fetch::<TriggerRule>(ctx, &triggers, Node::TriggerRule).await?);
    let campaigns = of(Kind::Campaign);
    found.extend(fetch::<Campaign>(ctx, &campaigns, Node::Campaign).await?);
    found.extend(fetch::<Form>(ctx, &of(Kind::Form), Node::Form).await?);
    found.extend(fetch::<Product>(ctx, &of(Kind::Product), Node::Product).await?);
    // Another member's private view is not there for the reader.
    let actor = actor(ctx)?;
    let views = fetch::<Segment>(ctx, &of(Kind::Segment), Node::Segment).await?;
    found.extend(views.into_iter().filter(|(_, node)| match node {
        Node::Segment(view) => rapport_core::ops::segment::visible(actor, view.0.model()),
        _ => false,
    }));
    // Uuids are unique across tables (v7), so one map serves every type; a
    // repeated id gets its record once, the rest come back null.
    Ok(decoded
        .into_iter()
        .map(|d| d.and_then(|(_, id)| found.remove(&id)))
        .collect())
}

/// Most merges followed from one id (a survivor merged again later).
const MAX_MERGE_HOPS: usize = 5;

/// Replaces the ids of merged contacts and companies by their survivors',
/// so a client holding an old id keeps reaching the record it became.
async fn follow_merges(ctx: &Context<'_>, decoded: &mut [Option<(Kind, Uuid)>]) -> ApiResult<()> {
    let workspace_id = actor(ctx)?.workspace_id;
    let db = db(ctx)?;
    for _ in 0..MAX_MERGE_HOPS {
        let mut moved = false;
        for (kind, table) in [(Kind::Contact, "contact"), (Kind::Company, "company")] {
            let wanted: Vec<Uuid> = decoded
                .iter()
                .flatten()
                .filter(|(k, _)| *k == kind)
                .map(|(_, id)| *id)
                .collect();
            let survivors =
                rapport_core::ops::merge::survivors(db, workspace_id, table, &wanted).await?;
            for (k, id) in decoded.iter_mut().flatten() {
                if let Some(survivor) = survivors.get(id).filter(|_| *k == kind) {
                    *id = *survivor;
                    moved = true;
                }
            }
        }
        if !moved {
            break;
        }
    }
    Ok(())
}

/// Node lookups.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The record with this global id, or null if there is none in your workspace.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id of any record type.")] id: ID,
    ) -> ApiResult<Option<Node>> {
        actor(ctx)?;
        Ok(resolve(ctx, std::slice::from_ref(&id))
            .await?
            .pop()
            .flatten())
    }

    /// The records with these global ids, in the same order; null where there is none.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Global ids of any record types; the answer keeps their order, with null for each not found."
        )]
        ids: Vec<ID>,
    ) -> ApiResult<Vec<Option<Node>>> {
        actor(ctx)?;
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input(
                "ids",
                format!("at most {MAX_NODES} ids"),
            ));
        }
        resolve(ctx, &ids).await
    }
}
