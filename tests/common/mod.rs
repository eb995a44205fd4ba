//! Helpers shared by the integration-test binaries.

pub mod citus;
pub mod postgres;
pub mod redis;
pub mod redis_cluster;
pub mod s3;
pub mod server;
pub mod tls;

/// Sends a request and reads its JSON answer, failing the test when either
/// step fails: how most tests read an HTTP answer.
pub trait JsonAnswer {
    fn answer<T: serde::de::DeserializeOwned>(self) -> impl std::future::Future<Output = T>;
}

impl JsonAnswer for reqwest::RequestBuilder {
    async fn answer<T: serde::de::DeserializeOwned>(self) -> T {
        self.send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("a JSON answer")
    }
}

/// Starts `script` under `sh`, detached: no terminal, its own process group
/// (a Ctrl-C on `cargo test` must not kill it), so that it can clean up
/// after this test process has gone.
pub fn spawn_detached(script: String) -> std::io::Result<std::process::Child> {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
}
