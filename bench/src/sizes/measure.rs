//! Timing one operation: a warm-up, then the median of five answers, one
//! client, one request at a time. The warm-up is long enough for the
//! server's connections to settle: PostgreSQL plans a prepared statement
//! afresh for its first five executions on a connection (then it keeps a
//! generic plan), and a server's requests spread over its pool's
//! connections. With one warm-up request the first timed runs still paid
//! that planning: on Citus, where planning a distributed statement costs
//! more, runs 1 to 3 of each operation took 2–3× runs 4 and 5. An answer past the time limit is a
//! "timeout" (the server's 503, or PostgreSQL cancelling the statement),
//! not a failure of the run.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::ops::{Expect, Fixture, Query, check};
use crate::http::{Conn, Target, gql};

/// Measured runs after the warm-up.
pub const RUNS: usize = 5;
/// Warm-up requests, at most (see the module's note)…
pub const WARM_UPS: usize = 20;
/// …and for at most this long, for the slow operations.
pub const WARM_UP_BOUND: Duration = Duration::from_secs(3);
/// How long the client waits before giving up on an answer (the servers'
/// own limit is 10 s; this only catches one that does not keep it).
const CLIENT_LIMIT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub enum Outcome {
    /// Median milliseconds, and each run's.
    Ms(f64, Vec<f64>),
    Timeout,
    Failed(String),
}

/// What went wrong with one request.
enum Fail {
    Timeout,
    /// The client stopped waiting: the caller cancels the statement.
    ClientTimeout,
    Failed(String),
}

/// Warm-up (at least one request), then [`RUNS`] timed requests; the
/// median of those.
/// `cancel` runs when the client gave up waiting (to stop the statement).
pub async fn median(
    target: &Target,
    query: &Query,
    expect: Expect,
    fixture: &Fixture,
    cancel: &dyn Fn(),
) -> Outcome {
    let mut conn = None;
    let mut times = Vec::with_capacity(RUNS);
    let warming = Instant::now();
    let mut warm_ups = 0;
    let mut i = 0;
    while i <= RUNS {
        // Warm-ups vary as the timed runs do (a deal moves back and forth).
        let run = if i > 0 { i } else { warm_ups };
        let body = gql(query.text, (query.vars)(fixture, run));
        match once(&mut conn, target, body, expect).await {
            Ok(ms) if i > 0 => times.push(ms),
            Ok(_) => warm_ups += 1,
            Err(Fail::Timeout) => return Outcome::Timeout,
            Err(Fail::ClientTimeout) => {
                cancel();
                return Outcome::Timeout;
            }
            Err(Fail::Failed(why)) => return Outcome::Failed(why),
        }
        // The timed runs start once the warm-up is done.
        if i > 0 || warm_ups >= WARM_UPS || warming.elapsed() >= WARM_UP_BOUND {
            i += 1;
        }
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    Outcome::Ms(sorted[sorted.len() / 2], times)
}

/// One request, untimed (for the plans): whether it answered as expected.
pub async fn run_once(target: &Target, query: &Query, expect: Expect, fixture: &Fixture) -> String {
    let body = gql(query.text, (query.vars)(fixture, 0));
    match once(&mut None, target, body, expect).await {
        Ok(ms) => format_ms(ms),
        Err(Fail::Timeout | Fail::ClientTimeout) => "timeout".into(),
        Err(Fail::Failed(why)) => format!("failed: {why}"),
    }
}

/// Sends one request and checks its answer; milliseconds it took.
async fn once(
    conn: &mut Option<Conn>,
    target: &Target,
    body: bytes::Bytes,
    expect: Expect,
) -> Result<f64, Fail> {
    if conn.is_none() {
        *conn = Some(
            Conn::open(target)
                .await
                .map_err(|e| Fail::Failed(e.to_string()))?,
        );
    }
    let Some(open) = conn.as_mut() else {
        return Err(Fail::Failed("no connection".into()));
    };
    let started = Instant::now();
    let answer = tokio::time::timeout(CLIENT_LIMIT, open.post(body)).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let (status, bytes) = match answer {
        Err(_) => {
            *conn = None;
            return Err(Fail::ClientTimeout);
        }
        Ok(Err(e)) => {
            *conn = None;
            return Err(Fail::Failed(e.to_string()));
        }
        Ok(Ok(answer)) => answer,
    };
    let text = String::from_utf8_lossy(&bytes);
    if text.contains("\"TIMEOUT\"") || text.contains("statement timeout") {
        return Err(Fail::Timeout);
    }
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|_| Fail::Failed(format!("HTTP {status}: {}", short(&text))))?;
    if status != 200 || value.get("errors").is_some_and(|e| !e.is_null()) {
        return Err(Fail::Failed(format!("HTTP {status}: {}", short(&text))));
    }
    check(expect, &value["data"]).map_err(Fail::Failed)?;
    Ok(ms)
}

fn short(text: &str) -> String {
    text.chars().take(300).collect()
}

impl Outcome {
    /// The table's cell.
    pub fn cell(&self) -> String {
        match self {
            Outcome::Ms(ms, _) => format_ms(*ms),
            Outcome::Timeout => "timeout".into(),
            Outcome::Failed(why) => {
                let why: String = why
                    .replace('|', "/")
                    .replace('\n', " ")
                    .chars()
                    .take(80)
                    .collect();
                format!("failed: {why}")
            }
        }
    }
}

/// Milliseconds with three significant digits (thousands separated).
pub fn format_ms(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{} ms", thousands(ms.round() as u64))
    }
}

pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
