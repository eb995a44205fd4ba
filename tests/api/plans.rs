//! Every sort of every list reads an index range on PostgreSQL: a page costs
//! the page, not the workspace.
//!
//! The test walks, through introspection, every `orderBy` field of every
//! top-level list in both directions, asks for a first page and the page
//! after its cursor, and reads the plan PostgreSQL chose for each paging
//! statement from its log (`auto_explain`). The database runs with
//! `enable_seqscan` and `enable_sort` off, so the planner takes an index
//! whenever one can serve: a sequential scan, or a sort of rows that no
//! `LIMIT` bounds, is left in a plan only when no index fits the sort.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::common::postgres;
use crate::helpers::{Backend, spawn_app_with};

/// The settings that make the test database log every plan, as JSON, and
/// prefer any index to a scan or a sort.
pub(crate) const EXPLAINED: &[(&str, &str)] = &[
    ("session_preload_libraries", "auto_explain"),
    ("auto_explain.log_min_duration", "0"),
    ("auto_explain.log_format", "json"),
    ("enable_seqscan", "off"),
    ("enable_sort", "off"),
];

/// Sorts whose value depends on the clock (a churn risk's recency, an open
/// deal's age), which no index can hold in order: these sort the
/// workspace's live rows (one pass over stored columns, no subquery) and are
/// measured in BENCHMARKS.md; they must still read through an index.
const CLOCK_DEPENDENT: &[&str] = &["CHURN_RISK", "AGE_DAYS"];

const INTROSPECTION: &str = r#"{ __schema { queryType { fields {
    name
    type { name kind ofType { name kind } }
    args { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
} } } }"#;

#[tokio::test]
async fn every_sort_of_every_list_reads_an_index_range_on_postgres() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let Some((app, _, token)) = demo_on_postgres_with(cluster, EXPLAINED).await else {
        return;
    };
    let log = Logged::of(&app);

    let lists = sortable_lists(&app.gql_as(&token, INTROSPECTION, json!({})).await);
    let mut walked = BTreeSet::new();
    let mut failures = Vec::new();
    for (list, ordering) in &lists {
        for field in enum_values(&app, &token, ordering).await {
            for direction in ["ASC", "DESC"] {
                let order = format!("orderBy: [{{ field: {field}, direction: {direction} }}]");
                let first = format!("{{ {list}(first: 3, {order}) {{ edges {{ cursor }} }} }}");
                let offset = log.len();
                let page = app.gql_as(&token, &first, json!({})).await;
                assert!(page.get("errors").is_none(), "{first}: {page}");
                let sorts = CLOCK_DEPENDENT.contains(&field.as_str());
                failures.extend(check_plans(&log, offset, &first, sorts));
                let Some(cursor) = page["data"][list]["edges"][0]["cursor"].as_str() else {
                    continue;
                };
                let next = format!(
                    "{{ {list}(first: 3, after: \"{cursor}\", {order}) {{ edges {{ cursor }} }} }}"
                );
                let offset = log.len();
                let page = app.gql_as(&token, &next, json!({})).await;
                assert!(page.get("errors").is_none(), "{next}: {page}");
                failures.extend(check_plans(&log, offset, &next, sorts));
            }
            walked.insert(format!("{list}.{field}"));
        }
    }
    for expected in [
        "contacts.LAST_NAME",
        "companies.NAME",
        "deals.AMOUNT",
        "tickets.OPENED_AT",
        "activities.OCCURRED_AT",
    ] {
        assert!(
            walked.contains(expected),
            "{expected} not walked: {walked:?}"
        );
    }
    // A support queue's page: both equalities bound the index range, so
    // nothing is read only to be filtered out.
    let queue = "{ tickets(first: 3, filter: { status: { eq: OPEN }, priority: { eq: URGENT } }) { edges { cursor } } }";
    let offset = log.len();
    let page = app.gql_as(&token, queue, json!({})).await;
    assert!(page.get("errors").is_none(), "{queue}: {page}");
    failures.extend(check_plans(&log, offset, queue, false));
    let logged = log.since(offset);
    // Only the page's statement: the server's background workers (import
    // jobs, webhook deliveries) poll the same database meanwhile.
    for plan in logged.iter().filter(|p| {
        p["Query Text"]
            .as_str()
            .is_some_and(|q| q.contains("\"_page\""))
    }) {
        let mut filters = Vec::new();
        filters_of(&plan["Plan"], &mut filters);
        if filters
            .iter()
            .any(|f| f.contains("status") || f.contains("priority"))
        {
            failures.push(format!("{queue}: filtered after the index: {filters:?}"));
        }
    }
    // Filters across relations: each EXISTS reads the related table through
    // its workspace-led key index.
    for related in [
        r#"companies(first: 3, filter: { deals: { some: { stage: { name: { eq: "Negotiation" } } } } })"#,
        r#"deals(first: 3, filter: { tickets: { some: { status: { eq: OPEN }, priority: { eq: URGENT } } } })"#,
        r#"contacts(first: 3, filter: { company: { industry: { eq: "Retail" } }, deals: { none: {} } })"#,
        r#"companies(first: 3, filter: { contacts: { every: { tickets: { none: { priority: { eq: LOW } } } } } })"#,
    ] {
        let query = format!("{{ {related} {{ edges {{ cursor }} }} }}");
        let offset = log.len();
        let page = app.gql_as(&token, &query, json!({})).await;
        assert!(page.get("errors").is_none(), "{query}: {page}");
        failures.extend(check_plans(&log, offset, &query, false));
    }
    // Search reads each table's trigram index, for the query itself (every
    // statement ranking it) and, when that finds too few, for near matches
    // (the `<%` statement); each ranking then sorts what matched.
    for (typed, marker) in [("platform", r#"AS "kind""#), ("platfrom", "<%")] {
        let search = format!("{{ search(query: \"{typed}\", first: 3) {{ edges {{ cursor }} }} }}");
        let offset = log.len();
        let page = app.gql_as(&token, &search, json!({})).await;
        assert!(page.get("errors").is_none(), "{search}: {page}");
        failures.extend(check_plans_of(&log, offset, &search, marker, true));
    }
    // A list's search filter: the probe reads a key range of the newest
    // documents, and a rare query's page reads the trigram index (then
    // sorts what it found).
    for typed in ["platform", "platfrom"] {
        let list = format!(
            "{{ contacts(first: 3, filter: {{ search: \"{typed}\" }}) {{ edges {{ cursor }} }} }}"
        );
        let offset = log.len();
        let page = app.gql_as(&token, &list, json!({})).await;
        assert!(page.get("errors").is_none(), "{list}: {page}");
        failures.extend(check_plans_of(&log, offset, &list, r#"AS "sample""#, false));
        failures.extend(check_plans(&log, offset, &list, true));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// An app on a fresh PostgreSQL database that runs with `settings`, holding
/// the demo data: the app, the demo admin, and a token for it.
pub(crate) async fn demo_on_postgres_with(
    cluster: &postgres::PgCluster,
    settings: &[(&str, &str)],
) -> Option<(crate::helpers::TestApp, rapport::auth::Actor, String)> {
    let app = spawn_app_with(Backend::Postgres, |config| {
        let name = crate::helpers::database_name(&config.database_url);
        for (setting, value) in settings {
            cluster.psql(
                "postgres",
                &format!(r#"ALTER DATABASE "{name}" SET {setting} = '{value}'"#),
            );
        }
    })
    .await?;
    rapport::seed::demo(&app.state.core).await.expect("seeded");
    let admin = rapport::seed::actor_by_email(&app.state.db, rapport::seed::DEMO_ADMIN_EMAIL)
        .await
        .expect("demo admin");
    let token = app.state.issue_token(&admin);
    Some((app, admin, token))
}

/// The `Filter` of every node of a plan.
fn filters_of(node: &Value, out: &mut Vec<String>) {
    if let Some(filter) = node["Filter"].as_str() {
        out.push(filter.to_owned());
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        filters_of(child, out);
    }
}

/// `(list field, ordering input type)` of every query field that returns a
/// connection, takes `orderBy` and needs no other argument.
fn sortable_lists(schema: &Value) -> Vec<(String, String)> {
    let fields = schema["data"]["__schema"]["queryType"]["fields"]
        .as_array()
        .expect("query fields");
    let mut lists = Vec::new();
    for field in fields {
        let returns = field["type"]["name"]
            .as_str()
            .or(field["type"]["ofType"]["name"].as_str())
            .unwrap_or_default();
        if !returns.ends_with("Connection") {
            continue;
        }
        let args = field["args"].as_array().expect("args");
        if args.iter().any(|a| a["type"]["kind"] == "NON_NULL") {
            continue;
        }
        let Some(order_by) = args.iter().find(|a| a["name"] == "orderBy") else {
            continue;
        };
        // [XOrdering!] — the named type two or three levels down.
        let mut ty = &order_by["type"];
        while ty["name"].is_null() {
            ty = &ty["ofType"];
        }
        lists.push((
            field["name"].as_str().expect("name").to_owned(),
            ty["name"].as_str().expect("ordering").to_owned(),
        ));
    }
    lists
}

/// The values of the `field` enum of an ordering input type.
async fn enum_values(app: &crate::helpers::TestApp, token: &str, ordering: &str) -> Vec<String> {
    let query = format!(
        r#"{{ __type(name: "{ordering}") {{ inputFields {{ name type {{ name ofType {{ name }} }} }} }} }}"#
    );
    let input = app.gql_as(token, &query, json!({})).await;
    let field = input["data"]["__type"]["inputFields"]
        .as_array()
        .expect("input fields")
        .iter()
        .find(|f| f["name"] == "field")
        .expect("a field input");
    let enum_name = field["type"]["name"]
        .as_str()
        .or(field["type"]["ofType"]["name"].as_str())
        .expect("enum name");
    let query = format!(r#"{{ __type(name: "{enum_name}") {{ enumValues {{ name }} }} }}"#);
    let values = app.gql_as(token, &query, json!({})).await;
    values["data"]["__type"]["enumValues"]
        .as_array()
        .expect("enum values")
        .iter()
        .map(|v| v["name"].as_str().expect("value").to_owned())
        .collect()
}

/// Runs `query` and returns the plans logged meanwhile for the statements
/// whose text holds `marker` (at least one).
pub(crate) async fn plans_of(
    app: &crate::helpers::TestApp,
    token: &str,
    query: &str,
    marker: &str,
) -> Vec<Value> {
    let log = Logged::of(app);
    let offset = log.len();
    let answer = app.gql_as(token, query, json!({})).await;
    assert!(answer.get("errors").is_none(), "{query}: {answer}");
    let plans: Vec<Value> = log
        .since(offset)
        .into_iter()
        .filter(|p| p["Query Text"].as_str().is_some_and(|q| q.contains(marker)))
        .collect();
    assert!(
        !plans.is_empty(),
        "{query}: no statement with {marker} logged"
    );
    plans
}

/// Where one test's plans are: the cluster's log, which every test shares,
/// and its database's name, which each of its lines carries.
pub(crate) struct Logged {
    file: std::path::PathBuf,
    database: String,
}

impl Logged {
    /// The plans of `app`'s database.
    pub(crate) fn of(app: &crate::helpers::TestApp) -> Self {
        Logged {
            file: postgres::cluster().expect("the cluster").log_file(),
            database: crate::helpers::database_name(&app.state.config.database_url),
        }
    }

    /// The log's length: where what runs next is logged.
    pub(crate) fn len(&self) -> usize {
        postgres::log_len(&self.file) as usize
    }

    /// The database's plans logged after `offset`: only that tail is read.
    pub(crate) fn since(&self, offset: usize) -> Vec<Value> {
        logged_plans(
            &postgres::log_since(&self.file, offset as u64),
            &self.database,
        )
    }
}

/// The plans logged since `offset` for paging statements, each checked;
/// returns what is wrong with them (nothing when all are index ranges, or
/// with `sorts`, when all read through an index).
fn check_plans(log: &Logged, offset: usize, query: &str, sorts: bool) -> Vec<String> {
    check_plans_of(log, offset, query, "\"_page\"", sorts)
}

/// [`check_plans`] for the statements whose text holds `marker`.
fn check_plans_of(
    log: &Logged,
    offset: usize,
    query: &str,
    marker: &str,
    sorts: bool,
) -> Vec<String> {
    // Logging is asynchronous to the client's answer only by the write of
    // the log line; the statement finished before the answer was sent.
    let plans = log.since(offset);
    let paging: Vec<&Value> = plans
        .iter()
        .filter(|p| p["Query Text"].as_str().is_some_and(|q| q.contains(marker)))
        .collect();
    if paging.is_empty() {
        return vec![format!("{query}: no statement with {marker} was logged")];
    }
    let mut failures = Vec::new();
    for plan in paging {
        let mut problems = Vec::new();
        walk(&plan["Plan"], false, &mut problems);
        if sorts {
            problems.retain(|p| p.starts_with("sequential"));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{query}: {}\n{}",
                problems.join("; "),
                serde_json::to_string_pretty(&plan["Plan"]).unwrap_or_default()
            ));
        }
    }
    failures
}

/// The JSON plans of auto_explain entries: `… plan:` then the document on
/// the following lines, each indented by a tab. Only `database`'s: other
/// tests log theirs in the same file.
fn logged_plans(text: &str, database: &str) -> Vec<Value> {
    let mut plans = Vec::new();
    let mut lines = text.lines().peekable();
    let ours = format!("] {database} ");
    while let Some(line) = lines.next() {
        if !line.ends_with("plan:") || !line.contains(&ours) {
            continue;
        }
        let mut document = String::new();
        while let Some(next) = lines.peek() {
            if !next.starts_with('\t') {
                break;
            }
            document.push_str(&next[1..]);
            document.push('\n');
            lines.next();
        }
        if let Ok(plan) = serde_json::from_str(&document) {
            plans.push(plan);
        }
    }
    plans
}

const SCANS: &[&str] = &[
    "Seq Scan",
    "Index Scan",
    "Index Only Scan",
    "Bitmap Heap Scan",
];

/// Walks a plan node; `sorting` is true below a Sort that no Limit has
/// bounded since.
fn walk(node: &Value, sorting: bool, problems: &mut Vec<String>) {
    let kind = node["Node Type"].as_str().unwrap_or_default();
    let relation = node["Relation Name"].as_str().unwrap_or_default();
    if kind == "Seq Scan" {
        problems.push(format!("sequential scan of {relation}"));
    }
    if sorting && SCANS.contains(&kind) {
        problems.push(format!("sort of every row of {relation} the filter keeps"));
    }
    let sorting = match kind {
        "Limit" => false,
        "Sort" | "Incremental Sort" => true,
        _ => sorting,
    };
    for child in node["Plans"].as_array().into_iter().flatten() {
        walk(child, sorting, problems);
    }
}
