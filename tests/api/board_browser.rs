//! The live board (`/board`) in a real browser: a server process on a
//! SQLite file with the demo workspace, and two headless Chromium pages
//! (Debian's, driven by `playwright-core` in `tests/clients/board_browser.mjs`).
//! Page A (desktop) signs in with the form, page B (phone-sized, touch) with
//! a pasted token. The script checks, without reloading either page:
//! - a drag on A appears on B;
//! - a conflict: A's websocket is held back by the script while the same
//!   deal moves through the API, so A draws a stale version; A's drag of it
//!   is refused (`CONFLICT`), A says so and reloads the deal where the API
//!   put it, and the refused move wrote nothing;
//! - B's stage picker (the phone's way to move a card) appears on A;
//! - a ticket created through the API appears in both queues;
//! - the dashboard draws every chart, and winning a deal through the API
//!   redraws A's won revenue of that month and the owner's leaderboard row
//!   from the API's figures before to the API's figures after;
//! - a restart misses nothing: with the pages' server stopped (both show
//!   "reconnecting"), a second server on the same database and another port
//!   moves a deal, stops, and the first comes back on its own port; both
//!   pages then show the move once, and A was sent its event exactly once
//!   and no event twice (they resume `pipelineEvents` after their last
//!   cursor).
//!
//! Screenshots of both sizes are kept under `<target>/test-artefacts/board/`.
//! Without Chromium the test skips with a message, except under `CI=true`,
//! where that fails.

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

    // While the pages' server is down, a second server on the same database
    // but another port (which the pages do not know) takes a move; then it
    // stops and the first comes back on its own port. The pages can only
    // learn of the move by resuming after their last event.
    let mut other = ServerProcess::start_with_args(&url, &["serve"], &[]);
    writeln!(to_script, "other {}", other.base).expect("script listens");
    until("moved").unwrap_or_else(|| panic!("{:?}", script.wait()));
    other.terminate();
    other.wait_exit(Duration::from_secs(30));
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
