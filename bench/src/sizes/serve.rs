//! The processes of one size: the seed, Rapport on the seeded database,
//! PostGraphile beside it, and the ids the operations need.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::ops::Fixture;
use crate::http::{Target, post_once};
use crate::{procs, wait_ready};

/// The seeded workspace's admin (`rapport seed --scale` creates it).
pub const ADMIN: &str = "admin@scale.rapport.dev";

pub struct Servers {
    pub bin: PathBuf,
    pub bench: PathBuf,
    pub logs: PathBuf,
    pub secret: String,
    /// Where the databases live (PostgreSQL's cluster, SQLite's files).
    pub run_dir: PathBuf,
}

impl Servers {
    fn command(&self, url: &str) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env("DATABASE_URL", url)
            .env("RAPPORT_JWT_SECRET", &self.secret)
            .env("RAPPORT_BIND", "127.0.0.1:0")
            .env("RAPPORT_LOG_FORMAT", "json")
            .env("RAPPORT_RATE_LIMIT_PER_MINUTE", "100000000")
            .env("RAPPORT_NO_DEMO", "1")
            .env_remove("REDIS_URL")
            .env_remove("RUST_LOG");
        cmd
    }

    /// Runs `rapport seed` with `args`; returns (rows, seconds) from its log.
    pub fn seed(&self, url: &str, args: &[&str], label: &str) -> Result<(u64, f64)> {
        let log = self.logs.join(format!("seed-{label}.log"));
        let mut cmd = self.command(url);
        cmd.arg("seed").args(args);
        procs::run(cmd, "rapport seed --scale", &log)?;
        let text = std::fs::read_to_string(&log)?;
        let done = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v["fields"]["message"] == "seeded a workspace at scale")
            .with_context(|| format!("no summary in {}", log.display()))?;
        let rows = done["fields"]["rows"].as_u64().unwrap_or(0);
        let seconds = done["fields"]["seconds"].as_f64().unwrap_or(f64::NAN);
        Ok((rows, seconds))
    }

    /// A token for each of these members, in order.
    pub fn tokens(&self, url: &str, emails: &[String]) -> Result<Vec<String>> {
        let mut cmd = self.command(url);
        cmd.arg("token");
        for email in emails {
            cmd.args(["--email", email]);
        }
        let out = cmd.output()?;
        if !out.status.success() {
            bail!("rapport token: {}", String::from_utf8_lossy(&out.stderr));
        }
        let tokens: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        if tokens.len() != emails.len() {
            bail!(
                "rapport token gave {} tokens for {} emails",
                tokens.len(),
                emails.len()
            );
        }
        Ok(tokens)
    }

    pub fn token(&self, url: &str) -> Result<String> {
        let mut tokens = self.tokens(url, &[ADMIN.to_owned()])?;
        tokens.pop().context("no token")
    }

    /// Starts Rapport on `url`; returns its pid and address.
    pub async fn rapport(&self, url: &str, token: &str, label: &str) -> Result<(i32, Target)> {
        let name = format!("rapport-{label}");
        let log = self.logs.join(format!("{name}.log"));
        let mut cmd = self.command(url);
        cmd.args(["serve", "--no-demo"]);
        let mut child = procs::spawn(cmd, &name, &log)?;
        let pid = child.id() as i32;
        let addr = tokio::task::spawn_blocking(move || {
            procs::wait_for_log(&log, Duration::from_secs(120), &mut child, |line| {
                let v: Value = serde_json::from_str(line).ok()?;
                v.pointer("/fields/address")?.as_str().map(str::to_string)
            })
        })
        .await?
        .with_context(|| format!("{name} did not start"))?;
        let target = Target {
            name: "Rapport",
            addr,
            path: "/graphql".into(),
            bearer: Some(token.to_owned()),
        };
        wait_ready(&target, 1).await?;
        Ok((pid, target))
    }

    /// Starts PostGraphile v4 with the connection-filter plugin on `url`.
    pub async fn peer(&self, url: &str, label: &str) -> Result<(i32, Target)> {
        let port = procs::free_port()?;
        let name = format!("postgraphile-{label}");
        let log = self.logs.join(format!("{name}.log"));
        let peer = self.bench.join("peer");
        let mut cmd = Command::new("node");
        cmd.current_dir(&peer)
            .arg(peer.join("node_modules/postgraphile/cli.js"))
            .args(["--append-plugins", "postgraphile-plugin-connection-filter"])
            .args(["-c", url, "-s", "public"])
            .args(["--simple-collections", "both", "--cluster-workers", "2"])
            .args(["-n", "127.0.0.1", "-p", &port.to_string()])
            .args(["--disable-query-log", "--disable-graphiql"])
            .env("NODE_ENV", "production");
        let mut child = procs::spawn(cmd, &name, &log)?;
        let target = Target {
            name: "PostGraphile",
            addr: format!("127.0.0.1:{port}"),
            path: "/graphql".into(),
            bearer: None,
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        while wait_ready(&target, 0).await.is_err() {
            if let Some(status) = child.try_wait()? {
                bail!("{name} exited ({status}); see {}", log.display());
            }
            if Instant::now() > deadline {
                bail!("{name} did not answer; see {}", log.display());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        wait_ready(&target, 20).await?;
        Ok((child.id() as i32, target))
    }
}

/// The ids the operations use, asked of Rapport itself.
pub async fn fixture(rapport: &Target, workspace: String) -> Result<Fixture> {
    let data = ask(
        rapport,
        "{ tickets(first: 1, orderBy: [{field: NUMBER, direction: DESC}]) { nodes { id } }
           pipelines(first: 10) { nodes { id name stages(first: 20) { nodes { id kind position } } } } }",
        json!({}),
    )
    .await?;
    let ticket = text(&data["tickets"]["nodes"][0]["id"])?;
    let pipelines = data["pipelines"]["nodes"].as_array().context("pipelines")?;
    let pipeline = pipelines
        .iter()
        .find(|p| p["name"] == "New business")
        .context("no New business pipeline")?;
    let mut open: Vec<&Value> = pipeline["stages"]["nodes"]
        .as_array()
        .context("stages")?
        .iter()
        .filter(|s| s["kind"] == "OPEN")
        .collect();
    open.sort_by_key(|s| s["position"].as_i64());
    if open.len() < 3 {
        bail!("the pipeline has fewer than three open stages");
    }
    let pipeline_id = text(&pipeline["id"])?;
    // A deal in neither of the stages it will be moved between.
    let deals = ask(
        rapport,
        "query($p: ID!, $s: ID!) { deals(first: 1, filter: {status: {eq: OPEN}, pipelineId: {eq: $p}, stageId: {eq: $s}}) { nodes { id } } }",
        json!({ "p": pipeline_id, "s": open[2]["id"] }),
    )
    .await?;
    Ok(Fixture {
        workspace,
        ticket,
        pipeline: pipeline_id,
        deal: text(&deals["deals"]["nodes"][0]["id"])?,
        stages: [text(&open[0]["id"])?, text(&open[1]["id"])?],
    })
}

async fn ask(target: &Target, query: &str, variables: Value) -> Result<Value> {
    let answer = post_once(target, &json!({ "query": query, "variables": variables })).await?;
    if answer.get("errors").is_some_and(|e| !e.is_null()) {
        bail!("{}: {answer}", target.name);
    }
    Ok(answer["data"].clone())
}

fn text(value: &Value) -> Result<String> {
    value
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("expected an id, got {value}"))
}

/// Where a SQLite database of this size lives in the run's directory.
pub fn sqlite_url(dir: &Path, contacts: u64) -> String {
    format!("sqlite://{}/s{contacts}.db?mode=rwc", dir.display())
}
