//! The one table a run prints, with the machine it ran on.

use std::collections::HashSet;
use std::process::Command;
use std::time::Duration;

use anyhow::Result;

use crate::{Ctx, Plan};

pub struct Row {
    pub workload: String,
    pub figure: String,
    pub rapport: String,
    pub peer: String,
    pub ratio: String,
    pub target: String,
    pub met: String,
}

pub struct Report {
    pub mode: String,
    pub machine: Vec<String>,
    pub dataset: String,
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
    pub total: Duration,
}

impl Report {
    pub fn new(plan: &Plan) -> Self {
        let mut machine = Vec::new();
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, m)| m.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0);
        let mem = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find(|l| l.starts_with("MemTotal:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            })
            .map(|kb| format!("{:.1} GiB RAM", kb as f64 / 1024.0 / 1024.0))
            .unwrap_or_default();
        machine.push(format!("{cores} cores ({cpu}), {mem}"));
        machine.push(format!(
            "CPU busy (all processes) just before the run: {:.0}%",
            cpu_busy(Duration::from_secs(1))
        ));
        if let Some(os) = first_line("uname", &["-sr"]) {
            machine.push(os);
        }
        Report {
            mode: if plan.quick {
                format!(
                    "--quick: {} round of {} s per contender and workload, fan-out {:?}, {} cross-instance events",
                    plan.rounds,
                    plan.round.as_secs(),
                    plan.fanout,
                    plan.cross_events
                )
            } else {
                format!(
                    "full: {} alternating rounds of {} s per contender and workload, {} s warm-up, fan-out {:?}, {} cross-instance events",
                    plan.rounds,
                    plan.round.as_secs(),
                    plan.warmup.as_secs(),
                    plan.fanout,
                    plan.cross_events
                )
            },
            machine,
            dataset: String::new(),
            rows: Vec::new(),
            notes: Vec::new(),
            total: Duration::ZERO,
        }
    }

    /// Versions of everything measured.
    pub fn versions(ctx: &Ctx) -> Result<Vec<String>> {
        let mut machine = Vec::new();
        let pg = ctx.db.psql("rapport", "SHOW server_version")?;
        machine.push(format!("PostgreSQL {pg}"));
        if let Some(v) = first_line("redis-server", &["--version"]) {
            machine.push(v);
        }
        if let Some(v) = first_line("node", &["--version"]) {
            machine.push(format!("Node {v}"));
        }
        let pkg = |p: &str| -> String {
            std::fs::read_to_string(
                ctx.bench
                    .join("peer/node_modules")
                    .join(p)
                    .join("package.json"),
            )
            .ok()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
            .and_then(|v| v["version"].as_str().map(str::to_string))
            .unwrap_or_else(|| "?".into())
        };
        machine.push(format!(
            "PostGraphile {} (+ @graphile/pg-pubsub {}), 2 cluster workers",
            pkg("postgraphile"),
            pkg("@graphile/pg-pubsub")
        ));
        let commit = first_line(
            "git",
            &[
                "-C",
                &ctx.bench.to_string_lossy(),
                "rev-parse",
                "--short",
                "HEAD",
            ],
        );
        let dirty = Command::new("git")
            .args([
                "-C",
                &ctx.bench.parent().unwrap_or(&ctx.bench).to_string_lossy(),
            ])
            .args([
                "status",
                "--porcelain",
                "--",
                "src",
                "entity",
                "migration",
                "Cargo.toml",
                "Cargo.lock",
            ])
            .output()
            .map(|o| !o.stdout.is_empty())
            .unwrap_or(false);
        let built = first_line(
            "date",
            &[
                "-u",
                "-r",
                &ctx.rapport_bin.to_string_lossy(),
                "+%Y-%m-%d %H:%M UTC",
            ],
        );
        machine.push(format!(
            "Rapport release build of {}, HEAD {}{}",
            built.unwrap_or_else(|| "?".into()),
            commit.unwrap_or_else(|| "?".into()),
            if dirty {
                " with uncommitted changes in the tree"
            } else {
                ""
            }
        ));
        if let Some(v) = first_line("rustc", &["--version"]) {
            machine.push(v);
        }
        Ok(machine)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn row(
        &mut self,
        workload: &str,
        figure: &str,
        rapport: String,
        peer: String,
        ratio: String,
        target: &str,
        met: Option<bool>,
    ) {
        let met = match met {
            Some(true) => "yes".to_string(),
            Some(false) => "**no**".to_string(),
            None => String::new(),
        };
        let row = Row {
            workload: workload.into(),
            figure: figure.into(),
            rapport,
            peer,
            ratio,
            target: target.into(),
            met,
        };
        eprintln!(
            "    {} | {} | {} | {} | {} | {} | {}",
            row.workload, row.figure, row.rapport, row.peer, row.ratio, row.target, row.met
        );
        self.rows.push(row);
    }

    pub fn note(&mut self, note: String) {
        eprintln!("    note: {note}");
        self.notes.push(note);
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!("Mode: {}\n\n", self.mode));
        s.push_str("Machine:\n");
        for m in &self.machine {
            s.push_str(&format!("- {m}\n"));
        }
        s.push_str(&format!("\nDataset: {}\n\n", self.dataset));
        s.push_str("| workload | figure | Rapport | peer | ratio | target | met |\n");
        s.push_str("|---|---|--:|--:|--:|---|---|\n");
        for r in &self.rows {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                r.workload, r.figure, r.rapport, r.peer, r.ratio, r.target, r.met
            ));
        }
        if !self.notes.is_empty() {
            s.push_str("\nNotes:\n");
            for n in &self.notes {
                s.push_str(&format!("- {n}\n"));
            }
        }
        s.push_str(&format!(
            "\nTotal run time: {:.0} s\n",
            self.total.as_secs_f64()
        ));
        s
    }
}

fn first_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
}

pub fn rps(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else if v >= 100.0 {
        format!("{v:.0}/s")
    } else {
        format!("{v:.1}/s")
    }
}

pub fn ms(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else if v >= 100.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.2} ms")
    }
}

pub fn ratio(a: f64, b: f64) -> String {
    if a.is_nan() || b.is_nan() || b == 0.0 {
        "–".into()
    } else {
        format!("{:.2}×", a / b)
    }
}

/// The share of all cores busy over `window` (from /proc/stat), in percent.
pub fn cpu_busy(window: Duration) -> f64 {
    fn sample() -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let cpu: Vec<u64> = stat
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .filter_map(|v| v.parse().ok())
            .collect();
        let idle = cpu.get(3)? + cpu.get(4).unwrap_or(&0);
        Some((cpu.iter().sum(), idle))
    }
    let Some((t0, i0)) = sample() else {
        return f64::NAN;
    };
    std::thread::sleep(window);
    let Some((t1, i1)) = sample() else {
        return f64::NAN;
    };
    100.0 * (1.0 - (i1 - i0) as f64 / (t1 - t0).max(1) as f64)
}

/// CPU time (jiffies) of the machine and of user-space processes this run
/// did not start (kernel threads, which also do this run's network work,
/// are left out).
#[derive(Clone, Copy, Default)]
pub struct CpuSnap {
    total: u64,
    foreign: u64,
    orphaned: u64,
}

fn proc_times(pid: i32, children_too: bool) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    let Some(close) = stat.rfind(')') else {
        return 0;
    };
    // Fields after the command: state is field 3; utime 14, stime 15, cutime 16, cstime 17.
    let f: Vec<u64> = stat[close + 2..]
        .split(' ')
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    let own = f.get(11).unwrap_or(&0) + f.get(12).unwrap_or(&0);
    if children_too {
        own + f.get(13).unwrap_or(&0) + f.get(14).unwrap_or(&0)
    } else {
        own
    }
}

fn parents() -> Vec<(i32, i32)> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
                .filter_map(|p| {
                    let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).ok()?;
                    let ppid = stat[stat.rfind(')')? + 2..]
                        .split(' ')
                        .nth(1)?
                        .parse()
                        .ok()?;
                    Some((p, ppid))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn descendants_in(pairs: &[(i32, i32)], root: i32) -> Vec<i32> {
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(p) = todo.pop() {
        for (c, _) in pairs.iter().filter(|(_, parent)| *parent == p) {
            out.push(*c);
            todo.push(*c);
        }
    }
    out
}

fn descendants(root: i32) -> Vec<i32> {
    descendants_in(&parents(), root)
}

/// A snapshot; `postmaster` is the cluster's postmaster pid (daemonised, so
/// not our descendant) when it runs.
pub fn cpu_snapshot(postmaster: Option<i32>) -> CpuSnap {
    let mut snap = CpuSnap::default();
    if let Ok(stat) = std::fs::read_to_string("/proc/stat") {
        // user nice system idle iowait irq softirq steal
        snap.total = stat
            .lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .skip(1)
            .take(8)
            .filter_map(|v| v.parse::<u64>().ok())
            .sum();
    }
    let pairs = parents();
    let me = std::process::id() as i32;
    let mut ours: HashSet<i32> = descendants_in(&pairs, me).into_iter().collect();
    ours.insert(me);
    if let Some(pm) = postmaster {
        ours.insert(pm);
        ours.extend(descendants_in(&pairs, pm));
    }
    snap.foreign = pairs
        .iter()
        .filter(|(p, ppid)| *p != 2 && *ppid != 2 && !ours.contains(p))
        .map(|(p, _)| proc_times(*p, true))
        .sum();
    snap.orphaned = ORPHANED_JIFFIES.load(std::sync::atomic::Ordering::Relaxed);
    snap
}

/// Share of the machine's CPU (percent) used between two snapshots by
/// user-space processes this run did not start.
pub fn foreign_cpu(a: CpuSnap, b: CpuSnap) -> f64 {
    let total = b.total.saturating_sub(a.total).max(1) as f64;
    // Our orphaned children were reaped by init: their time shows there.
    let foreign = b
        .foreign
        .saturating_sub(a.foreign)
        .saturating_sub(b.orphaned - a.orphaned);
    (100.0 * foreign as f64 / total).max(0.0)
}

/// CPU time (jiffies) of processes we stopped that will not show in our
/// own children's time: their children, orphaned when the parent exited
/// first (PostGraphile's cluster workers), are reaped by init.
pub static ORPHANED_JIFFIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Our reaped children's CPU time (jiffies).
pub fn reaped_jiffies() -> u64 {
    let me = std::process::id() as i32;
    proc_times(me, true) - proc_times(me, false)
}

/// CPU time (jiffies) used so far by a process, its live descendants and
/// the children they reaped.
pub fn tree_jiffies(pid: i32) -> u64 {
    proc_times(pid, true)
        + descendants(pid)
            .into_iter()
            .map(|p| proc_times(p, true))
            .sum::<u64>()
}

/// CPU time (jiffies) this process used so far, without its children.
pub fn own_jiffies() -> u64 {
    proc_times(std::process::id() as i32, false)
}

/// Milliseconds per jiffy.
pub fn ms_per_jiffy() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    1000.0 / if hz > 0 { hz as f64 } else { 100.0 }
}
