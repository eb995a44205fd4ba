//! What `duplicateContacts`/`duplicateCompanies` and `mergeContacts`/
//! `mergeCompanies` share: the reasons, the `keep` input, the pages.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, InputObject, OutputType, SimpleObject};
use rapport_core::ops::duplicates::{self, Among, Candidate, Reason};
use rapport_core::ops::merge::{Keep, Merge};
use uuid::Uuid;

use super::company::Company;
use super::contact::Contact;
use super::context::{actor, db};
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::list::Record;

/// Why two records look like duplicates.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateReason {
    /// The same email once a `+tag` is dropped (`ann+crm@acme.com` is `ann@acme.com`).
    SameEmail,
    /// The same phone number (E.164).
    SamePhone,
    /// The same first and family name at the same company.
    SameNameAtCompany,
    /// The same family name at the same company, one given name starting the other.
    SimilarNameAtCompany,
    /// The same domain.
    SameDomain,
    /// The same name once case, punctuation, spaces and a legal form are dropped.
    SimilarCompanyName,
}

impl From<Reason> for DuplicateReason {
    fn from(reason: Reason) -> Self {
        match reason {
            Reason::SameEmail => Self::SameEmail,
            Reason::SamePhone => Self::SamePhone,
            Reason::SameNameAtCompany => Self::SameNameAtCompany,
            Reason::SimilarNameAtCompany => Self::SimilarNameAtCompany,
            Reason::SameDomain => Self::SameDomain,
            Reason::SimilarCompanyName => Self::SimilarCompanyName,
        }
    }
}

/// Take one field of the merged record from a chosen record.
#[derive(InputObject)]
pub struct MergeKeepInput {
    /// The field, as named in the API (`email`, `phone`, `companyId`…);
    /// `emailConsent` (contacts) moves the whole consent record, `firstTouch`
    /// and `lastTouch` (contacts) a touch's campaign with its time,
    /// `annualRevenue` (companies) the amount with its currency.
    pub field: String,
    /// The record to take it from: the survivor or one of the merged records.
    pub from: ID,
}

/// The core's merge command from the mutation's arguments.
pub fn command(
    kind: Kind,
    survivor_id: &ID,
    merged_ids: &[ID],
    keep: Option<Vec<MergeKeepInput>>,
) -> ApiResult<Merge> {
    let survivor = ids::decode(survivor_id, kind, "survivorId")?;
    let merged = merged_ids
        .iter()
        .enumerate()
        .map(|(i, id)| ids::decode(id, kind, &format!("mergedIds.{i}")))
        .collect::<ApiResult<Vec<Uuid>>>()?;
    let keep = keep
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            Ok(Keep {
                from: ids::decode(&k.from, kind, &format!("keep.{i}.from"))?,
                field: k.field,
            })
        })
        .collect::<ApiResult<Vec<Keep>>>()?;
    Ok(Merge {
        survivor,
        merged,
        keep,
    })
}

/// Two records that look like one.
#[derive(SimpleObject)]
#[graphql(
    concrete(name = "DuplicateContacts", params(Contact)),
    concrete(name = "DuplicateCompanies", params(Company))
)]
pub struct Pair<R: OutputType> {
    /// 0–100: the weights of the reasons added up (same email or domain 90,
    /// same phone 80, same name at the company or same company name 70,
    /// similar name at the company 50), at most 100.
    pub score: i32,
    /// Why they look like one.
    pub reasons: Vec<DuplicateReason>,
    /// The older record.
    pub record: R,
    /// The newer record.
    pub duplicate: R,
}

/// A page of candidate pairs of `R`, each record read in one statement.
pub async fn page<R: Record, P>(
    ctx: &Context<'_>,
    among: Among,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Connection<String, P>>
where
    // `Pair<R>` itself: it is an output type only for its concrete `R`s.
    Pair<R>: Into<P>,
    P: OutputType,
{
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let first = match first {
        None => 20,
        Some(n) => u64::try_from(n)
            .map_err(|_| super::error::ApiError::bad_input("first", "must not be negative"))?,
    };
    let page = duplicates::candidates(db, actor, among, first, after.as_deref()).await?;
    let wanted: Vec<Uuid> = page
        .candidates
        .iter()
        .flat_map(|c| [c.record, c.duplicate])
        .collect();
    let mut connection = Connection::new(after.is_some(), page.has_next);
    let found = super::node::rows_by_ids::<R>(ctx, wanted).await?;
    let wrapped = |id: &Uuid| found.get(id).cloned().map(R::wrap);
    for candidate in &page.candidates {
        let Candidate {
            record, duplicate, ..
        } = candidate;
        // A record deleted between the two statements drops its pair.
        let (Some(record), Some(duplicate)) = (wrapped(record), wrapped(duplicate)) else {
            continue;
        };
        let pair = Pair {
            score: candidate.score,
            reasons: candidate.reasons.iter().map(|r| (*r).into()).collect(),
            record,
            duplicate,
        };
        connection
            .edges
            .push(Edge::new(candidate.cursor(), pair.into()));
    }
    Ok(connection)
}

/// The duplicates query, the merge mutation and its payload of one record
/// type: the same resolvers for contacts and companies, with their own docs.
macro_rules! merge_adapters {
    (
        $record:ident: $kind:ident, $among:ident, $area:ident, $merge_fn:path;
        $query:ident { $(#[doc = $list_doc:literal])* $list:ident }
        $mutation:ident { $(#[doc = $merge_doc:literal])* $merge:ident($survivor_desc:literal, $merged_desc:literal) }
        $payload:ident { $(#[doc = $payload_doc:literal])* $survivor:ident, $(#[doc = $merged_doc:literal])* }
    ) => {
        #[doc = concat!("Duplicate ", stringify!($record), " queries.")]
        #[derive(Default)]
        pub struct $query;

        #[async_graphql::Object]
        impl $query {
            $(#[doc = $list_doc])*
            async fn $list(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "At most this many pairs after `after`; 0 to 100, default 20.")]
                first: Option<i32>,
                #[graphql(desc = "The pairs after this cursor (an edge's `cursor`).")]
                after: Option<String>,
            ) -> $crate::graphql::error::ApiResult<
                async_graphql::connection::Connection<String, $crate::graphql::merge::Pair<$record>>,
            > {
                let among = rapport_core::ops::duplicates::Among::$among;
                $crate::graphql::merge::page::<$record, _>(ctx, among, first, after).await
            }
        }

        $(#[doc = $payload_doc])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $payload {
            /// The survivor after the merge.
            pub $survivor: $record,
            $(#[doc = $merged_doc])*
            pub merged: Vec<$record>,
        }

        #[doc = concat!(stringify!($record), " merges.")]
        #[derive(Default)]
        pub struct $mutation;

        #[async_graphql::Object]
        impl $mutation {
            $(#[doc = $merge_doc])*
            async fn $merge(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = $survivor_desc)] survivor_id: async_graphql::ID,
                #[graphql(desc = $merged_desc)] merged_ids: Vec<async_graphql::ID>,
                #[graphql(desc = "Fields to take from a chosen record instead of the survivor.")]
                keep: Option<Vec<$crate::graphql::merge::MergeKeepInput>>,
            ) -> $crate::graphql::error::ApiResult<$payload> {
                use $crate::graphql::level::Level;
                let area = $crate::auth::Area::$area;
                let (core, actor) = $crate::graphql::context::acting(ctx, area)?;
                let kind = $crate::graphql::ids::Kind::$kind;
                let command = $crate::graphql::merge::command(kind, &survivor_id, &merged_ids, keep)?;
                let done = $merge_fn(core, actor, command).await?;
                Ok($payload {
                    $survivor: $record(Level::single(done.survivor)),
                    merged: Level::new(done.merged).all().into_iter().map($record).collect(),
                })
            }
        }
    };
}

pub(crate) use merge_adapters;
