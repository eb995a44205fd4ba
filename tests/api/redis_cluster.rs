//! Events across a Redis Cluster: two server processes on one PostgreSQL
//! find the cluster by themselves (`REDIS_URL` names one node), publish
//! with `SPUBLISH` on their workspace's shard channel and subscribe with
//! `SSUBSCRIBE`. The master serving that channel is killed in the middle
//! of a stream of events; its replica takes over, the subscriber's
//! connection subscribes again, and the subscriber on the other instance
//! still gets every event exactly once, in order (what pub/sub lost is
//! read from the outbox).

use rapport::auth::TokenKeys;
use rapport_core::events::redis_shards;

use crate::common::postgres;
use crate::common::redis_cluster;
use crate::common::server::{SECRET, ServerProcess};
use crate::processes::{TICKETS, create_ticket, cursor, prepared, subjects};
use crate::ws::WsClient;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_cross_a_redis_cluster_through_a_failover_exactly_once_in_order() {
    let Some(pg) = postgres::cluster() else {
        return;
    };
    let Some(mut cluster) = redis_cluster::start() else {
        return;
    };
    let (url, token) = prepared(pg.create_database(None)).await;
    let redis_url = cluster.url();
    let one = ServerProcess::start(&url, &[("REDIS_URL", &redis_url)]);
    let two = ServerProcess::start(&url, &[("REDIS_URL", &redis_url)]);
    let after = cursor(&one.base, &token).await;
    let mut subscriber = WsClient::ready(&two.base, &token).await;
    subscriber
        .subscribe("t", TICKETS, serde_json::json!({ "after": after }))
        .await;
    create_ticket(&one.base, &token, "T0").await;
    assert_eq!(subjects(&mut subscriber, "t", 1).await, ["T0"]);

    // Both instances hold a sharded subscription on the master serving
    // the workspace's channel: the events cross that shard only.
    let workspace = TokenKeys::new(SECRET.as_bytes().to_vec())
        .verify(&token)
        .expect("token")
        .ws;
    let channel = redis_shards::channel(workspace);
    let master = cluster.master_of(&channel);
    let counted = cluster.cli(master, &["pubsub", "shardnumsub", &channel]);
    let subscribers: u32 = counted
        .lines()
        .nth(1)
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert_eq!(subscribers, 2, "{counted}");

    let mut written = vec!["T0".to_owned()];
    for i in 1..=60 {
        if i == 20 {
            cluster.kill9(master);
        }
        let subject = format!("T{i}");
        create_ticket(&one.base, &token, &subject).await;
        written.push(subject);
    }
    let promoted = cluster.wait_for_failover(master, &channel);
    // Both instances subscribe again, on the promoted replica.
    let started = std::time::Instant::now();
    while sharded_subscribers(&cluster, promoted, &channel) < 2 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "no resubscription"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for i in 61..=70 {
        let subject = format!("T{i}");
        create_ticket(&one.base, &token, &subject).await;
        written.push(subject);
    }
    let mut seen = vec!["T0".to_owned()];
    seen.extend(subjects(&mut subscriber, "t", written.len() - 1).await);
    assert_eq!(seen, written);
    // Nothing more comes (no event twice).
    create_ticket(&one.base, &token, "last").await;
    assert_eq!(subjects(&mut subscriber, "t", 1).await, ["last"]);
}

/// `PUBSUB SHARDNUMSUB channel` on the node at `port`.
fn sharded_subscribers(cluster: &redis_cluster::RedisCluster, port: u16, channel: &str) -> u32 {
    let counted = cluster.cli(port, &["pubsub", "shardnumsub", channel]);
    counted
        .lines()
        .nth(1)
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}
