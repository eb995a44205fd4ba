//! A throwaway S3 API per call to [`start()`]: `moto_server` (moto's server
//! mode, from PyPI) on a free loopback port, with one empty bucket. It
//! keeps objects in memory; `Drop` kills it.
//!
//! Missing `moto_server`: panics under `CI=true`, otherwise warns and
//! returns `None` (see [`super::postgres::missing`]).
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::postgres::{find_program, free_port, missing};

const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// The bucket every server starts with.
pub const BUCKET: &str = "rapport-test";

pub struct S3Server {
    child: Child,
    pub endpoint: String,
}

impl S3Server {
    /// The variables a Rapport server needs to keep its files under
    /// `s3://BUCKET/prefix` here.
    pub fn env(&self, prefix: &str) -> Vec<(String, String)> {
        [
            ("RAPPORT_FILES", format!("s3://{BUCKET}/{prefix}")),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_DEFAULT_REGION", "us-east-1".into()),
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
    }

    /// The keys of the bucket's objects under `prefix` (ListObjectsV2; moto
    /// does not check signatures).
    pub async fn keys(&self, prefix: &str) -> Vec<String> {
        let url = format!("{}/{BUCKET}?list-type=2&prefix={prefix}", self.endpoint);
        let xml = reqwest::get(url)
            .await
            .expect("list sent")
            .text()
            .await
            .expect("list read");
        xml.split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_owned()))
            .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts moto and makes [`BUCKET`]; answers once the bucket exists.
pub async fn start() -> Option<S3Server> {
    let program = find_program("moto_server", &[])
        .or_else(|| missing("moto_server (pip install 'moto[server]')"))?;
    let port = free_port();
    let child = Command::new(program)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let server = S3Server {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    let client = reqwest::Client::new();
    loop {
        let made = client
            .put(format!("{}/{BUCKET}", server.endpoint))
            .send()
            .await;
        if made.is_ok_and(|response| response.status().is_success()) {
            return Some(server);
        }
        assert!(
            started.elapsed() < READY_TIMEOUT,
            "moto_server did not answer on {} within {READY_TIMEOUT:?}",
            server.endpoint
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
