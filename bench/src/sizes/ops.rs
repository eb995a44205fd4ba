//! The operations of the data-size table (issue 21), each as Rapport is
//! asked and, for the lists and the nested query, as PostGraphile is asked
//! on the same data: scoped to the workspace and to live rows, as Rapport's
//! reads are, with the connection-filter plugin for `contains` and `≥`.

use serde_json::{Value, json};

use crate::workloads::{PEER_NESTED, RAPPORT_NESTED};

/// Ids the operations refer to, read from the seeded workspace.
pub struct Fixture {
    /// The workspace's UUID (PostGraphile's conditions).
    pub workspace: String,
    /// Global ids: a ticket, the new-business pipeline, an open deal in it
    /// and two of its open stages to move the deal between.
    pub ticket: String,
    pub pipeline: String,
    pub deal: String,
    pub stages: [String; 2],
}

pub type Vars = fn(&Fixture, usize) -> Value;

pub struct Query {
    pub text: &'static str,
    pub vars: Vars,
}

/// What a successful answer holds.
#[derive(Clone, Copy)]
pub enum Expect {
    /// A list of 1 to 20 nodes at this path under `data`.
    Nodes(&'static [&'static str]),
    /// Something other than null at this path under `data`.
    Present(&'static [&'static str]),
}

pub struct Op {
    /// File name of its plans.
    pub key: &'static str,
    pub label: &'static str,
    pub write: bool,
    pub rapport: Query,
    pub rapport_expect: Expect,
    pub peer: Option<(Query, Expect)>,
}

fn none(_: &Fixture, _: usize) -> Value {
    json!({})
}

fn workspace(f: &Fixture, _: usize) -> Value {
    json!({ "ws": f.workspace })
}

/// A PostGraphile list of the workspace's live rows, first 20.
macro_rules! peer_list {
    ($collection:literal, $args:literal, $fields:literal) => {
        concat!(
            "query($ws: UUID!) { ",
            $collection,
            "(first: 20, condition: {workspaceId: $ws, deletedAt: null}",
            $args,
            ") { nodes { ",
            $fields,
            " } } }"
        )
    };
}

fn list(
    key: &'static str,
    label: &'static str,
    rapport: &'static str,
    root: &'static [&'static str],
    peer: &'static str,
    peer_root: &'static [&'static str],
) -> Op {
    Op {
        key,
        label,
        write: false,
        rapport: Query {
            text: rapport,
            vars: none,
        },
        rapport_expect: Expect::Nodes(root),
        peer: Some((
            Query {
                text: peer,
                vars: workspace,
            },
            Expect::Nodes(peer_root),
        )),
    }
}

fn rapport_only(
    key: &'static str,
    label: &'static str,
    text: &'static str,
    vars: Vars,
    expect: Expect,
    write: bool,
) -> Op {
    Op {
        key,
        label,
        write,
        rapport: Query { text, vars },
        rapport_expect: expect,
        peer: None,
    }
}

pub fn all() -> Vec<Op> {
    vec![
        list(
            "contacts-first-20",
            "contacts, first 20 (default order)",
            "{ contacts(first: 20) { nodes { id firstName lastName email } } }",
            &["contacts", "nodes"],
            peer_list!("allContacts", "", "id firstName lastName email"),
            &["allContacts", "nodes"],
        ),
        list(
            "contacts-by-last-name",
            "contacts, first 20 by last name",
            "{ contacts(first: 20, orderBy: [{field: LAST_NAME}]) { nodes { id firstName lastName email } } }",
            &["contacts", "nodes"],
            peer_list!(
                "allContacts",
                ", orderBy: [LAST_NAME_ASC, ID_ASC]",
                "id firstName lastName email"
            ),
            &["allContacts", "nodes"],
        ),
        list(
            "deals-first-20",
            "deals, first 20 (default order)",
            "{ deals(first: 20) { nodes { id name amount currency status } } }",
            &["deals", "nodes"],
            peer_list!("allDeals", "", "id name amountE4 currency status"),
            &["allDeals", "nodes"],
        ),
        list(
            "deals-by-amount-desc",
            "deals, first 20 by amount desc",
            "{ deals(first: 20, orderBy: [{field: AMOUNT, direction: DESC}]) { nodes { id name amount currency status } } }",
            &["deals", "nodes"],
            peer_list!(
                "allDeals",
                ", orderBy: [AMOUNT_E4_DESC, ID_ASC]",
                "id name amountE4 currency status"
            ),
            &["allDeals", "nodes"],
        ),
        list(
            "tickets-first-20",
            "tickets, first 20 (default order)",
            "{ tickets(first: 20) { nodes { id number subject status priority } } }",
            &["tickets", "nodes"],
            peer_list!("allTickets", "", "id number subject status priority"),
            &["allTickets", "nodes"],
        ),
        list(
            "tickets-by-opened-desc",
            "tickets, first 20 by opening desc",
            "{ tickets(first: 20, orderBy: [{field: OPENED_AT, direction: DESC}]) { nodes { id number subject status priority } } }",
            &["tickets", "nodes"],
            peer_list!(
                "allTickets",
                ", orderBy: [OPENED_AT_DESC, ID_ASC]",
                "id number subject status priority"
            ),
            &["allTickets", "nodes"],
        ),
        list(
            "companies-first-20",
            "companies, first 20",
            "{ companies(first: 20) { nodes { id name domain } } }",
            &["companies", "nodes"],
            peer_list!("allCompanies", "", "id name domain"),
            &["allCompanies", "nodes"],
        ),
        Op {
            key: "contacts-total-count",
            label: "contacts, totalCount",
            write: false,
            rapport: Query {
                text: "{ contacts(first: 1) { totalCount } }",
                vars: none,
            },
            rapport_expect: Expect::Present(&["contacts", "totalCount"]),
            peer: Some((
                Query {
                    text: "query($ws: UUID!) { allContacts(condition: {workspaceId: $ws, deletedAt: null}) { totalCount } }",
                    vars: workspace,
                },
                Expect::Present(&["allContacts", "totalCount"]),
            )),
        },
        list(
            "contacts-name-contains-ann",
            "contacts, name contains \"ann\"",
            "{ contacts(first: 20, filter: {or: [{firstName: {contains: \"ann\"}}, {lastName: {contains: \"ann\"}}]}) { nodes { id firstName lastName } } }",
            &["contacts", "nodes"],
            peer_list!(
                "allContacts",
                ", filter: {or: [{firstName: {includesInsensitive: \"ann\"}}, {lastName: {includesInsensitive: \"ann\"}}]}",
                "id firstName lastName"
            ),
            &["allContacts", "nodes"],
        ),
        rapport_only(
            "search-prefix",
            "search \"schmi\" (a prefix), first 20",
            "{ search(query: \"schmi\", first: 20) { edges { score node { __typename } } } }",
            none,
            Expect::Nodes(&["search", "edges"]),
            false,
        ),
        rapport_only(
            "search-slip",
            "search \"schmidd\" (a slip of one letter), first 20",
            "{ search(query: \"schmidd\", first: 20) { edges { score node { __typename } } } }",
            none,
            Expect::Nodes(&["search", "edges"]),
            false,
        ),
        rapport_only(
            "duplicate-contacts",
            "duplicateContacts, first 20 pairs (score first)",
            "{ duplicateContacts(first: 20) { nodes { score reasons } } }",
            none,
            Expect::Present(&["duplicateContacts", "nodes"]),
            false,
        ),
        rapport_only(
            "duplicate-companies",
            "duplicateCompanies, first 20 pairs (score first)",
            "{ duplicateCompanies(first: 20) { nodes { score reasons } } }",
            none,
            Expect::Present(&["duplicateCompanies", "nodes"]),
            false,
        ),
        rapport_only(
            "contacts-filter-search",
            "contacts, filter search \"weber\", first 20",
            "{ contacts(first: 20, filter: {search: \"weber\"}) { nodes { id lastName } } }",
            none,
            Expect::Nodes(&["contacts", "nodes"]),
            false,
        ),
        list(
            "deals-open-over-10000",
            "deals, open with amount ≥ 10,000",
            "{ deals(first: 20, filter: {status: {eq: OPEN}, amount: {gte: \"10000\"}}) { nodes { id name amount } } }",
            &["deals", "nodes"],
            peer_list!(
                "allDeals",
                ", filter: {status: {equalTo: \"OPEN\"}, amountE4: {greaterThanOrEqualTo: \"100000000\"}}",
                "id name amountE4"
            ),
            &["allDeals", "nodes"],
        ),
        list(
            "tickets-open-urgent",
            "tickets, open and urgent",
            "{ tickets(first: 20, filter: {status: {eq: OPEN}, priority: {eq: URGENT}}) { nodes { id number subject } } }",
            &["tickets", "nodes"],
            peer_list!(
                "allTickets",
                ", filter: {status: {equalTo: \"OPEN\"}, priority: {equalTo: \"URGENT\"}}",
                "id number subject"
            ),
            &["allTickets", "nodes"],
        ),
        Op {
            key: "nested-20-10-5-3",
            label: "nested 20 → 10 → 5 → 3",
            write: false,
            rapport: Query {
                text: RAPPORT_NESTED,
                vars: |_, _| json!({ "n": 20 }),
            },
            rapport_expect: Expect::Nodes(&["companies", "nodes"]),
            peer: Some((
                Query {
                    text: PEER_NESTED,
                    vars: |f, _| json!({ "n": 20, "ws": f.workspace }),
                },
                Expect::Nodes(&["allCompanies", "nodes"]),
            )),
        },
        rapport_only(
            "contacts-by-churn-risk",
            "contacts, first 20 by CHURN_RISK desc",
            "{ contacts(first: 20, orderBy: [{field: CHURN_RISK, direction: DESC}]) { nodes { id churnRisk } } }",
            none,
            Expect::Nodes(&["contacts", "nodes"]),
            false,
        ),
        rapport_only(
            "analytics-quarter",
            "analytics for a quarter (Q3 2026)",
            ANALYTICS,
            |_, _| json!({ "p": { "from": "2026-07-01T00:00:00Z", "to": "2026-10-01T00:00:00Z" } }),
            Expect::Present(&["analytics"]),
            false,
        ),
        rapport_only(
            "deal-groups-by-close-month",
            "dealGroups by close month",
            "{ dealGroups(groupBy: [{field: CLOSED_AT, bucket: MONTH}]) { key count amounts { currency count sum } } }",
            none,
            Expect::Present(&["dealGroups"]),
            false,
        ),
        rapport_only(
            "pipeline-dashboard",
            "pipelineDashboard",
            "query($p: ID!) { pipelineDashboard(pipelineId: $p) { stages { stage { name } count amounts { currency amount } } \
             openValue { currency amount } weightedForecast { currency amount } wonThisMonth { currency amount } winRate } }",
            |f, _| json!({ "p": f.pipeline }),
            Expect::Present(&["pipelineDashboard"]),
            false,
        ),
        rapport_only(
            "node-by-id",
            "node(id) (a ticket)",
            "query($id: ID!) { node(id: $id) { ... on Ticket { id number subject status } } }",
            |f, _| json!({ "id": f.ticket }),
            Expect::Present(&["node", "id"]),
            false,
        ),
        rapport_only(
            "create-ticket",
            "createTicket",
            "mutation($s: String!) { createTicket(input: {subject: $s}) { ticket { id number } } }",
            |_, i| json!({ "s": format!("Size benchmark ticket {i}") }),
            Expect::Present(&["createTicket", "ticket", "number"]),
            true,
        ),
        rapport_only(
            "move-deal",
            "moveDeal",
            "mutation($id: ID!, $stage: ID!) { moveDeal(id: $id, stageId: $stage) { deal { id stage { name } } } }",
            |f, i| json!({ "id": f.deal, "stage": f.stages[i % 2] }),
            Expect::Present(&["moveDeal", "deal", "id"]),
            true,
        ),
    ]
}

const ANALYTICS: &str = "query($p: PeriodInput!) { analytics(period: $p) {
    leadConversion { leads converted rate } dealOutcomes { won lost winRate }
    wonRevenue { currency amount count } netNewRevenue { currency amount }
    averageDealSize { currency amount } pipelineValue { currency amount count }
    weightedForecast { currency amount } averageSalesCycleDays
    timeInStage { stage { name } stays averageDays } closeReasons { outcome reason count }
    nps { responses promoters passives detractors score } csat { responses average }
    churn { customersAtStart churned rate } averageResolutionHours
    ticketVolume { category count }
    orderMix { orders firstOrders upsellOrders crossSellOrders upsellRate crossSellRate } } }";

/// Checks an answer's `data` against what the operation expects.
pub fn check(expect: Expect, data: &Value) -> Result<(), String> {
    let (path, nodes) = match expect {
        Expect::Nodes(path) => (path, true),
        Expect::Present(path) => (path, false),
    };
    let found = path.iter().try_fold(data, |v, key| v.get(key));
    match (found, nodes) {
        (Some(Value::Array(items)), true) if (1..=20).contains(&items.len()) => Ok(()),
        (Some(v), false) if !v.is_null() => Ok(()),
        (found, _) => Err(format!(
            "expected {} at {}, got {}",
            if nodes { "1–20 nodes" } else { "a value" },
            path.join("."),
            found.map_or_else(
                || "nothing".to_string(),
                |v| v.to_string().chars().take(120).collect()
            )
        )),
    }
}
