//! Two server processes on one PostgreSQL delivering to two endpoints, one
//! process killed (SIGKILL by PID) mid-stream: every event arrives, in order
//! per endpoint; duplicates only as at-least-once allows (the receiver
//! deduplicates by `webhook-id`).

use std::time::Duration;

use serde_json::json;

use crate::common::postgres;
use crate::common::server::ServerProcess;
use crate::processes::{post, prepared};
use crate::webhook_receiver::{Answer, Receiver};
use crate::webhooks::{seq_of, subject_of};

const EVENTS: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_lose_nothing_when_one_is_killed() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let (url, token) = prepared(cluster.create_database(None)).await;
    let env = [
        ("RAPPORT_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("RAPPORT_WEBHOOK_TIMEOUT_MS", "1000"),
        ("RAPPORT_WEBHOOK_BACKOFF_BASE_MS", "50"),
        ("RAPPORT_WEBHOOK_POLL_MS", "50"),
    ];
    let first = ServerProcess::start(&url, &env);
    let second = ServerProcess::start(&url, &env);
    let receivers = [Receiver::start().await, Receiver::start().await];
    for receiver in &receivers {
        // Slow enough answers that the kill finds deliveries in flight.
        receiver.plan(std::iter::repeat_n(
            Answer::Hang(Duration::from_millis(20)),
            10_000,
        ));
        let created = post(
            &first.base,
            &token,
            "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }",
            json!({ "input": { "url": receiver.url, "eventKinds": ["ticket.opened"] } }),
        )
        .await;
        receiver.trust(
            created["createWebhookEndpoint"]["secret"]
                .as_str()
                .expect("secret"),
        );
    }
    let subjects: Vec<String> = (0..EVENTS).map(|i| format!("T{i}")).collect();
    let mut first = Some(first);
    for (i, subject) in subjects.iter().enumerate() {
        if i == EVENTS / 2 {
            // Killed by PID (SIGKILL): its leases run out and the other takes over.
            drop(first.take());
        }
        let base = match (&first, i % 2) {
            (Some(server), 0) => server.base.clone(),
            _ => second.base.clone(),
        };
        post(
            &base,
            &token,
            "mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }",
            json!({ "input": { "subject": subject } }),
        )
        .await;
    }
    for receiver in &receivers {
        receiver
            .wait_for(Duration::from_secs(90), |unique| unique.len() >= EVENTS)
            .await;
        let unique = receiver.unique();
        let arrived: Vec<String> = unique.iter().map(subject_of).collect();
        assert_eq!(arrived, subjects, "none lost, none out of order");
        let seqs: Vec<i64> = unique.iter().map(seq_of).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(receiver.forged(), 0);
        let duplicates = receiver.accepted().len() - unique.len();
        // At least once: only what was in flight at the kill may come twice.
        assert!(duplicates <= 1, "{duplicates} duplicates");
    }
}
