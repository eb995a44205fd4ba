//! `/metrics` for the background workers: webhook delivery attempts by
//! outcome (a histogram of their latency) and imported rows by outcome.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{TestApp, on_both_databases};
use crate::import_jobs::imported_people;
use crate::webhook_receiver::{Answer, Receiver};
use crate::webhooks::{fast_webhooks, ticket, trusted_endpoint};

on_both_databases!(with fast_webhooks; webhook_attempts_and_imported_rows_are_measured);

/// The value of the sample line starting with `prefix` (labels included).
async fn sample(app: &TestApp, prefix: &str) -> f64 {
    let text = app.get_text("/metrics").await;
    text.lines()
        .find_map(|line| line.strip_prefix(prefix))
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or(0.0)
}

async fn webhook_attempts_and_imported_rows_are_measured(app: TestApp) {
    let mut receiver = Receiver::start().await;
    trusted_endpoint(&app, &receiver, json!({ "eventKinds": ["ticket.opened"] })).await;
    receiver.plan([Answer::Status(500)]);
    ticket(&app, "Metered", "NORMAL").await;
    receiver
        .wait_for(Duration::from_secs(30), |unique| !unique.is_empty())
        .await;
    // The worker records an attempt after the receiver has answered it.
    let attempts = "rapport_webhook_attempt_duration_seconds_count";
    let delivered = format!(r#"{attempts}{{outcome="delivered"}} "#);
    for _ in 0..300 {
        if sample(&app, &delivered).await >= 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sample(&app, &delivered).await, 1.0);
    // At least the planned 500 (a slow machine may time out another).
    let failed = sample(&app, &format!(r#"{attempts}{{outcome="failed"}} "#)).await;
    assert!(failed >= 1.0, "{failed}");
    receiver.kill();

    // Three good rows and one refused.
    let file = "firstName,lastName,email\nAda,L,ada@example.test\nBo,M,bo@example.test\nCy,N,cy@example.test\nBad,Row,not-an-email\n";
    let job = imported_people(&app, file).await;
    assert_eq!(job["status"], "SUCCEEDED", "{job}");
    let rows = "rapport_import_rows_total";
    let created = sample(&app, &format!(r#"{rows}{{outcome="created"}} "#)).await;
    let refused = sample(&app, &format!(r#"{rows}{{outcome="refused"}} "#)).await;
    assert_eq!((created, refused), (3.0, 1.0));
}
