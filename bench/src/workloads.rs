//! The workloads (a–g of the issue), each adding its rows to the report.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;

use crate::http::{
    self, Checker, MakeRequest, Sample, Target, count, gql, no_errors, percentile_ms,
};
use crate::report::{self, ms, ratio, rps};
use crate::sql;
use crate::ws::{self, SubscribeSpec};
use crate::{Ctx, procs};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Rapport,
    Peer,
}

pub struct Contender {
    pub kind: Kind,
    pub pid: i32,
    pub target: Target,
}

pub const RAPPORT_NESTED: &str = "query Nested($n: Int!) { companies(first: $n, orderBy: [{field: NAME}]) { nodes { id name \
    contacts(first: 10) { nodes { id firstName deals(first: 5) { nodes { id name amount \
    tickets(first: 3) { nodes { id subject } } } } } } } } }";

/// PostGraphile's equivalent: contact → deals goes through the deal_contact
/// join table (PostGraphile v4 has no many-to-many without a plugin), and
/// every level is scoped to the workspace (and skips deleted rows) as
/// Rapport's are, which also lets it use the same (workspace_id, …) indexes:
/// without the condition it scans whole tables per parent. The relations
/// are named after their foreign keys, which carry `workspace_id` since
/// migration 53.
pub const PEER_NESTED: &str = "query Nested($n: Int!, $ws: UUID!) { \
    allCompanies(first: $n, orderBy: NAME_ASC, condition: {workspaceId: $ws, deletedAt: null}) { nodes { id name \
    contactsByCompanyIdAndWorkspaceId(first: 10, condition: {workspaceId: $ws, deletedAt: null}) { nodes { id firstName \
    dealContactsByContactIdAndWorkspaceId(first: 5, condition: {workspaceId: $ws}) { nodes { \
    dealByDealIdAndWorkspaceId { id name amountE4 \
    ticketsByDealIdAndWorkspaceId(first: 3, condition: {workspaceId: $ws, deletedAt: null}) { nodes { id subject } } } } } } } } } }";

/// The seeded workspace: md5('workspace')::uuid (bench/seed.sql).
pub const WORKSPACE: &str = "1629dee4-8cc4-e531-61f9-b2be8614e062";

const RAPPORT_LOOKUP: &str =
    "query Lookup($id: ID!) { node(id: $id) { ... on Ticket { id subject status } } }";
const PEER_LOOKUP: &str = "query Lookup($id: UUID!) { ticketById(id: $id) { id subject status } }";

const RAPPORT_CREATE: &str =
    "mutation Create($s: String!) { createTicket(input: {subject: $s}) { ticket { id subject } } }";
const PEER_CREATE: &str = "mutation Create($s: String!) { benchCreateTicket(input: {subject: $s}) { ticket { id subject } } }";

const RAPPORT_SUBSCRIPTION: &str = "subscription { ticketEvents { cursor ticket { subject } } }";
const PEER_SUBSCRIPTION: &str = "subscription { listen(topic: \"ticket_events\") { relatedNode { ... on Ticket { subject } } } }";

impl Contender {
    fn name(&self) -> &'static str {
        self.target.name
    }

    /// The database role it connects as (pg_stat_statements' `userid`).
    fn role(&self) -> &'static str {
        match self.kind {
            Kind::Rapport => "rapport",
            Kind::Peer => "peer",
        }
    }

    /// The nested query for the first `n` companies, checked for exactly
    /// n companies, 10 contacts each, 5 deals each, 3 tickets each.
    fn nested(&self, n: usize) -> MakeRequest {
        let body = match self.kind {
            Kind::Rapport => gql(RAPPORT_NESTED, serde_json::json!({ "n": n })),
            Kind::Peer => gql(PEER_NESTED, serde_json::json!({ "n": n, "ws": WORKSPACE })),
        };
        let kind = self.kind;
        Arc::new(move |_, _| {
            let check: Checker = Box::new(move |b: &[u8]| check_nested(kind, n, b));
            (body.clone(), check)
        })
    }

    fn lookup(&self, ids: Arc<Vec<String>>) -> MakeRequest {
        let kind = self.kind;
        Arc::new(move |w, i| {
            let uuid = &ids[((w as u64 * 1_000_003 + i * 7_919) % ids.len() as u64) as usize];
            let (body, want) = match kind {
                Kind::Rapport => {
                    // Rapport's global ids carry the UUID without hyphens.
                    let gid = URL_SAFE_NO_PAD.encode(format!("Ticket:{}", uuid.replace('-', "")));
                    (gql(RAPPORT_LOOKUP, serde_json::json!({ "id": gid })), gid)
                }
                Kind::Peer => (
                    gql(PEER_LOOKUP, serde_json::json!({ "id": uuid })),
                    uuid.clone(),
                ),
            };
            let check: Checker = Box::new(move |b: &[u8]| {
                no_errors(b)?;
                if count(b, format!("\"id\":\"{want}\"").as_bytes()) != 1
                    || count(b, b"\"subject\":\"Ticket ") != 1
                {
                    bail!("not the ticket asked for");
                }
                Ok(())
            });
            (body, check)
        })
    }

    fn create(&self, label: String) -> MakeRequest {
        let kind = self.kind;
        let seq = Arc::new(AtomicU64::new(0));
        Arc::new(move |w, _| {
            let n = seq.fetch_add(1, Ordering::Relaxed);
            let subject = format!("{label} w{w} #{n}");
            (self_create_body(kind, &subject), created_check(subject))
        })
    }

    fn subscribe_spec(&self, token: &str) -> SubscribeSpec {
        match self.kind {
            Kind::Rapport => SubscribeSpec {
                url: format!("ws://{}/graphql", self.target.addr),
                init: serde_json::json!({ "authorization": format!("Bearer {token}") }),
                query: RAPPORT_SUBSCRIPTION.into(),
            },
            Kind::Peer => SubscribeSpec {
                url: format!("ws://{}/graphql", self.target.addr),
                init: serde_json::json!({}),
                query: PEER_SUBSCRIPTION.into(),
            },
        }
    }
}

fn self_create_body(kind: Kind, subject: &str) -> Bytes {
    match kind {
        Kind::Rapport => gql(RAPPORT_CREATE, serde_json::json!({ "s": subject })),
        Kind::Peer => gql(PEER_CREATE, serde_json::json!({ "s": subject })),
    }
}

fn created_check(subject: String) -> Checker {
    Box::new(move |b: &[u8]| {
        no_errors(b)?;
        if count(b, format!("\"subject\":\"{subject}\"").as_bytes()) != 1
            || count(b, b"\"id\":\"") != 1
        {
            bail!("not the created ticket");
        }
        Ok(())
    })
}

fn check_nested(kind: Kind, n: usize, b: &[u8]) -> Result<()> {
    no_errors(b)?;
    let (companies, contacts, deals): (&[u8], &[u8], &[u8]) = match kind {
        Kind::Rapport => (b"\"contacts\":{", b"\"firstName\":", b"\"amount\":"),
        Kind::Peer => (
            b"\"contactsByCompanyIdAndWorkspaceId\":{",
            b"\"firstName\":",
            b"\"amountE4\":",
        ),
    };
    let got = [
        count(b, companies),
        count(b, contacts),
        count(b, deals),
        count(b, b"\"subject\":"),
    ];
    let want = [n, n * 10, n * 50, n * 150];
    if got != want {
        bail!("counts (companies, contacts, deals, tickets) {got:?}, expected {want:?}");
    }
    Ok(())
}

fn checks(s: &Sample) -> String {
    if s.failed == 0 {
        format!("{} ok", s.ok)
    } else {
        format!("{} ok, **{} failed**", s.ok, s.failed)
    }
}

/// Runs every selected workload; a workload that fails adds an error row
/// and the run goes on.
pub async fn all(ctx: &mut Ctx) -> Result<()> {
    let rapport = ctx.start_rapport("rapport-main", true).await?;
    let peer = ctx.start_peer("postgraphile-main").await?;
    let r = Contender {
        kind: Kind::Rapport,
        pid: rapport.pid,
        target: rapport.target,
    };
    let p = Contender {
        kind: Kind::Peer,
        pid: peer.pid,
        target: peer.target,
    };
    stamp(
        ctx,
        &format!(
            "Rapport on {}, PostGraphile on {}",
            r.target.addr, p.target.addr
        ),
    );
    sanity(ctx, &r, &p).await?;

    if ctx.plan.runs('a') || ctx.plan.runs('c') {
        stamp(ctx, "a/c: nested query (and the raw-SQL limit)");
        if let Err(e) = nested(ctx, &r, &p).await {
            error_row(ctx, "a. nested", e);
        }
    }
    if ctx.plan.runs('b') {
        stamp(ctx, "b: SQL statements per request");
        if let Err(e) = statements(ctx, &r, &p).await {
            error_row(ctx, "b. statements", e);
        }
    }
    if ctx.plan.runs('d') {
        stamp(ctx, "d: lookup by id");
        if let Err(e) = lookup(ctx, &r, &p).await {
            error_row(ctx, "d. lookup", e);
        }
    }
    let mut mutation_rps = f64::NAN;
    if ctx.plan.runs('e') {
        stamp(ctx, "e: mutations");
        match mutations(ctx, &r, &p).await {
            Ok(v) => mutation_rps = v,
            Err(e) => error_row(ctx, "e. mutations", e),
        }
    }
    procs::stop(r.pid);
    procs::stop(p.pid);
    if ctx.plan.runs('f') {
        stamp(ctx, "f: subscription fan-out");
        if let Err(e) = fanout(ctx).await {
            error_row(ctx, "f. fan-out", e);
        }
    }
    if ctx.plan.runs('g') {
        stamp(ctx, "g: cross-instance delivery through Redis");
        if let Err(e) = cross(ctx, mutation_rps).await {
            error_row(ctx, "g. cross-instance", e);
        }
    }
    let busy = crate::report::cpu_busy(Duration::from_secs(1));
    ctx.report.machine.push(format!(
        "CPU busy (all processes) just after the run, servers stopped: {busy:.0}%"
    ));
    Ok(())
}

fn stamp(ctx: &Ctx, what: &str) {
    eprintln!("[{:>5.1}s] {what}", ctx.started.elapsed().as_secs_f64());
}

fn error_row(ctx: &mut Ctx, workload: &str, e: anyhow::Error) {
    eprintln!("    {workload} failed: {e:#}");
    ctx.report.row(
        workload,
        &format!(
            "**could not be measured**: {}",
            format!("{e:#}").replace('|', "/").replace('\n', " ")
        ),
        "–".into(),
        "–".into(),
        String::new(),
        "",
        Some(false),
    );
}

/// Both servers answer the nested query with the right counts, and what
/// each does with a page size over Rapport's cap.
async fn sanity(_ctx: &mut Ctx, r: &Contender, p: &Contender) -> Result<()> {
    for c in [r, p] {
        let (body, check) = (c.nested(50))(0, 0);
        let mut conn = http::Conn::open(&c.target).await?;
        let mut took = Vec::new();
        let mut size = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let (status, bytes) = conn.post(body.clone()).await?;
            took.push(t.elapsed().as_secs_f64() * 1000.0);
            if status != 200 {
                bail!("{}: nested query answered HTTP {status}", c.name());
            }
            size = bytes.len();
        }
        let (status, bytes) = conn.post(body).await?;
        if status != 200 {
            bail!("{}: nested query answered HTTP {status}", c.name());
        }
        check(&bytes).with_context(|| format!("{}: nested query for 50 companies", c.name()))?;
        eprintln!(
            "    {}: nested first 50 → {size} bytes, counts right; alone: {:.0} / {:.0} / {:.0} ms",
            c.name(),
            took[0],
            took[1],
            took[2]
        );
    }
    Ok(())
}

/// Runs `make` on each contender: a warm-up each, then the plan's rounds,
/// contenders alternating within every round.
async fn rounds(
    ctx: &Ctx,
    list: &[(&Contender, MakeRequest)],
    concurrency: usize,
    label: &str,
) -> Result<Vec<Sample>> {
    for (c, make) in list {
        let w = http::load(&c.target, concurrency, ctx.plan.warmup, make.clone()).await?;
        eprintln!(
            "    warm-up {label} {}: {:.0}/s, {} failed",
            c.name(),
            w.rps(),
            w.failed
        );
    }
    let mut samples = vec![Sample::default(); list.len()];
    for round in 0..ctx.plan.rounds {
        for (i, (c, make)) in list.iter().enumerate() {
            let s = measured(ctx, c, concurrency, make.clone()).await?;
            write_timeline(ctx, label, c.name(), round + 1, &s)?;
            let mut l = s.latencies.clone();
            eprintln!(
                "    round {} {label} {}: {:.1}/s p50 {:.2} ms p99 {:.2} ms ({} ok, {} failed{})",
                round + 1,
                c.name(),
                s.rps(),
                percentile_ms(&mut l, 50.0),
                percentile_ms(&mut l, 99.0),
                s.ok,
                s.failed,
                s.first_failure
                    .as_deref()
                    .map(|f| format!(": {f:.300}"))
                    .unwrap_or_default()
            );
            samples[i].merge(s);
        }
    }
    Ok(samples)
}

/// Writes when each request of a round started (Unix ms) and how long it
/// took (µs), to place slow requests beside the server's and PostgreSQL's logs.
fn write_timeline(ctx: &Ctx, label: &str, name: &str, round: usize, s: &Sample) -> Result<()> {
    let began = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .saturating_sub(s.elapsed);
    let file = format!("timeline {label} {name} {round}.csv").replace(' ', "-");
    let mut out = String::from("start_unix_ms,latency_us\n");
    for (start, took) in s.started.iter().zip(&s.latencies) {
        let at = began + Duration::from_micros(u64::from(*start));
        out.push_str(&format!("{:.3},{took}\n", at.as_secs_f64() * 1000.0));
    }
    std::fs::write(ctx.logs.join(file), out)?;
    Ok(())
}

/// One measured round, with the CPU the server and PostgreSQL used.
async fn measured(
    ctx: &Ctx,
    c: &Contender,
    concurrency: usize,
    make: MakeRequest,
) -> Result<Sample> {
    let (server0, db0, client0) = (
        report::tree_jiffies(c.pid),
        report::tree_jiffies(ctx.postmaster),
        report::own_jiffies(),
    );
    let mut s = http::load(&c.target, concurrency, ctx.plan.round, make).await?;
    s.server_cpu = report::tree_jiffies(c.pid).saturating_sub(server0);
    s.db_cpu = report::tree_jiffies(ctx.postmaster).saturating_sub(db0);
    s.client_cpu = report::own_jiffies().saturating_sub(client0);
    Ok(s)
}

/// The row saying where the CPU went (the load client's share in brackets).
fn cpu_row(ctx: &mut Ctx, workload: &str, r: &Sample, p: &Sample) {
    let (rs, rd, rc) = r.cpu_per_request();
    let (ps, pd, pc) = p.cpu_per_request();
    ctx.report.row(
        workload,
        "CPU per request: server + PostgreSQL (load client)",
        format!("{rs:.2} + {rd:.2} ms ({rc:.2})"),
        format!("{ps:.2} + {pd:.2} ms ({pc:.2})"),
        ratio(rs + rd, ps + pd),
        "",
        None,
    );
}

async fn nested(ctx: &mut Ctx, r: &Contender, p: &Contender) -> Result<()> {
    // First 50: Rapport, PostGraphile and the raw SQL, round after round.
    let list = [(r, r.nested(50)), (p, p.nested(50))];
    for (c, make) in &list {
        http::load(&c.target, 4, ctx.plan.warmup, make.clone()).await?;
    }
    let mut statements_per_request = 0;
    let script = match capture_statements(ctx, r, 50).await {
        Ok((s, vars, k)) => {
            statements_per_request = k;
            Some((s, vars))
        }
        Err(e) => {
            ctx.report
                .note(format!("c. could not capture Rapport's statements: {e:#}"));
            None
        }
    };
    ctx.db.reset_statements()?;
    let mut samples = [Sample::default(), Sample::default()];
    let mut raw_tps = Vec::new();
    let mut raw_error = None;
    for round in 0..ctx.plan.rounds {
        for (i, (c, make)) in list.iter().enumerate() {
            let s = measured(ctx, c, 4, make.clone()).await?;
            let mut l = s.latencies.clone();
            eprintln!(
                "    round {} nested first 50 {}: {:.1}/s p50 {:.2} ms p99 {:.2} ms ({} ok, {} failed{})",
                round + 1,
                c.name(),
                s.rps(),
                percentile_ms(&mut l, 50.0),
                percentile_ms(&mut l, 99.0),
                s.ok,
                s.failed,
                s.first_failure
                    .as_deref()
                    .map(|f| format!(": {f:.300}"))
                    .unwrap_or_default()
            );
            samples[i].merge(s);
        }
        if let Some((script, vars)) = &script
            && ctx.plan.runs('c')
            && raw_error.is_none()
        {
            let (db, script, vars, secs, log) = (
                ctx.db.clone(),
                script.clone(),
                vars.clone(),
                ctx.plan.round.as_secs(),
                ctx.logs.join(format!("pgbench-round{}.log", round + 1)),
            );
            match tokio::task::spawn_blocking(move || {
                sql::pgbench(&db, &script, &vars, 4, secs, &log)
            })
            .await?
            {
                Ok(tps) => {
                    eprintln!(
                        "    round {} raw SQL (pgbench, 4 clients): {tps:.1}/s",
                        round + 1
                    );
                    raw_tps.push(tps);
                }
                Err(e) => raw_error = Some(e),
            }
        }
    }
    let [mut rs, mut ps] = [samples[0].clone(), samples[1].clone()];
    let a = "a. nested 50 → 10 → 5 → 3 (10,550 objects), 4 clients";
    ctx.report.row(
        a,
        "throughput",
        rps(rs.rps()),
        rps(ps.rps()),
        ratio(rs.rps(), ps.rps()),
        "≥ 2× peer",
        Some(rs.rps() >= 2.0 * ps.rps()),
    );
    let (r50, p50) = (rs.pct_ms(50.0), ps.pct_ms(50.0));
    ctx.report.row(
        a,
        "p50 latency",
        ms(r50),
        ms(p50),
        ratio(r50, p50),
        "",
        None,
    );
    let (r99, p99) = (rs.pct_ms(99.0), ps.pct_ms(99.0));
    ctx.report.row(
        a,
        "p99 latency",
        ms(r99),
        ms(p99),
        ratio(r99, p99),
        "≤ 0.5× peer",
        Some(r99 <= 0.5 * p99),
    );
    ctx.report.row(
        a,
        "responses checked",
        checks(&rs),
        checks(&ps),
        String::new(),
        "all right",
        Some(rs.failed == 0 && ps.failed == 0),
    );
    cpu_row(ctx, a, &rs, &ps);
    if ctx.plan.runs('c') {
        let c = "c. raw-SQL limit: Rapport's statements for (a) first 50 in pgbench, 4 clients";
        match (&script, raw_error) {
            (Some(_), None) if !raw_tps.is_empty() => {
                let raw = raw_tps.iter().sum::<f64>() / raw_tps.len() as f64;
                ctx.report.row(
                    c,
                    "Rapport vs raw SQL (peer column: pgbench)",
                    rps(rs.rps()),
                    rps(raw),
                    format!("{:.0}%", 100.0 * rs.rps() / raw),
                    "≥ 60% of raw SQL",
                    Some(rs.rps() >= 0.6 * raw),
                );
            }
            (_, Some(e)) => error_row(ctx, c, e),
            _ => error_row(ctx, c, anyhow!("no statements captured")),
        }
        // Where the time goes: database time per request, from
        // pg_stat_statements, under Rapport and under pgbench.
        let per_request = |role: &str| -> f64 {
            ctx.db
                .psql(
                    "rapport",
                    &format!(
                        "SELECT sum(total_exec_time) / nullif(sum(calls), 0) * {} FROM pg_stat_statements \
                         WHERE userid = '{role}'::regrole AND query LIKE 'SELECT * FROM (SELECT%'",
                        statements_per_request
                    ),
                )
                .ok()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        if statements_per_request > 0 {
            let (under_r, under_b) = (per_request("rapport"), per_request("postgres"));
            ctx.report.row(
                c,
                "database time per request (pg_stat_statements; peer column: under pgbench)",
                ms(under_r),
                ms(under_b),
                ratio(under_r, under_b),
                "",
                None,
            );
        }
    }

    // First 10.
    let list = [(r, r.nested(10)), (p, p.nested(10))];
    let mut s = rounds(ctx, &list, 4, "nested first 10").await?;
    let a = "a. nested 10 → 10 → 5 → 3 (2,110 objects), 4 clients";
    ctx.report.row(
        a,
        "throughput",
        rps(s[0].rps()),
        rps(s[1].rps()),
        ratio(s[0].rps(), s[1].rps()),
        "",
        None,
    );
    let (r50, p50) = (s[0].pct_ms(50.0), s[1].pct_ms(50.0));
    ctx.report.row(
        a,
        "p50 latency",
        ms(r50),
        ms(p50),
        ratio(r50, p50),
        "",
        None,
    );
    let (r99, p99) = (s[0].pct_ms(99.0), s[1].pct_ms(99.0));
    ctx.report.row(
        a,
        "p99 latency",
        ms(r99),
        ms(p99),
        ratio(r99, p99),
        "",
        None,
    );
    ctx.report.row(
        a,
        "responses checked",
        checks(&s[0]),
        checks(&s[1]),
        String::new(),
        "all right",
        Some(s[0].failed == 0 && s[1].failed == 0),
    );
    cpu_row(ctx, a, &s[0], &s[1]);
    Ok(())
}

/// The pgbench script replaying one request's statements, its variables,
/// and how many statements it has.
type RawSql = (std::path::PathBuf, Vec<(String, String)>, usize);

/// Logs every statement for one request of the nested query and writes
/// them as a pgbench script, the values bound as pgbench variables.
async fn capture_statements(ctx: &mut Ctx, r: &Contender, n: usize) -> Result<RawSql> {
    let (body, check) = (r.nested(n))(0, 0);
    let mut conn = http::Conn::open(&r.target).await?;
    ctx.db.log_all(true)?;
    // The pool's connections pick the setting up at their next command: a
    // first request settles that, the second is the one captured.
    let (_, _) = conn.post(body.clone()).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let from = ctx.db.log_len();
    let (status, bytes) = conn.post(body).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    ctx.db.log_all(false)?;
    if status != 200 {
        bail!("HTTP {status}");
    }
    check(&bytes)?;
    let logged = ctx.db.logged_statements("rapport", from)?;
    if logged.is_empty() {
        bail!("no statement of role rapport in the log");
    }
    let mut script = format!(
        "-- Rapport's statements for one nested query (first {n}); the values are in rawsql-first{n}.vars, passed with -D.\n"
    );
    let mut vars = Vec::new();
    for (i, l) in logged.iter().enumerate() {
        let (statement, v) = sql::parameterize(l, i + 1);
        script.push_str(&statement);
        script.push_str(";\n");
        vars.extend(v);
    }
    let path = ctx.logs.join(format!("rawsql-first{n}.sql"));
    std::fs::write(&path, &script)?;
    let listing: String = vars.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    std::fs::write(ctx.logs.join(format!("rawsql-first{n}.vars")), listing)?;
    eprintln!(
        "    captured {} statements for one request → {}",
        logged.len(),
        path.display()
    );
    for l in &logged {
        eprintln!(
            "      {:.160}",
            l.sql.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }
    ctx.report.note(format!(
        "c. the pgbench script is the {} statements Rapport ran for one first-{n} request, captured with log_statement=all (bench/target/last-run/rawsql-first{n}.sql), run with -M prepared, the captured values bound as parameters (-D) as Rapport binds them.",
        logged.len()
    ));
    let k = logged.len();
    Ok((path, vars, k))
}

async fn metric(target: &Target, name: &str) -> Result<f64> {
    let text = http::get(target, "/metrics").await?;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
        .with_context(|| format!("no {name} in /metrics"))
}

async fn statements(ctx: &mut Ctx, r: &Contender, p: &Contender) -> Result<()> {
    let k = ctx.plan.statement_requests;
    let b = "b. SQL statements sent per nested request (top-level in pg_stat_statements, BEGIN/COMMIT included)";
    let mut detail = String::new();
    for n in [1usize, 10, 50, 100, 200] {
        let mut cells = Vec::new();
        for c in [r, p] {
            let role = c.role();
            if c.kind == Kind::Rapport && n > 100 {
                // Over the cap: Rapport refuses, which is right.
                let body = gql(RAPPORT_NESTED, serde_json::json!({ "n": n }));
                let mut conn = http::Conn::open(&c.target).await?;
                let (_, bytes) = conn.post(body).await?;
                let text = String::from_utf8_lossy(&bytes);
                cells.push(if text.contains("BAD_USER_INPUT") {
                    (
                        f64::NAN,
                        "refused: page size cap 100 (BAD_USER_INPUT)".to_string(),
                    )
                } else {
                    (f64::NAN, format!("unexpected answer: {text:.200}"))
                });
                continue;
            }
            let make = c.nested(n.min(1000));
            let mut conn = http::Conn::open(&c.target).await?;
            // Warm, then count.
            let (body, _) = make(0, 0);
            conn.post(body).await?;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let before = if c.kind == Kind::Rapport {
                metric(&c.target, "rapport_db_statements_total").await.ok()
            } else {
                None
            };
            ctx.db.reset_statements()?;
            for i in 0..k {
                let (body, check) = make(0, i as u64);
                let (status, bytes) = conn.post(body).await?;
                if status != 200 {
                    bail!("{}: HTTP {status}", c.name());
                }
                check(&bytes).with_context(|| format!("{} first {n}", c.name()))?;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            let mut stats = ctx.db.statements_of(role)?;
            // @graphile/pg-pubsub sends `select 1` on its LISTEN connection
            // every 25 s: a keepalive, not part of any request.
            if c.kind == Kind::Peer
                && let Some(calls) = stats.remove("select $1")
            {
                detail.push_str(&format!(
                    "  (not counted: {calls} pg-pubsub keepalive `select 1`)\n"
                ));
            }
            let total: u64 = stats.values().sum();
            let per = total as f64 / k as f64;
            let after = if c.kind == Kind::Rapport {
                metric(&c.target, "rapport_db_statements_total").await.ok()
            } else {
                None
            };
            detail.push_str(&format!(
                "== {} first {n}: {per:.2} statements per request over {k} requests\n",
                c.name()
            ));
            for (q, calls) in &stats {
                detail.push_str(&format!("  {:.2}/request  {q}\n", *calls as f64 / k as f64));
            }
            let mut cell = format!("{per:.2}");
            if let (Some(b4), Some(af)) = (before, after) {
                cell.push_str(&format!(" (its metric: {:.2})", (af - b4) / k as f64));
            }
            cells.push((per, cell));
        }
        let rapport_ok = cells[0].0.is_nan() || (cells[0].0 - 4.0).abs() < 0.01;
        ctx.report.row(
            b,
            &format!("first {n}"),
            cells[0].1.clone(),
            cells[1].1.clone(),
            String::new(),
            if n > 100 { "refused over 100" } else { "4" },
            Some(rapport_ok),
        );
    }
    std::fs::write(ctx.logs.join("statements.txt"), &detail)?;
    eprint!("{detail}");
    ctx.report.note("b. the statements behind these counts, per request, are in bench/target/last-run/statements.txt; PostGraphile's pg-pubsub keepalive (`select 1` every 25 s per worker) is not counted.".into());
    Ok(())
}

async fn lookup(ctx: &mut Ctx, r: &Contender, p: &Contender) -> Result<()> {
    let ids = Arc::new(ctx.ticket_ids.clone());
    let list = [(r, r.lookup(ids.clone())), (p, p.lookup(ids))];
    let mut s = rounds(ctx, &list, 16, "lookup").await?;
    let d = "d. ticket by id, 16 clients";
    ctx.report.row(
        d,
        "throughput",
        rps(s[0].rps()),
        rps(s[1].rps()),
        ratio(s[0].rps(), s[1].rps()),
        "≥ 3× peer",
        Some(s[0].rps() >= 3.0 * s[1].rps()),
    );
    let (r50, p50) = (s[0].pct_ms(50.0), s[1].pct_ms(50.0));
    ctx.report.row(
        d,
        "p50 latency",
        ms(r50),
        ms(p50),
        ratio(r50, p50),
        "",
        None,
    );
    let (r99, p99) = (s[0].pct_ms(99.0), s[1].pct_ms(99.0));
    ctx.report.row(
        d,
        "p99 latency",
        ms(r99),
        ms(p99),
        ratio(r99, p99),
        "",
        None,
    );
    ctx.report.row(
        d,
        "responses checked",
        checks(&s[0]),
        checks(&s[1]),
        String::new(),
        "all right",
        Some(s[0].failed == 0 && s[1].failed == 0),
    );
    cpu_row(ctx, d, &s[0], &s[1]);
    statements_per_request(
        ctx,
        &list,
        "lookup",
        "d. ticket by id, 1 client",
        "SQL statements sent per lookup (top-level, pg_stat_statements, incl. BEGIN/COMMIT)",
    )
    .await
}

/// Returns Rapport's throughput at 4 clients (the cross-instance workload
/// paces itself from it).
async fn mutations(ctx: &mut Ctx, r: &Contender, p: &Contender) -> Result<f64> {
    let mut at4 = f64::NAN;
    for clients in [4usize, 16] {
        let list = [
            (r, r.create(format!("e{clients}"))),
            (p, p.create(format!("e{clients}"))),
        ];
        let mut s = rounds(
            ctx,
            &list,
            clients,
            &format!("createTicket {clients} clients"),
        )
        .await?;
        let e = format!("e. createTicket (+ event, published), {clients} clients");
        if clients == 4 {
            at4 = s[0].rps();
        }
        ctx.report.row(
            &e,
            "throughput",
            rps(s[0].rps()),
            rps(s[1].rps()),
            ratio(s[0].rps(), s[1].rps()),
            "≥ 2× peer",
            Some(s[0].rps() >= 2.0 * s[1].rps()),
        );
        let (r50, p50) = (s[0].pct_ms(50.0), s[1].pct_ms(50.0));
        ctx.report.row(
            &e,
            "p50 latency",
            ms(r50),
            ms(p50),
            ratio(r50, p50),
            "",
            None,
        );
        let (r99, p99) = (s[0].pct_ms(99.0), s[1].pct_ms(99.0));
        if clients == 16 {
            ctx.report.row(
                &e,
                "p99 latency",
                ms(r99),
                ms(p99),
                ratio(r99, p99),
                "≤ 10 ms",
                Some(r99 <= 10.0),
            );
        } else {
            ctx.report.row(
                &e,
                "p99 latency",
                ms(r99),
                ms(p99),
                ratio(r99, p99),
                "",
                None,
            );
        }
        ctx.report.row(
            &e,
            "responses checked",
            checks(&s[0]),
            checks(&s[1]),
            String::new(),
            "all right",
            Some(s[0].failed == 0 && s[1].failed == 0),
        );
        cpu_row(ctx, &e, &s[0], &s[1]);
    }
    ctx.report.note(
        "e. PostGraphile's mutation is `benchCreateTicket` (bench/peer/peer.sql): it takes the workspace's ticket number, inserts the ticket and NOTIFYs it for pg-pubsub. Rapport's createTicket also writes an outbox event and a history row and publishes to Redis.".into(),
    );
    let list = [
        (r, r.create("e-statements".into())),
        (p, p.create("e-statements".into())),
    ];
    statements_per_request(
        ctx,
        &list,
        "createTicket",
        "e. createTicket, 1 client",
        "SQL statements sent per mutation (top-level, pg_stat_statements, incl. BEGIN/COMMIT)",
    )
    .await?;
    Ok(at4)
}

/// What one request costs in statements and database time, measured with one
/// client on its own: a row of the table, and the statements themselves in
/// statements.txt.
async fn statements_per_request(
    ctx: &mut Ctx,
    list: &[(&Contender, MakeRequest)],
    what: &str,
    workload: &str,
    figure: &str,
) -> Result<()> {
    let k = ctx.plan.statement_requests * 2;
    let mut detail = String::new();
    let mut cells = Vec::new();
    for (c, make) in list {
        let role = c.role();
        let mut conn = http::Conn::open(&c.target).await?;
        ctx.db.reset_statements()?;
        for i in 0..k {
            let (body, check) = make(0, i as u64);
            let (status, bytes) = conn.post(body).await?;
            if status != 200 {
                bail!("{}: HTTP {status}", c.name());
            }
            check(&bytes)?;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut stats = ctx.db.statements_of(role)?;
        stats.remove("select $1");
        let per = stats.values().sum::<u64>() as f64 / k as f64;
        let db_ms: f64 = ctx
            .db
            .psql(
                "rapport",
                &format!(
                    "SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements WHERE toplevel AND userid = '{role}'::regrole \
                     AND query <> 'select $1'"
                ),
            )?
            .parse::<f64>()
            .unwrap_or(f64::NAN)
            / k as f64;
        detail.push_str(&format!(
            "== {} {what}: {per:.2} statements, {db_ms:.2} ms of statement execution per request over {k}\n",
            c.name()
        ));
        for (q, calls) in &stats {
            detail.push_str(&format!(
                "  {:.2}/request  {q:.300}\n",
                *calls as f64 / k as f64
            ));
        }
        cells.push(format!("{per:.1} ({db_ms:.2} ms executing)"));
    }
    eprint!("{detail}");
    let path = ctx.logs.join("statements.txt");
    let mut all = std::fs::read_to_string(&path).unwrap_or_default();
    all.push_str(&detail);
    std::fs::write(&path, all)?;
    ctx.report.row(
        workload,
        figure,
        cells[0].clone(),
        cells[1].clone(),
        String::new(),
        "",
        None,
    );
    Ok(())
}

/// One fan-out measurement: what each event's delivery looked like.
struct Fan {
    connected: usize,
    failures: Vec<String>,
    per_sub_bytes: f64,
    /// (p50 ms, p99 ms, all-delivered ms or None, delivered)
    events: Vec<(f64, f64, Option<f64>, usize)>,
}

async fn fan_once(ctx: &Ctx, c: &Contender, n: usize) -> Result<Fan> {
    let timeout = if ctx.plan.quick {
        Duration::from_secs(30)
    } else {
        Duration::from_secs(60)
    };
    let mut conn = http::Conn::open(&c.target).await?;
    // Warm the mutation path before measuring memory.
    let (body, check) = (c.create("fan-warm".into()))(0, 0);
    let (_, bytes) = conn.post(body).await?;
    check(&bytes)?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss0 = procs::rss_tree(c.pid);
    let t = Instant::now();
    let mut subs = ws::open(&c.subscribe_spec(&ctx.token), n, 256).await?;
    eprintln!(
        "    {} subscribers: {} connected in {:.1} s ({} failed{})",
        c.name(),
        subs.connected,
        t.elapsed().as_secs_f64(),
        subs.failures.len(),
        subs.failures
            .first()
            .map(|f| format!(", first: {f:.200}"))
            .unwrap_or_default()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss1 = procs::rss_tree(c.pid);
    let per_sub_bytes = (rss1 as f64 - rss0 as f64) / subs.connected.max(1) as f64;
    // One event to prove every subscription is live, then the measured ones.
    let mut events = Vec::new();
    for e in 0..=ctx.plan.fanout_events {
        let subject = format!("fan-{}-{n}-{e}", c.name());
        let body = self_create_body(c.kind, &subject);
        // A fresh connection: Node closes keep-alive connections idle for 5 s.
        let mut conn = http::Conn::open(&c.target).await?;
        let t0 = Instant::now();
        let (status, bytes) = conn.post(body).await?;
        if status != 200 {
            bail!("mutation HTTP {status}");
        }
        created_check(subject.clone())(&bytes)?;
        let got = ws::collect(&mut subs.deliveries, &subject, subs.connected, timeout).await;
        let mut lat: Vec<u32> = got
            .iter()
            .map(|at| at.duration_since(t0).as_micros() as u32)
            .collect();
        let all = (got.len() == subs.connected)
            .then(|| lat.iter().copied().max().unwrap_or(0) as f64 / 1000.0);
        let (p50, p99) = (percentile_ms(&mut lat, 50.0), percentile_ms(&mut lat, 99.0));
        eprintln!(
            "    {} event {e}{}: delivered {}/{} p50 {p50:.1} ms p99 {p99:.1} ms all {}",
            c.name(),
            if e == 0 { " (warm-up)" } else { "" },
            got.len(),
            subs.connected,
            all.map(|a| format!("{a:.1} ms"))
                .unwrap_or_else(|| "not all".into())
        );
        if e > 0 {
            events.push((p50, p99, all, got.len()));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let problems = subs.problems.load(Ordering::Relaxed);
    if problems > 0 {
        eprintln!(
            "    {} subscribers reported {problems} unexpected messages or closes",
            c.name()
        );
    }
    let connected = subs.connected;
    let failures = std::mem::take(&mut subs.failures);
    subs.close().await;
    Ok(Fan {
        connected,
        failures,
        per_sub_bytes,
        events,
    })
}

async fn fanout(ctx: &mut Ctx) -> Result<()> {
    let (soft, _) = procs::raise_nofile();
    // Each subscriber is one descriptor here and one in the server.
    let cap = (soft as usize).saturating_sub(1_000);
    let mut sizes = Vec::new();
    for &n in &ctx.plan.fanout.clone() {
        if n > cap {
            ctx.report.note(format!(
                "f. open-files limit is {soft}: {n} subscribers scaled down to {cap}"
            ));
            sizes.push(cap);
        } else {
            sizes.push(n);
        }
    }
    sizes.dedup();
    for n in sizes {
        let mut results = Vec::new();
        for kind in [Kind::Rapport, Kind::Peer] {
            // A fresh process per measurement, so memory starts clean.
            let c = match kind {
                Kind::Rapport => {
                    let s = ctx
                        .start_rapport(&format!("rapport-fanout-{n}"), true)
                        .await?;
                    Contender {
                        kind,
                        pid: s.pid,
                        target: s.target,
                    }
                }
                Kind::Peer => {
                    let s = ctx.start_peer(&format!("postgraphile-fanout-{n}")).await?;
                    Contender {
                        kind,
                        pid: s.pid,
                        target: s.target,
                    }
                }
            };
            let result = fan_once(ctx, &c, n).await;
            procs::stop(c.pid);
            results.push(result);
        }
        let f = format!("f. fan-out: {n} subscribers on one server, one createTicket");
        let cell = |r: &Result<Fan>, pick: &dyn Fn(&Fan) -> String| match r {
            Ok(fan) => pick(fan),
            Err(e) => format!("error: {}", format!("{e:#}").replace('|', "/")),
        };
        // The median event by all-delivered time (undelivered last).
        let median = |fan: &Fan| -> Option<(f64, f64, Option<f64>, usize)> {
            let mut ev = fan.events.clone();
            ev.sort_by(|a, b| {
                a.2.unwrap_or(f64::INFINITY)
                    .total_cmp(&b.2.unwrap_or(f64::INFINITY))
            });
            ev.get(ev.len() / 2).copied()
        };
        let subscribed = |fan: &Fan| {
            if fan.failures.is_empty() {
                format!("{}", fan.connected)
            } else {
                format!(
                    "{} (**{} failed**: {:.120})",
                    fan.connected,
                    fan.failures.len(),
                    fan.failures[0].replace('|', "/")
                )
            }
        };
        let all_ok = results
            .iter()
            .all(|r| r.as_ref().is_ok_and(|f| f.failures.is_empty()));
        ctx.report.row(
            &f,
            "subscribed",
            cell(&results[0], &subscribed),
            cell(&results[1], &subscribed),
            String::new(),
            "all",
            Some(all_ok),
        );
        let mv = |r: &Result<Fan>, i: usize| -> f64 {
            r.as_ref()
                .ok()
                .and_then(median)
                .map(|m| if i == 0 { m.0 } else { m.1 })
                .unwrap_or(f64::NAN)
        };
        let (r50, p50) = (mv(&results[0], 0), mv(&results[1], 0));
        ctx.report.row(
            &f,
            "delivery p50",
            ms(r50),
            ms(p50),
            ratio(r50, p50),
            "",
            None,
        );
        let (r99, p99) = (mv(&results[0], 1), mv(&results[1], 1));
        ctx.report.row(
            &f,
            "delivery p99",
            ms(r99),
            ms(p99),
            ratio(r99, p99),
            "",
            None,
        );
        let all_cell = |r: &Result<Fan>| -> (String, f64) {
            match r
                .as_ref()
                .ok()
                .and_then(|fan| median(fan).map(|m| (m, fan.connected)))
            {
                Some(((_, _, Some(all), _), _)) => (ms(all), all),
                Some(((_, _, None, got), total)) => {
                    (format!("**not all**: {got} of {total}"), f64::NAN)
                }
                None => (cell(r, &|_| "–".into()), f64::NAN),
            }
        };
        let ((ra, rv), (pa, pv)) = (all_cell(&results[0]), all_cell(&results[1]));
        let is_target = n >= 10_000;
        ctx.report.row(
            &f,
            "all delivered",
            ra,
            pa,
            ratio(rv, pv),
            if is_target { "≤ 100 ms" } else { "" },
            if is_target { Some(rv <= 100.0) } else { None },
        );
        let mem = |r: &Result<Fan>| -> f64 {
            r.as_ref()
                .map(|f| f.per_sub_bytes / 1024.0)
                .unwrap_or(f64::NAN)
        };
        let (rm, pm) = (mem(&results[0]), mem(&results[1]));
        ctx.report.row(
            &f,
            "memory per idle subscriber (RSS growth / subscribers)",
            format!("{rm:.1} KiB"),
            format!("{pm:.1} KiB"),
            ratio(rm, pm),
            "≤ 16 KiB",
            Some(rm <= 16.0),
        );
    }
    ctx.report.note(format!(
        "f. delivery times run from sending the mutation to each subscriber reading its message (so they include the mutation itself); the figures are those of the median of {} measured event(s), after one warm-up event. Each measurement uses a freshly started server; PostGraphile's memory is its master plus both workers. Its subscribers ask for `listen(topic) {{ relatedNode {{ ... on Ticket {{ subject }} }} }}`, the same data as Rapport's `ticketEvents {{ cursor ticket {{ subject }} }}`; pg-pubsub fetches the node once per subscriber.",
        ctx.plan.fanout_events
    ));
    Ok(())
}

async fn cross(ctx: &mut Ctx, mutation_rps: f64) -> Result<()> {
    let events = ctx.plan.cross_events;
    let subs_per = ctx.plan.cross_subscribers;
    // BENCH_CROSS_RATE sets the rate for experiments (e.g. `--only g` at
    // the rate a full run would use).
    let rate = match std::env::var("BENCH_CROSS_RATE")
        .ok()
        .and_then(|r| r.parse().ok())
    {
        Some(rate) => rate,
        None if mutation_rps.is_nan() => 200.0,
        None => (mutation_rps * 0.5).clamp(50.0, 500.0),
    };
    let a = ctx.start_rapport("rapport-cross-a", true).await?;
    let b = ctx.start_rapport("rapport-cross-b", true).await?;
    let ca = Contender {
        kind: Kind::Rapport,
        pid: a.pid,
        target: a.target,
    };
    let cb = Contender {
        kind: Kind::Rapport,
        pid: b.pid,
        target: b.target,
    };
    let mut sa = ws::open(&ca.subscribe_spec(&ctx.token), subs_per, 16).await?;
    let mut sb = ws::open(&cb.subscribe_spec(&ctx.token), subs_per, 16).await?;
    if !sa.failures.is_empty() || !sb.failures.is_empty() {
        bail!(
            "subscribers failed: {:?} {:?}",
            sa.failures.first(),
            sb.failures.first()
        );
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Warm-up: every subscriber gets one event through both paths.
    let mut conn = http::Conn::open(&ca.target).await?;
    let (status, _) = conn.post(self_create_body(Kind::Rapport, "g-warm")).await?;
    if status != 200 {
        bail!("warm-up mutation HTTP {status}");
    }
    let wa = ws::collect(
        &mut sa.deliveries,
        "g-warm",
        subs_per,
        Duration::from_secs(10),
    )
    .await;
    let wb = ws::collect(
        &mut sb.deliveries,
        "g-warm",
        subs_per,
        Duration::from_secs(10),
    )
    .await;
    if wa.len() < subs_per || wb.len() < subs_per {
        bail!(
            "warm-up event reached {} of {subs_per} on A and {} of {subs_per} on B",
            wa.len(),
            wb.len()
        );
    }
    eprintln!(
        "    sending {events} createTicket to A at {rate:.0}/s; {subs_per} subscribers on A, {subs_per} on B"
    );

    // Paced senders: event k leaves at base + k / rate (or as soon as its
    // sender is free, if late).
    let base = Instant::now();
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..events).map(|_| AtomicU64::new(0)).collect());
    let senders = 8usize;
    let mut tasks = Vec::new();
    for w in 0..senders {
        let target = ca.target.clone();
        let sent = sent.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = http::Conn::open(&target).await?;
            let mut failed = 0u64;
            let mut k = w;
            while k < events {
                let due = base + Duration::from_secs_f64(k as f64 / rate);
                tokio::time::sleep_until(due.into()).await;
                let subject = format!("g-{k}");
                let t = Instant::now();
                match conn.post(self_create_body(Kind::Rapport, &subject)).await {
                    Ok((200, bytes)) if created_check(subject)(&bytes).is_ok() => {
                        sent[k].store(
                            t.duration_since(base).as_nanos() as u64 + 1,
                            Ordering::Relaxed,
                        );
                    }
                    _ => failed += 1,
                }
                k += senders;
            }
            anyhow::Ok(failed)
        }));
    }
    let mut failed = 0;
    for t in tasks {
        failed += t.await??;
    }
    let sending = base.elapsed();
    let ok_sent = events - failed as usize;
    // Collect until every subscriber has every event, or 15 s of silence.
    let mut lat_a = Vec::new();
    let mut lat_b = Vec::new();
    let mut seen: BTreeMap<(bool, usize), HashSet<usize>> = BTreeMap::new();
    let mut duplicates = 0usize;
    let mut received = 0usize;
    let want = ok_sent * subs_per * 2;
    loop {
        let next = tokio::select! {
            d = sa.deliveries.recv() => d.map(|d| (false, d)),
            d = sb.deliveries.recv() => d.map(|d| (true, d)),
            _ = tokio::time::sleep(Duration::from_secs(15)) => None,
        };
        let Some((on_b, d)) = next else { break };
        let Some(k) = d
            .subject
            .strip_prefix("g-")
            .and_then(|k| k.parse::<usize>().ok())
        else {
            continue;
        };
        let at_ns = sent[k].load(Ordering::Relaxed);
        if at_ns == 0 {
            continue;
        }
        if !seen.entry((on_b, d.subscriber)).or_default().insert(k) {
            duplicates += 1;
            continue;
        }
        received += 1;
        let lat =
            d.at.duration_since(base + Duration::from_nanos(at_ns - 1))
                .as_micros() as u32;
        if on_b {
            lat_b.push(lat)
        } else {
            lat_a.push(lat)
        }
        if received >= want {
            break;
        }
    }
    sa.close().await;
    sb.close().await;
    // What each instance counted (events recovered from the outbox, lags…).
    for (c, name) in [(&ca, "a"), (&cb, "b")] {
        if let Ok(metrics) = http::get(&c.target, "/metrics").await {
            std::fs::write(
                ctx.logs.join(format!("rapport-cross-{name}.metrics")),
                metrics,
            )?;
        }
    }
    procs::stop(ca.pid);
    procs::stop(cb.pid);
    let lost = |on_b: bool| -> (usize, usize) {
        let per: Vec<usize> = (0..subs_per)
            .map(|i| ok_sent - seen.get(&(on_b, i)).map(|s| s.len()).unwrap_or(0))
            .collect();
        (per.iter().copied().max().unwrap_or(0), per.iter().sum())
    };
    let (a50, a99) = (
        percentile_ms(&mut lat_a, 50.0),
        percentile_ms(&mut lat_a, 99.0),
    );
    let (b50, b99) = (
        percentile_ms(&mut lat_b, 50.0),
        percentile_ms(&mut lat_b, 99.0),
    );
    let g = format!(
        "g. cross-instance: {ok_sent} createTicket on A at {rate:.0}/s, {subs_per} subscribers on A and on B"
    );
    let na = "n/a".to_string();
    ctx.report.row(
        &g,
        "same instance (A) delivery p50 / p99",
        format!("{} / {}", ms(a50), ms(a99)),
        na.clone(),
        String::new(),
        "",
        None,
    );
    ctx.report.row(
        &g,
        "other instance (B, through Redis) p50 / p99",
        format!("{} / {}", ms(b50), ms(b99)),
        na.clone(),
        String::new(),
        "",
        None,
    );
    ctx.report.row(
        &g,
        "added by Redis at p99",
        ms(b99 - a99),
        na.clone(),
        String::new(),
        "≤ 2 ms",
        Some(b99 - a99 <= 2.0),
    );
    let (max_b, sum_b) = lost(true);
    let (max_a, _) = lost(false);
    ctx.report.row(
        &g,
        &format!("events lost of {ok_sent} (worst subscriber)"),
        format!("B: {max_b} (total {sum_b}), A: {max_a}"),
        na,
        String::new(),
        "0",
        Some(max_b == 0 && max_a == 0),
    );
    if failed > 0 || duplicates > 0 {
        ctx.report.note(format!(
            "g. {failed} mutations failed; {duplicates} duplicate deliveries."
        ));
    }
    ctx.report.note(format!(
        "g. latency runs from sending each mutation to A until a subscriber reads it, so both paths include the mutation; the difference is what going through Redis to B adds. Sending took {:.1} s.",
        sending.as_secs_f64()
    ));
    Ok(())
}
