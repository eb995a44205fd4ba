//! The live board (`/board`) in a real browser: a server process on a
//! SQLite file with the demo workspace, and two headless Chromium pages
//! (Debian's, driven by `playwright-core` in `tests/clients/board_browser.mjs`).
//! Page A signs in with the form and drags a deal; page B, signed in with a
//! pasted token on a phone-sized screen, shows it without reloading, shows a
//! ticket created through the API, and draws the dashboard. Then the server
//! is stopped and started again on the same database and port, a deal is
//! moved through the API as soon as it answers, and page B shows it once it has reconnected
//! (it resubscribes after the last event it saw). Screenshots of both sizes
//! are kept under `<target>/test-artefacts/board/`. Without Chromium the
//! test skips with a message, except under `CI=true`, where that fails.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::clients::{clients_dir, node};
use crate::common::postgres::{find_program, missing};
use crate::common::server::ServerProcess;

const EMAIL: &str = "admin@demo.rapport.dev";
const PASSWORD: &str = "rapport-demo";

fn chromium() -> Option<PathBuf> {
    find_program("chromium", &[]).or_else(|| missing("chromium (apt-get install chromium)"))
}

/// Where the screenshots are kept: beside Cargo's target directory's `tmp`.
fn artefact_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let target = tmp.parent().map(PathBuf::from).unwrap_or(tmp);
    let dir = target.join("test-artefacts/board");
    std::fs::create_dir_all(&dir).expect("artefact directory");
    dir
}

/// A port free now, so the restarted server can take the same one and the
/// pages' websockets reconnect to the address they know.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("bound").port()
}

/// `rapport serve` with the demo workspace on `url`, bound to `port`.
fn serve(url: &str, port: u16) -> ServerProcess {
    let bind = format!("127.0.0.1:{port}");
    ServerProcess::start_with_args(url, &["serve"], &[("RAPPORT_BIND", &bind)])
}

#[test]
fn the_live_board_follows_drags_tickets_and_a_server_restart_in_the_browser() {
    let Some(node) = node() else { return };
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/rapport.db?mode=rwc", dir.path().display());
    let port = free_port();
    let mut server = serve(&url, port);
    let artefacts = artefact_dir();
    eprintln!("board screenshots: {}", artefacts.display());

    let mut script = Command::new(node)
        .arg("board_browser.mjs")
        .args([
            &chromium.display().to_string(),
            &server.base,
            EMAIL,
            PASSWORD,
            &artefacts.display().to_string(),
        ])
        .current_dir(clients_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut to_script = script.stdin.take().expect("stdin");
    let mut said = BufReader::new(script.stdout.take().expect("stdout")).lines();
    // Reads the script's lines until one starts with `prefix`; None when it
    // ended first (its exit status and stderr then say why).
    let mut until = |prefix: &str| -> Option<String> {
        for line in said.by_ref().map_while(Result::ok) {
            eprintln!("[board_browser] {line}");
            if line.starts_with(prefix) {
                return Some(line);
            }
        }
        None
    };

    until("stopping").unwrap_or_else(|| panic!("{:?}", script.wait()));
    server.terminate();
    server.wait_exit(Duration::from_secs(30));
    writeln!(to_script, "stopped").expect("script listens");
    until("saw-reconnecting").unwrap_or_else(|| panic!("{:?}", script.wait()));

    // Same database, same port: the pages reconnect on their own, and the
    // script moves a deal through the API as soon as the server answers.
    let _restarted = serve(&url, port);
    writeln!(to_script, "restarted").expect("script listens");
    let done = until("done");
    drop(to_script);
    let status = script.wait().expect("node ends");
    assert!(
        done.is_some() && status.success(),
        "board_browser.mjs failed ({status}); its stderr is above"
    );
}
