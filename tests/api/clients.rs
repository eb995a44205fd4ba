//! Checks by other people's code: the `graphql-http` audit suite (GraphQL
//! over HTTP) and real websocket clients (`graphql-ws`, and the legacy
//! `subscriptions-transport-ws`), run with Node against the real server.
//! The scripts and their pinned packages are in `tests/clients/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::common::postgres::{find_program, missing};
use crate::helpers::{Backend, spawn_app};

/// `node`, with `tests/clients/node_modules` installed (once per run).
pub(crate) fn node() -> Option<PathBuf> {
    static READY: OnceLock<Option<PathBuf>> = OnceLock::new();
    READY
        .get_or_init(|| {
            let node = find_program("node", &[])?;
            let dir = clients_dir();
            // Installed once, and again when a tool the lock file pins is
            // missing (a node_modules from before it was added).
            let tools = ["graphql-schema-linter", "relay-compiler", "graphql-codegen"];
            if !tools
                .iter()
                .all(|tool| dir.join("node_modules/.bin").join(tool).exists())
            {
                let npm = find_program("npm", &[])?;
                let status = Command::new(npm)
                    .args(["ci", "--no-audit", "--no-fund"])
                    .current_dir(&dir)
                    .status()
                    .expect("npm runs");
                assert!(status.success(), "npm ci in tests/clients failed");
            }
            Some(node)
        })
        .clone()
        .or_else(|| missing("node and npm (Node 20)"))
}

pub(crate) fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// Runs `node script args…` and panics with its output unless it succeeds.
pub(crate) fn run(node: &Path, script: &str, args: &[&str]) -> String {
    let output = Command::new(node)
        .arg(script)
        .args(args)
        .current_dir(clients_dir())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{stderr}"
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_http_audit_passes_with_no_failure_and_no_warning() {
    let Some(node) = node() else { return };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let url = format!("{}/graphql", app.base);
    let output = tokio::task::spawn_blocking(move || run(&node, "audit.mjs", &[&url]))
        .await
        .expect("audit ran");
    assert!(
        output.contains("MUST failures: 0, SHOULD warnings: 0"),
        "{output}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_ws_and_the_legacy_apollo_client_subscribe_for_real() {
    let Some(node) = node() else { return };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let (base, token) = (app.base.clone(), app.token.clone());
    let output = tokio::task::spawn_blocking(move || run(&node, "check.mjs", &[&base, &token]))
        .await
        .expect("check ran");
    assert!(output.contains("OK 6 checks"), "{output}");
}
