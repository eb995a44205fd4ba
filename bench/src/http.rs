//! A small closed-loop HTTP/1.1 load client: N connections, each sending
//! its next request as soon as the previous answer is read and checked.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Where and how to send GraphQL requests.
#[derive(Clone)]
pub struct Target {
    pub name: &'static str,
    pub addr: String,
    pub path: String,
    pub bearer: Option<String>,
}

pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    target: Target,
}

impl Conn {
    pub async fn open(target: &Target) -> Result<Self> {
        let stream = TcpStream::connect(&target.addr)
            .await
            .with_context(|| format!("connect {}", target.addr))?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Self {
            sender,
            target: target.clone(),
        })
    }

    /// POSTs a GraphQL body; returns the status and the whole response body.
    pub async fn post(&mut self, body: Bytes) -> Result<(u16, Bytes)> {
        let bearer = self.target.bearer.clone();
        self.send(body, bearer.as_deref()).await
    }

    /// [`Self::post`] signed with `token` instead of the target's.
    pub async fn post_as(&mut self, body: Bytes, token: &str) -> Result<(u16, Bytes)> {
        self.send(body, Some(token)).await
    }

    async fn send(&mut self, body: Bytes, bearer: Option<&str>) -> Result<(u16, Bytes)> {
        self.sender.ready().await?;
        let mut req = hyper::Request::post(&self.target.path)
            .header("host", &self.target.addr)
            .header("content-type", "application/json")
            .header("accept", "application/json");
        if let Some(token) = bearer {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let res = self.sender.send_request(req.body(Full::new(body))?).await?;
        let status = res.status().as_u16();
        let body = res.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

/// One POST on a fresh connection.
pub async fn post_once(target: &Target, body: &serde_json::Value) -> Result<serde_json::Value> {
    let mut c = Conn::open(target).await?;
    let (status, bytes) = c.post(Bytes::from(serde_json::to_vec(body)?)).await?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{}: HTTP {status}: {}",
            target.name,
            String::from_utf8_lossy(&bytes)
        )
    })?;
    if status != 200 {
        bail!("{}: HTTP {status}: {value}", target.name);
    }
    Ok(value)
}

/// The GraphQL request body for a query and its variables.
pub fn gql(query: &str, variables: serde_json::Value) -> Bytes {
    Bytes::from(
        serde_json::to_vec(&serde_json::json!({ "query": query, "variables": variables })).unwrap(),
    )
}

/// What a load run measured.
#[derive(Default, Clone)]
pub struct Sample {
    pub ok: u64,
    pub failed: u64,
    pub first_failure: Option<String>,
    pub elapsed: Duration,
    /// Latency of every successful request, in microseconds.
    pub latencies: Vec<u32>,
    /// When each successful request started (µs after the load began), in
    /// the order of `latencies`: places slow requests in time.
    pub started: Vec<u32>,
    /// CPU time (jiffies) the server and PostgreSQL used meanwhile.
    pub server_cpu: u64,
    pub db_cpu: u64,
    /// CPU time (jiffies) of this load client meanwhile.
    pub client_cpu: u64,
}

impl Sample {
    pub fn merge(&mut self, other: Sample) {
        self.ok += other.ok;
        self.failed += other.failed;
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
        self.started.extend(other.started);
        self.server_cpu += other.server_cpu;
        self.db_cpu += other.db_cpu;
        self.client_cpu += other.client_cpu;
    }

    /// CPU milliseconds per successful request: (server, PostgreSQL, client).
    pub fn cpu_per_request(&self) -> (f64, f64, f64) {
        let per = crate::report::ms_per_jiffy() / self.ok.max(1) as f64;
        (
            self.server_cpu as f64 * per,
            self.db_cpu as f64 * per,
            self.client_cpu as f64 * per,
        )
    }

    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The p-th percentile latency in milliseconds (nearest rank).
    pub fn pct_ms(&mut self, p: f64) -> f64 {
        percentile_ms(&mut self.latencies, p)
    }
}

pub fn percentile_ms(us: &mut [u32], p: f64) -> f64 {
    if us.is_empty() {
        return f64::NAN;
    }
    us.sort_unstable();
    let rank = ((p / 100.0) * us.len() as f64).ceil() as usize;
    us[rank.clamp(1, us.len()) - 1] as f64 / 1000.0
}

/// Makes request `i` of worker `w`: its body and the check of its answer.
pub type MakeRequest = Arc<dyn Fn(usize, u64) -> (Bytes, Checker) + Send + Sync>;
pub type Checker = Box<dyn FnOnce(&[u8]) -> Result<()> + Send>;

/// Runs `concurrency` connections for `duration`, each sending back to back.
pub async fn load(
    target: &Target,
    concurrency: usize,
    duration: Duration,
    make: MakeRequest,
) -> Result<Sample> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut conns = Vec::new();
    for _ in 0..concurrency {
        conns.push(Conn::open(target).await?);
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (w, mut conn) in conns.into_iter().enumerate() {
        let stop = stop.clone();
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut s = Sample::default();
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let (body, check) = make(w, i);
                i += 1;
                let t0 = Instant::now();
                let result = conn.post(body).await;
                let took = t0.elapsed();
                let verdict = match result {
                    Ok((200, bytes)) => check(&bytes).map_err(|e| {
                        anyhow!(
                            "{e}: {}",
                            String::from_utf8_lossy(&bytes[..bytes.len().min(400)])
                        )
                    }),
                    Ok((status, bytes)) => Err(anyhow!(
                        "HTTP {status}: {}",
                        String::from_utf8_lossy(&bytes[..bytes.len().min(400)])
                    )),
                    Err(e) => Err(e),
                };
                match verdict {
                    Ok(()) => {
                        s.ok += 1;
                        s.latencies
                            .push(took.as_micros().min(u32::MAX as u128) as u32);
                        s.started.push(
                            t0.duration_since(start).as_micros().min(u32::MAX as u128) as u32,
                        );
                    }
                    Err(e) => {
                        s.failed += 1;
                        if s.first_failure.is_none() {
                            s.first_failure = Some(e.to_string());
                        }
                        // A broken connection is replaced; a refused request is not retried.
                        if conn.sender.is_closed() {
                            match Conn::open(&conn.target).await {
                                Ok(c) => conn = c,
                                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                            }
                        }
                    }
                }
            }
            s
        }));
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut total = Sample::default();
    for t in tasks {
        total.merge(t.await?);
    }
    // Requests in flight at the stop are counted; the elapsed time runs to
    // when the last one came back.
    total.elapsed = start.elapsed();
    Ok(total)
}

/// Counts non-overlapping occurrences of `needle` in `hay`.
pub fn count(hay: &[u8], needle: &[u8]) -> usize {
    memchr::memmem::find_iter(hay, needle).count()
}

/// Fails unless the body starts as a successful GraphQL answer.
pub fn no_errors(body: &[u8]) -> Result<()> {
    if !body.starts_with(b"{\"data\":") || count(body, b"\"errors\":") > 0 {
        bail!("not a successful GraphQL answer");
    }
    Ok(())
}

/// A GET on a fresh connection; returns the body.
pub async fn get(target: &Target, path: &str) -> Result<String> {
    let stream = TcpStream::connect(&target.addr).await?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = hyper::Request::get(path)
        .header("host", &target.addr)
        .body(Full::new(Bytes::new()))?;
    let res = sender.send_request(req).await?;
    let status = res.status().as_u16();
    let body = res.into_body().collect().await?.to_bytes();
    if status != 200 {
        bail!("GET {path}: HTTP {status}");
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}
