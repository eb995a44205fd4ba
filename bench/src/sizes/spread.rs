//! A load spread over many small workspaces (`--tenants K`): several
//! clients, each request signed in as the next workspace's admin, so every
//! workspace (and on Citus every shard group) takes its share. What it
//! shows is throughput across workspaces, beside the one-client latencies
//! of the large workspace.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde_json::json;

use crate::http::{Conn, Target, gql, percentile_ms};

/// Clients sending at once.
pub const CLIENTS: usize = 8;
/// How long each load runs.
const SECONDS: u64 = 15;

/// The admins of the small workspaces `rapport seed --scale 100
/// --workspaces K` writes.
pub fn admins(tenants: u32) -> Vec<String> {
    (1..=tenants)
        .map(|k| format!("admin@scale-{}-{k}.rapport.dev", super::TENANT_CONTACTS))
        .collect()
}

/// The loads, as table rows: (row label, query, what a good answer holds).
pub fn loads(tenants: u32) -> [(String, &'static str, &'static str); 2] {
    [
        (
            format!(
                "spread over {tenants} workspaces: a contacts page, requests/s ({CLIENTS} clients; p50 / p99)"
            ),
            "{ contacts(first: 20) { nodes { id firstName lastName email } } }",
            "\"nodes\"",
        ),
        (
            format!(
                "spread over {tenants} workspaces: `createTicket`, requests/s ({CLIENTS} clients; p50 / p99)"
            ),
            "mutation { createTicket(input: {subject: \"Spread\"}) { ticket { number } } }",
            "\"number\"",
        ),
    ]
}

/// Runs one load for [`SECONDS`]; the table's cell, and requests per second.
pub async fn run(
    target: &Target,
    tokens: &[String],
    query: &str,
    expect: &str,
) -> Result<(String, f64)> {
    if tokens.is_empty() {
        bail!("no workspace to spread over");
    }
    let tokens: Arc<Vec<String>> = Arc::new(tokens.to_vec());
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (tokens, stop, target) = (tokens.clone(), stop.clone(), target.clone());
        let (body, expect) = (gql(query, json!({})), expect.to_owned());
        clients.push(tokio::spawn(async move {
            let mut conn = Conn::open(&target).await?;
            let mut latencies = Vec::new();
            let mut next = client;
            while !stop.load(Ordering::Relaxed) {
                let token = &tokens[next % tokens.len()];
                next += CLIENTS;
                let sent = Instant::now();
                let (status, answer) = conn.post_as(body.clone(), token).await?;
                let text = String::from_utf8_lossy(&answer);
                if status != 200 || text.contains("\"errors\"") || !text.contains(&expect) {
                    bail!(
                        "HTTP {status}: {}",
                        text.chars().take(300).collect::<String>()
                    );
                }
                latencies.push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    tokio::time::sleep(Duration::from_secs(SECONDS)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for client in clients {
        latencies.extend(client.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let per_second = latencies.len() as f64 / elapsed;
    let p50 = percentile_ms(&mut latencies, 50.0);
    let p99 = percentile_ms(&mut latencies, 99.0);
    Ok((
        format!("{per_second:.0}/s ({p50:.1} / {p99:.1} ms)"),
        per_second,
    ))
}
