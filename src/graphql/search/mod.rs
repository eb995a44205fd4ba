//! `search(query, types, first, after)`: one ranked list over companies,
//! contacts, deals, tickets and activities (the rule is the core's,
//! `rapport_core::search`), each hit with what matched, highlighted. The
//! ranking is one statement, two when near matches are needed; the records
//! of each type found, one more each.

mod highlight;

use std::collections::HashMap;

use async_graphql::connection::PageInfo;
use async_graphql::{Context, Enum, Object, SimpleObject, Union};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rapport_core::Kind;
use rapport_core::ops::custom_field::{definitions, types::as_text};
use rapport_core::search::{self, Hit};
use uuid::Uuid;

use self::highlight::{SearchMatch, matches};
use super::activity::Activity;
use super::company::Company;
use super::contact::Contact;
use super::context::{actor, db};
use super::deal::Deal;
use super::error::{ApiError, ApiResult};
use super::level::Row;
use super::list::Record;
use super::node::rows_by_ids;
use super::ticket::Ticket;

/// Most hits a page.
const MAX_FIRST: i32 = 50;

/// What a search looks through.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchType {
    /// By name and domain.
    Company,
    /// By first and last name, email, phone and job title.
    Contact,
    /// By name.
    Deal,
    /// By number (`#123`), subject and description.
    Ticket,
    /// By subject and body.
    Activity,
}

impl SearchType {
    const ALL: [SearchType; 5] = [
        Self::Company,
        Self::Contact,
        Self::Deal,
        Self::Ticket,
        Self::Activity,
    ];

    fn kind(self) -> Kind {
        match self {
            Self::Company => Kind::Company,
            Self::Contact => Kind::Contact,
            Self::Deal => Kind::Deal,
            Self::Ticket => Kind::Ticket,
            Self::Activity => Kind::Activity,
        }
    }
}

/// A record a search found.
#[derive(Union)]
pub enum SearchResult {
    Company(Company),
    Contact(Contact),
    Deal(Deal),
    Ticket(Ticket),
    Activity(Activity),
}

/// One hit: the record, its rank, and what matched.
#[derive(SimpleObject)]
pub struct SearchEdge {
    /// Where this hit is, for `after`.
    pub cursor: String,
    /// The record found.
    pub node: SearchResult,
    /// The rank, the higher the better: 3 a word starts with the query, 2
    /// the query is in the text, 1 a near match (a slip of one letter, in a
    /// query of 4 letters or more). Within a rank, the most recently added
    /// records come first.
    pub score: f64,
    /// The searched fields that matched, highlighted.
    pub matches: Vec<SearchMatch>,
}

/// A page of hits, best first.
#[derive(SimpleObject)]
pub struct SearchConnection {
    /// The hits of this page, best first.
    pub edges: Vec<SearchEdge>,
    /// Whether more hits follow, and the cursors to ask for them.
    pub page_info: PageInfo,
}

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Finds the workspace's live companies, contacts, deals, tickets and
    /// activities by what was typed: part of a name, an email, a phone, a
    /// ticket number (`#123`), words of a subject or body. Prefixes and
    /// one-letter slips match (`acm` and `acne` find "Acme"); the best
    /// matches come first (see `SearchEdge.score`).
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What was typed: 2 to 100 characters, any case.")] query: String,
        #[graphql(desc = "Only these types; all five when omitted.")] types: Option<
            Vec<SearchType>,
        >,
        #[graphql(desc = "At most this many hits, 1 to 50; 20 when omitted.")] first: Option<i32>,
        #[graphql(desc = "The hits after this cursor (an edge's `cursor`).")] after: Option<String>,
    ) -> ApiResult<SearchConnection> {
        let first = first.unwrap_or(20);
        if !(1..=MAX_FIRST).contains(&first) {
            return Err(ApiError::bad_input("first", format!("1 to {MAX_FIRST}")));
        }
        let offset = after
            .as_deref()
            .map(decode)
            .transpose()?
            .map_or(0, |o| o + 1);
        let kinds: Vec<Kind> = types
            .unwrap_or_else(|| SearchType::ALL.to_vec())
            .into_iter()
            .map(SearchType::kind)
            .collect();
        let wanted = u64::try_from(first).unwrap_or(20) + 1;
        let mut hits =
            search::search(db(ctx)?, actor(ctx)?, &query, &kinds, offset, wanted).await?;
        let has_next_page = hits.len() as u64 == wanted;
        hits.truncate(first.unsigned_abs() as usize);
        let normalized = search::normalize(&query)?;
        let found = Found::load(ctx, &hits).await?;
        let mut edges = Vec::with_capacity(hits.len());
        for (i, hit) in hits.iter().enumerate() {
            let Some((node, fields)) = found.get(hit) else {
                continue;
            };
            edges.push(SearchEdge {
                cursor: encode(offset + i as u64),
                node,
                score: (hit.score * 10_000.0).round() / 10_000.0,
                matches: matches(&fields, &normalized),
            });
        }
        let page_info = PageInfo {
            has_previous_page: offset > 0,
            has_next_page,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        };
        Ok(SearchConnection { edges, page_info })
    }
}

fn encode(position: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("search:{position}"))
}

fn decode(cursor: &str) -> ApiResult<u64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("search:")?.parse().ok())
        .ok_or_else(|| ApiError::bad_input("after", "not a cursor of this search"))
}

/// The records of a page of hits, loaded a statement per type.
struct Found {
    companies: HashMap<Uuid, Row<entity::company::Model>>,
    contacts: HashMap<Uuid, Row<entity::contact::Model>>,
    deals: HashMap<Uuid, Row<entity::deal::Model>>,
    tickets: HashMap<Uuid, Row<entity::ticket::Model>>,
    activities: HashMap<Uuid, Row<entity::activity::Model>>,
    /// The live custom field keys of each found type whose records hold
    /// values (a deleted field's values are found but never shown).
    custom_keys: HashMap<Kind, Vec<String>>,
}

/// A searched field of a record (its API name) and its text.
type Searched = (String, Option<String>);

/// A record's searched fields, by their API names.
type Fields = Vec<(&'static str, Option<String>)>;

impl Found {
    async fn load(ctx: &Context<'_>, hits: &[Hit]) -> ApiResult<Self> {
        let of = |kind: Kind| -> Vec<Uuid> {
            hits.iter()
                .filter(|h| h.kind == kind)
                .map(|h| h.id)
                .collect()
        };
        let mut found = Self {
            companies: rows_by_ids::<Company>(ctx, of(Kind::Company)).await?,
            contacts: rows_by_ids::<Contact>(ctx, of(Kind::Contact)).await?,
            deals: rows_by_ids::<Deal>(ctx, of(Kind::Deal)).await?,
            tickets: rows_by_ids::<Ticket>(ctx, of(Kind::Ticket)).await?,
            activities: rows_by_ids::<Activity>(ctx, of(Kind::Activity)).await?,
            custom_keys: HashMap::new(),
        };
        found.custom_keys = found.load_custom_keys(ctx).await?;
        Ok(found)
    }

    /// The custom field values of a found record, if its type has any.
    fn custom_values(&self, hit: &Hit) -> Option<&serde_json::Value> {
        let id = &hit.id;
        Some(match hit.kind {
            Kind::Company => &self.companies.get(id)?.model().custom_fields,
            Kind::Contact => &self.contacts.get(id)?.model().custom_fields,
            Kind::Deal => &self.deals.get(id)?.model().custom_fields,
            Kind::Ticket => &self.tickets.get(id)?.model().custom_fields,
            _ => return None,
        })
    }

    /// One statement per found type whose records hold custom values.
    async fn load_custom_keys(&self, ctx: &Context<'_>) -> ApiResult<HashMap<Kind, Vec<String>>> {
        use entity::enums::CustomFieldRecordType as Type;
        fn holds<M>(rows: &HashMap<Uuid, Row<M>>, values: fn(&M) -> &serde_json::Value) -> bool {
            rows.values()
                .any(|r| values(r.model()).as_object().is_some_and(|o| !o.is_empty()))
        }
        let types = [
            (
                Kind::Company,
                Type::Company,
                holds(&self.companies, |m| &m.custom_fields),
            ),
            (
                Kind::Contact,
                Type::Contact,
                holds(&self.contacts, |m| &m.custom_fields),
            ),
            (
                Kind::Deal,
                Type::Deal,
                holds(&self.deals, |m| &m.custom_fields),
            ),
            (
                Kind::Ticket,
                Type::Ticket,
                holds(&self.tickets, |m| &m.custom_fields),
            ),
        ];
        let (conn, workspace) = (db(ctx)?, actor(ctx)?.workspace_id);
        let mut keys = HashMap::new();
        for (kind, record_type, any) in types {
            if any {
                let fields = definitions(conn, workspace, record_type, false).await?;
                keys.insert(kind, fields.into_iter().map(|f| f.key).collect());
            }
        }
        Ok(keys)
    }

    /// The found record and its searched fields, its custom values last.
    fn get(&self, hit: &Hit) -> Option<(SearchResult, Vec<Searched>)> {
        let (node, fields) = self.get_record(hit)?;
        let mut fields: Vec<Searched> = fields
            .into_iter()
            .map(|(field, text)| (field.to_owned(), text))
            .collect();
        if let (Some(values), Some(keys)) =
            (self.custom_values(hit), self.custom_keys.get(&hit.kind))
        {
            for key in keys {
                if let Some(value) = values.get(key) {
                    fields.push((format!("customFields.{key}"), Some(as_text(value))));
                }
            }
        }
        Some((node, fields))
    }

    fn get_record(&self, hit: &Hit) -> Option<(SearchResult, Fields)> {
        let id = &hit.id;
        Some(match hit.kind {
            Kind::Company => {
                let row = self.companies.get(id)?.clone();
                let m = row.model();
                let fields = vec![("name", Some(m.name.clone())), ("domain", m.domain.clone())];
                (SearchResult::Company(Company::wrap(row)), fields)
            }
            Kind::Contact => {
                let row = self.contacts.get(id)?.clone();
                let m = row.model();
                let fields = vec![
                    ("firstName", Some(m.first_name.clone())),
                    ("lastName", Some(m.last_name.clone())),
                    ("email", m.email.clone()),
                    ("phone", m.phone.clone()),
                    ("jobTitle", m.job_title.clone()),
                ];
                (SearchResult::Contact(Contact::wrap(row)), fields)
            }
            Kind::Deal => {
                let row = self.deals.get(id)?.clone();
                let fields = vec![("name", Some(row.model().name.clone()))];
                (SearchResult::Deal(Deal::wrap(row)), fields)
            }
            Kind::Ticket => {
                let row = self.tickets.get(id)?.clone();
                let m = row.model();
                let fields = vec![
                    ("number", Some(format!("#{}", m.number))),
                    ("subject", Some(m.subject.clone())),
                    ("description", m.description.clone()),
                ];
                (SearchResult::Ticket(Ticket::wrap(row)), fields)
            }
            Kind::Activity => {
                let row = self.activities.get(id)?.clone();
                let m = row.model();
                let fields = vec![
                    ("subject", Some(m.subject.clone())),
                    ("body", m.body.clone()),
                ];
                (SearchResult::Activity(Activity::wrap(row)), fields)
            }
            _ => return None,
        })
    }
}
