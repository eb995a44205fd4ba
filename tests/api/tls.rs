//! Production connections over TLS: a PostgreSQL that takes only TLS
//! connections and a Redis on a TLS port, both with certificates of a
//! throwaway CA. The server verifies both (`sslmode=verify-full` with
//! `sslrootcert`, `rediss://` trusting `SSL_CERT_FILE`), refuses a
//! PostgreSQL it cannot verify, and two instances share events through the
//! TLS Redis.

use std::process::{Command, Stdio};

use serde_json::json;

use crate::common::server::{SECRET, ServerProcess};
use crate::common::{postgres, redis};
use crate::processes::{post, prepared};
use crate::ws::WsClient;

/// `rapport migrate` against `url`: its success, and what it logged.
fn migrate(url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("migrate")
        .env("DATABASE_URL", url)
        .env("RAPPORT_JWT_SECRET", SECRET)
        .env_remove("REDIS_URL")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("rapport runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_and_redis_over_verified_tls() {
    let Some(cluster) = postgres::tls_cluster() else {
        return;
    };
    let files = cluster.tls().expect("a TLS cluster has certificates");
    let Some(redis) = redis::start_tls(files) else {
        return;
    };
    let plain = cluster.create_database(None);
    let name = plain.rsplit('/').next().expect("database name").to_owned();
    let at = |query: &str| {
        format!(
            "postgres://postgres@localhost:{}/{name}?{query}",
            cluster.port()
        )
    };
    let ca = files.ca.to_string_lossy().into_owned();

    // Without TLS the server has no entry for us; unverifiable, the client refuses.
    let (ok, said) = migrate(&at("sslmode=disable"));
    assert!(
        !ok && said.contains("pg_hba.conf"),
        "a plain connection was let in: {said}"
    );
    let (ok, said) = migrate(&at("sslmode=verify-full"));
    let refused = said.to_lowercase().contains("certificate");
    assert!(
        !ok && refused,
        "a certificate of an unknown CA was trusted: {said}"
    );

    let verified = at(&format!("sslmode=verify-full&sslrootcert={ca}"));
    let (ok, said) = migrate(&verified);
    assert!(ok, "{said}");
    let (url, token) = prepared(verified).await;
    let redis_url = redis.tls_url().expect("a TLS port");
    let env = [
        ("REDIS_URL", redis_url.as_str()),
        ("SSL_CERT_FILE", ca.as_str()),
    ];
    let one = ServerProcess::start(&url, &env);
    let two = ServerProcess::start(&url, &env);
    for base in [&one.base, &two.base] {
        let ready = reqwest::get(format!("{base}/readyz"))
            .await
            .expect("readyz");
        assert_eq!(ready.status(), 200, "{base} reaches PostgreSQL and Redis");
    }

    let after = post(&one.base, &token, "{ eventCursor }", json!({})).await["eventCursor"].clone();
    let mut subscriber = WsClient::ready(&two.base, &token).await;
    let tickets =
        "subscription($after: String) { ticketEvents(after: $after) { ticket { subject } } }";
    subscriber
        .subscribe("t", tickets, json!({ "after": after }))
        .await;
    let create = "mutation { createTicket(input: { subject: \"Over TLS\" }) { ticket { id } } }";
    post(&one.base, &token, create, json!({})).await;
    let event = subscriber.next_data("t").await;
    assert_eq!(event["ticketEvents"]["ticket"]["subject"], "Over TLS");

    // Every connection of this database came in over TLS.
    let plain_sessions = cluster.psql(
        "postgres",
        &format!(
            "SELECT COUNT(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.datname = '{name}' AND NOT s.ssl"
        ),
    );
    assert_eq!(plain_sessions.trim(), "0");
}
