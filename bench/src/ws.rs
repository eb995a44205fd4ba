//! Websocket subscribers speaking graphql-transport-ws (Rapport and
//! PostGraphile 4.14's "v1" transport both do). Each subscriber is one task
//! and one connection; every `next` it receives is reported with the
//! instant it arrived and the ticket subject it carried.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub struct Delivery {
    pub subscriber: usize,
    pub at: Instant,
    pub subject: String,
}

pub struct Subscribers {
    pub deliveries: mpsc::UnboundedReceiver<Delivery>,
    pub connected: usize,
    pub failures: Vec<String>,
    close: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    pub problems: Arc<AtomicUsize>,
}

pub struct SubscribeSpec {
    pub url: String,
    /// The `connection_init` payload.
    pub init: serde_json::Value,
    pub query: String,
}

/// Opens `n` subscribers, at most `parallel` handshakes at a time, and
/// returns once each is subscribed (or failed).
pub async fn open(spec: &SubscribeSpec, n: usize, parallel: usize) -> Result<Subscribers> {
    let (tx, deliveries) = mpsc::unbounded_channel();
    let (close, closed) = watch::channel(false);
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<Result<(), String>>();
    let gate = Arc::new(Semaphore::new(parallel));
    let problems = Arc::new(AtomicUsize::new(0));
    let spec = Arc::new((spec.url.clone(), spec.init.clone(), spec.query.clone()));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let tx = tx.clone();
        let mut closed = closed.clone();
        let ready = ready_tx.clone();
        let gate = gate.clone();
        let spec = spec.clone();
        let problems = problems.clone();
        tasks.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await;
            let ws = match handshake(&spec.0, &spec.1, &spec.2).await {
                Ok(ws) => ws,
                Err(e) => {
                    let _ = ready.send(Err(format!("{e:#}")));
                    return;
                }
            };
            drop(permit);
            let _ = ready.send(Ok(()));
            let mut ws = ws;
            // Waited on across iterations: a `changed()` made afresh for every
            // message registers under the watch's one lock, which all the
            // subscribers of this process share.
            let closing = closed.clone();
            let stop = closed.changed();
            tokio::pin!(stop);
            loop {
                tokio::select! {
                    msg = ws.next() => match msg {
                        Some(Ok(Message::Text(text))) => {
                            let text = text.as_str();
                            if text.contains("\"type\":\"next\"") {
                                let at = Instant::now();
                                let subject = subject_of(text).unwrap_or_default();
                                if subject.is_empty() {
                                    problems.fetch_add(1, Ordering::Relaxed);
                                }
                                let _ = tx.send(Delivery { subscriber: i, at, subject });
                            } else if text.contains("\"type\":\"ping\"") {
                                let _ = ws.send(Message::text("{\"type\":\"pong\"}")).await;
                            } else if !text.contains("\"type\":\"pong\"") {
                                problems.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => {
                            if !*closing.borrow() {
                                problems.fetch_add(1, Ordering::Relaxed);
                            }
                            return;
                        }
                    },
                    _ = &mut stop => {
                        let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
                        return;
                    }
                }
            }
        }));
    }
    drop(ready_tx);
    let mut connected = 0;
    let mut failures = Vec::new();
    // Every task reports once (its sender lives on with it).
    for _ in 0..n {
        match ready_rx.recv().await {
            Some(Ok(())) => connected += 1,
            Some(Err(e)) => failures.push(e),
            None => break,
        }
    }
    Ok(Subscribers {
        deliveries,
        connected,
        failures,
        close,
        tasks,
        problems,
    })
}

impl Subscribers {
    /// Closes every connection and waits for the tasks.
    pub async fn close(self) {
        let _ = self.close.send(true);
        for t in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
        }
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn handshake(url: &str, init: &serde_json::Value, query: &str) -> Result<Ws> {
    let mut req = url.into_client_request()?;
    req.headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
    // Small buffers: the client must not be the one running out of memory.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0)
        .max_write_buffer_size(1 << 20);
    let (mut ws, _) = tokio::time::timeout(
        Duration::from_secs(60),
        tokio_tungstenite::connect_async_with_config(req, Some(config), true),
    )
    .await
    .context("websocket connect timed out")??;
    ws.send(Message::text(
        serde_json::json!({"type": "connection_init", "payload": init}).to_string(),
    ))
    .await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Err(_) => bail!("no connection_ack"),
            Ok(Some(Ok(Message::Text(t)))) if t.as_str().contains("connection_ack") => break,
            Ok(Some(Ok(Message::Text(t)))) if t.as_str().contains("\"ping\"") => {
                ws.send(Message::text("{\"type\":\"pong\"}")).await?;
            }
            Ok(Some(Ok(Message::Close(c)))) => return Err(anyhow!("closed before ack: {c:?}")),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(None) => bail!("closed before ack"),
        }
    }
    ws.send(Message::text(
        serde_json::json!({"type": "subscribe", "id": "1", "payload": {"query": query}})
            .to_string(),
    ))
    .await?;
    Ok(ws)
}

/// The value of the first `"subject":"…"` in a message.
fn subject_of(text: &str) -> Option<String> {
    let at = text.find("\"subject\":\"")? + "\"subject\":\"".len();
    let rest = &text[at..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Waits until `want` deliveries of `subject` arrived or `timeout` passed;
/// returns their arrival instants (other subjects are dropped).
pub async fn collect(
    rx: &mut mpsc::UnboundedReceiver<Delivery>,
    subject: &str,
    want: usize,
    timeout: Duration,
) -> Vec<Instant> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut got = Vec::with_capacity(want);
    while got.len() < want {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(d)) if d.subject == subject => got.push(d.at),
            Ok(Some(_)) => {}
            _ => break,
        }
    }
    got
}
