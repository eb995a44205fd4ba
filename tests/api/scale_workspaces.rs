//! `rapport seed --scale N --workspaces K`: K numbered workspaces of N
//! contacts beside the lone scale workspace, each with its own ids and
//! team, so a benchmark can spread a load over many tenants; tokens for
//! several members at once. On SQLite, and on Citus, where every workspace's
//! rows go to its own shard group through the coordinator.

use serde_json::json;

use crate::common::citus;
use crate::common::server::ServerProcess;
use crate::scale_seed::rapport;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_small_workspaces_stand_beside_the_lone_one_on_sqlite() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/many.db?mode=rwc", dir.path().display());
    many_small_workspaces(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_small_workspaces_stand_beside_the_lone_one_on_citus() {
    let Some(cluster) = citus::cluster() else {
        return;
    };
    let (_, url) = cluster.create_database();
    many_small_workspaces(&url).await;
}

async fn many_small_workspaces(url: &str) {
    let seeded = |args: &[&str]| {
        let out = rapport(url, args);
        let log = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.success(), log)
    };
    let (ok, log) = seeded(&["seed", "--scale", "100"]);
    assert!(ok, "{log}");
    let (ok, log) = seeded(&["seed", "--scale", "100", "--workspaces", "3", "--append"]);
    assert!(ok, "{log}");
    // The same set again is refused before anything is written.
    let (ok, log) = seeded(&["seed", "--scale", "100", "--workspaces", "3", "--append"]);
    assert!(!ok);
    assert!(
        log.contains("admin@scale-100-1.rapport.dev exists already"),
        "{log}"
    );
    let (ok, log) = seeded(&["seed", "--scale", "100", "--workspaces", "0", "--append"]);
    assert!(!ok);
    assert!(log.contains("--workspaces takes 1 to"), "{log}");

    let admins = [
        "admin@scale.rapport.dev",
        "admin@scale-100-1.rapport.dev",
        "admin@scale-100-2.rapport.dev",
        "admin@scale-100-3.rapport.dev",
    ];
    let mut args = vec!["token"];
    for admin in admins {
        args.extend(["--email", admin]);
    }
    let out = rapport(url, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let tokens: Vec<&str> = stdout.lines().collect();
    assert_eq!(tokens.len(), admins.len(), "one token per email: {stdout}");

    // Each admin sees its own workspace of 100 contacts, and no other's.
    let server = ServerProcess::start(url, &[]);
    let mut workspaces = Vec::new();
    let mut contacts = Vec::new();
    for (admin, token) in admins.iter().zip(&tokens) {
        let query = "{ me { email workspaceId } contacts(first: 5) { totalCount nodes { id } } }";
        let answer = server.graphql(token, query, json!({})).await;
        assert!(answer["errors"].is_null(), "{answer}");
        let data = &answer["data"];
        assert_eq!(data["me"]["email"], *admin);
        assert_eq!(data["contacts"]["totalCount"], 100, "{admin}");
        workspaces.push(data["me"]["workspaceId"].clone());
        contacts.extend(
            data["contacts"]["nodes"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
    }
    let names: Vec<_> = workspaces.iter().collect();
    assert!(
        names
            .iter()
            .enumerate()
            .all(|(i, w)| !names[..i].contains(w)),
        "four workspaces: {names:?}"
    );
    let mut ids: Vec<_> = contacts.iter().map(|c| c["id"].to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        admins.len() * 5,
        "no contact is in two workspaces"
    );
}
