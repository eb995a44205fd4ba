//! A webhook receiver for the tests: real HTTP/1 on 127.0.0.1, verifying
//! each signature with its own HMAC (written here from the Standard Webhooks
//! specification, not with the server's code), answering as the test plans
//! (fail, hang past the timeout), and killable: every connection is dropped
//! at once, then it can come back on the same port.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use sha2::Sha256;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// How the receiver answers one request.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    Status(u16),
    /// Waits this long, then answers 200.
    Hang(Duration),
}

/// A request the receiver accepted (signature verified).
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub body: Value,
    /// Which of the known secrets signed it (indexes into `secrets`).
    pub signed_by: Vec<usize>,
}

#[derive(Default)]
struct Inner {
    secrets: Mutex<Vec<String>>,
    plan: Mutex<VecDeque<Answer>>,
    accepted: Mutex<Vec<Received>>,
    /// Requests whose signature did not verify (answered 401).
    forged: Mutex<usize>,
    /// Every answer given to a verified request, in order, with its
    /// message id (for failure messages).
    given: Mutex<Vec<(String, Answer)>>,
    /// Requests being answered now, and the most ever at once.
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

/// Counts a request in flight until dropped (also when a kill cuts it).
struct InFlight<'a>(&'a Inner);

impl<'a> InFlight<'a> {
    fn enter(inner: &'a Inner) -> Self {
        let now = inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        inner.most_in_flight.fetch_max(now, Ordering::SeqCst);
        Self(inner)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

pub struct Receiver {
    pub url: String,
    port: u16,
    inner: Arc<Inner>,
    connections: Option<tokio::task::JoinHandle<()>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let mut receiver = Self {
            url: format!("http://127.0.0.1:{port}/hooks"),
            port,
            inner: Arc::default(),
            connections: None,
        };
        receiver.serve(listener);
        receiver
    }

    fn serve(&mut self, listener: TcpListener) {
        let inner = self.inner.clone();
        self.connections = Some(tokio::spawn(async move {
            // Dropped with this task: aborting it cuts every connection.
            let mut open = JoinSet::new();
            loop {
                // A failed accept (a connection reset before it was taken)
                // must not end the receiver: only `kill` does.
                let Ok((stream, _)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                };
                let inner = inner.clone();
                let service = hyper::service::service_fn(move |request| {
                    let inner = inner.clone();
                    async move { Ok::<_, hyper::Error>(answer(&inner, request).await) }
                });
                // One request per connection: a client never reuses a
                // connection the receiver is about to close, so each attempt
                // meets exactly one planned answer.
                open.spawn(
                    hyper::server::conn::http1::Builder::new()
                        .keep_alive(false)
                        .serve_connection(TokioIo::new(stream), service),
                );
            }
        }));
    }

    /// Accepts signatures made with `secret` (besides earlier ones).
    pub fn trust(&self, secret: &str) -> usize {
        let mut secrets = self.inner.secrets.lock().unwrap();
        secrets.push(secret.to_owned());
        secrets.len() - 1
    }

    /// Answers the next requests so, in order; then 200 again.
    pub fn plan(&self, answers: impl IntoIterator<Item = Answer>) {
        self.inner.plan.lock().unwrap().extend(answers);
    }

    /// Forgets the answers not given yet.
    pub fn plan_clear(&self) {
        self.inner.plan.lock().unwrap().clear();
    }

    /// Stops dead: the port closes and open connections drop.
    pub fn kill(&mut self) {
        if let Some(task) = self.connections.take() {
            task.abort();
        }
    }

    /// Comes back on the same port.
    pub async fn restart(&mut self) {
        self.kill();
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(listener) => break listener,
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        self.serve(listener);
    }

    /// Everything accepted, in arrival order (duplicates included).
    pub fn accepted(&self) -> Vec<Received> {
        self.inner.accepted.lock().unwrap().clone()
    }

    /// The answers given so far, in order, with the message each answered.
    pub fn given(&self) -> Vec<(String, Answer)> {
        self.inner.given.lock().unwrap().clone()
    }

    /// The most requests ever answered at once.
    pub fn most_in_flight(&self) -> usize {
        self.inner.most_in_flight.load(Ordering::SeqCst)
    }

    pub fn forged(&self) -> usize {
        *self.inner.forged.lock().unwrap()
    }

    /// The accepted messages with duplicates removed by `webhook-id`, as a
    /// receiver deduplicates; first arrival counts.
    pub fn unique(&self) -> Vec<Received> {
        let mut seen = HashSet::new();
        self.accepted()
            .into_iter()
            .filter(|r| seen.insert(r.id.clone()))
            .collect()
    }

    /// Waits until `done` holds for the unique messages (at most `bound`).
    pub async fn wait_for(&self, bound: Duration, done: impl Fn(&[Received]) -> bool) {
        let deadline = tokio::time::Instant::now() + bound;
        while !done(&self.unique()) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "webhooks did not all arrive in {bound:?}; got {} unique of {} accepted",
                self.unique().len(),
                self.accepted().len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn answer(inner: &Inner, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let _counted = InFlight::enter(inner);
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (id, timestamp, signatures) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let signed_by = verify(
        &inner.secrets.lock().unwrap(),
        &id,
        &timestamp,
        &body,
        &signatures,
    );
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    if signed_by.is_empty() || !fresh {
        *inner.forged.lock().unwrap() += 1;
        return respond(401, "bad signature");
    }
    let planned = inner.plan.lock().unwrap().pop_front();
    inner
        .given
        .lock()
        .unwrap()
        .push((id.clone(), planned.unwrap_or(Answer::Status(200))));
    let status = match planned {
        Some(Answer::Status(status)) => status,
        Some(Answer::Hang(wait)) => {
            tokio::time::sleep(wait).await;
            200
        }
        None => 200,
    };
    if (200..300).contains(&status) {
        let body = serde_json::from_slice(&body).expect("a JSON body");
        inner.accepted.lock().unwrap().push(Received {
            id,
            body,
            signed_by,
        });
    }
    respond(status, if status == 200 { "ok" } else { "try again" })
}

/// The indexes of the secrets whose signature is among `header`'s.
fn verify(secrets: &[String], id: &str, timestamp: &str, body: &[u8], header: &str) -> Vec<usize> {
    let offered: Vec<&str> = header
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .collect();
    secrets
        .iter()
        .enumerate()
        .filter(|(_, secret)| {
            let key = STANDARD
                .decode(secret.trim_start_matches("whsec_"))
                .expect("base64 secret");
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
            mac.update(id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.as_bytes());
            mac.update(b".");
            mac.update(body);
            let expected = mac.finalize().into_bytes();
            offered
                .iter()
                .any(|o| STANDARD.decode(o).is_ok_and(|sig| sig[..] == expected[..]))
        })
        .map(|(index, _)| index)
        .collect()
}

fn respond(status: u16, text: &'static str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .body(Full::new(Bytes::from_static(text.as_bytes())))
        .expect("response")
}
