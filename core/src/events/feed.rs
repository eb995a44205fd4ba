//! The feed: this process's ordered, gapless stream of events per workspace.
//!
//! The bus may deliver events out of order (two writers publish in the other
//! order they committed in) or not at all (Redis was away, a request was
//! cancelled between commit and publish). Events are numbered densely per
//! workspace, so the feed sees every hole: it holds later events back for a
//! moment while the missing one arrives, and otherwise reads the hole from
//! the outbox — once per process, not once per subscriber. A periodic check
//! against each watched workspace's counter catches a lost last event, which
//! no later event would reveal.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use entity::event;
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::bus::{Bus, BusMessage};
use super::outbox;
use crate::metrics::Metrics;

/// How long a later event waits for a missing earlier one before the feed
/// reads the outbox instead.
const GAP_WAIT: Duration = Duration::from_millis(25);
/// How often the feed compares watched workspaces with their counters.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// Rows read from the outbox per statement when filling a gap.
pub const FILL_PAGE: u64 = 500;

/// The ordered stream of events of this process.
pub struct Feed {
    sender: broadcast::Sender<Arc<event::Model>>,
    watched: Arc<Mutex<HashMap<Uuid, Watch>>>,
}

/// Subscribers of one workspace, and where the first of them started.
#[derive(Debug, Clone, Copy)]
struct Watch {
    subscribers: usize,
    since: i64,
}

/// Keeps a workspace watched while held (one per subscription).
pub struct WatchGuard {
    watched: Arc<Mutex<HashMap<Uuid, Watch>>>,
    workspace_id: Uuid,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        let mut watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(watch) = watched.get_mut(&self.workspace_id) {
            watch.subscribers -= 1;
            if watch.subscribers == 0 {
                watched.remove(&self.workspace_id);
            }
        }
    }
}

impl Feed {
    /// Starts relaying `bus` until `shutdown`; each receiver may fall
    /// `capacity` events behind before it must read the outbox.
    pub fn start(
        db: DatabaseConnection,
        bus: &dyn Bus,
        capacity: usize,
        metrics: Arc<Metrics>,
        shutdown: CancellationToken,
    ) -> Arc<Self> {
        let feed = Arc::new(Self {
            sender: broadcast::channel(capacity).0,
            watched: Arc::default(),
        });
        let relay = Relay {
            db,
            sender: feed.sender.clone(),
            watched: feed.watched.clone(),
            tracks: HashMap::new(),
            metrics,
        };
        tokio::spawn(relay.run(bus.subscribe(), shutdown));
        feed
    }

    /// Every event relayed from now on, in order per workspace.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<event::Model>> {
        self.sender.subscribe()
    }

    /// Marks `workspace_id` as watched by one more subscriber, who has seen
    /// its events up to `seen`; the feed then checks it for lost events.
    pub fn watch(&self, workspace_id: Uuid, seen: i64) -> WatchGuard {
        let mut watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
        watched
            .entry(workspace_id)
            .or_insert(Watch {
                subscribers: 0,
                since: seen,
            })
            .subscribers += 1;
        WatchGuard {
            watched: self.watched.clone(),
            workspace_id,
        }
    }
}

/// Where the feed stands in one workspace.
#[derive(Default)]
struct Track {
    /// The last event relayed.
    last: i64,
    /// Events that arrived ahead of a missing one.
    ahead: BTreeMap<i64, Arc<event::Model>>,
    /// Since when the oldest of `ahead` has waited.
    waiting_since: Option<Instant>,
}

struct Relay {
    db: DatabaseConnection,
    sender: broadcast::Sender<Arc<event::Model>>,
    watched: Arc<Mutex<HashMap<Uuid, Watch>>>,
    tracks: HashMap<Uuid, Track>,
    metrics: Arc<Metrics>,
}

impl Relay {
    async fn run(mut self, mut bus: broadcast::Receiver<BusMessage>, shutdown: CancellationToken) {
        let mut gap_timer = tokio::time::interval(GAP_WAIT);
        let mut check_timer = tokio::time::interval(CHECK_EVERY);
        loop {
            tokio::select! {
                message = bus.recv() => match message {
                    Ok(BusMessage::Event(e)) => self.accept(e),
                    Ok(BusMessage::Resync) => self.check_watched().await,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "the feed fell behind the bus; reading the outbox");
                        self.check_watched().await;
                    }
                    Err(RecvError::Closed) => return,
                },
                _ = gap_timer.tick() => self.fill_stale_gaps().await,
                _ = check_timer.tick() => self.check_watched().await,
                () = shutdown.cancelled() => return,
            }
        }
    }

    /// Relays `e` if it is next, holds it if it is early, drops it if seen.
    fn accept(&mut self, e: Arc<event::Model>) {
        // Its time from commit (the writer's clock) to arrival here.
        let lag = (chrono::Utc::now() - e.created_at)
            .to_std()
            .unwrap_or_default();
        self.metrics.labelled.event_lag.observe(lag.as_secs_f64());
        let track = self.tracks.entry(e.workspace_id).or_insert_with(|| Track {
            last: e.seq - 1,
            ..Track::default()
        });
        if e.seq <= track.last {
            return;
        }
        if e.seq == track.last + 1 {
            track.last = e.seq;
            let _ = self.sender.send(e);
            release_ready(track, &self.sender);
        } else {
            track.ahead.insert(e.seq, e);
            track.waiting_since.get_or_insert_with(Instant::now);
        }
    }

    /// Reads from the outbox the holes that waited longer than [`GAP_WAIT`].
    async fn fill_stale_gaps(&mut self) {
        let stale: Vec<(Uuid, i64)> = self
            .tracks
            .iter()
            .filter(|(_, t)| {
                t.waiting_since
                    .is_some_and(|since| since.elapsed() >= GAP_WAIT)
            })
            .filter_map(|(ws, t)| t.ahead.keys().next_back().map(|&until| (*ws, until)))
            .collect();
        for (workspace_id, until) in stale {
            self.fill(workspace_id, until).await;
        }
    }

    /// Compares every watched workspace with its counter and reads what the
    /// bus never brought. One statement for all of them.
    async fn check_watched(&mut self) {
        let watched: Vec<(Uuid, Watch)> = {
            let watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
            watched.iter().map(|(ws, w)| (*ws, *w)).collect()
        };
        self.tracks
            .retain(|ws, t| !t.ahead.is_empty() || watched.iter().any(|(w, _)| w == ws));
        if watched.is_empty() {
            return;
        }
        for (ws, watch) in &watched {
            self.tracks.entry(*ws).or_insert_with(|| Track {
                last: watch.since,
                ..Track::default()
            });
        }
        let ids = watched.iter().map(|(ws, _)| *ws).collect();
        let counters = match outbox::last_numbers(&self.db, ids).await {
            Ok(counters) => counters,
            Err(error) => {
                tracing::warn!(%error, "cannot read event counters; will retry");
                return;
            }
        };
        for (workspace_id, last) in counters {
            if self
                .tracks
                .get(&workspace_id)
                .is_some_and(|t| t.last < last)
            {
                self.fill(workspace_id, last).await;
            }
        }
    }

    /// Relays the workspace's events from the outbox up to `until`.
    async fn fill(&mut self, workspace_id: Uuid, until: i64) {
        let Some(track) = self.tracks.get_mut(&workspace_id) else {
            return;
        };
        let filled = fill(
            &self.db,
            workspace_id,
            track,
            until,
            &self.sender,
            &self.metrics,
        )
        .await;
        if let Err(error) = filled {
            tracing::warn!(%error, %workspace_id, "cannot read the outbox; will retry");
            return;
        }
        release_ready(track, &self.sender);
    }
}

/// Relays the outbox rows after `track.last` up to `until`, page by page.
async fn fill(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    track: &mut Track,
    until: i64,
    sender: &broadcast::Sender<Arc<event::Model>>,
    metrics: &Metrics,
) -> Result<(), DbErr> {
    while track.last < until {
        let rows = outbox::after(db, workspace_id, track.last, Some(until), FILL_PAGE).await?;
        if rows.is_empty() {
            // A number is visible only with its row, so only pruning empties
            // a range: there is nothing left to relay.
            tracing::warn!(%workspace_id, from = track.last, until, "events pruned before relay");
            track.last = until;
            break;
        }
        for row in rows {
            track.last = row.seq;
            Metrics::inc(&metrics.events_recovered);
            let _ = sender.send(Arc::new(row));
        }
    }
    Ok(())
}

/// Relays the held events that have become next in line.
fn release_ready(track: &mut Track, sender: &broadcast::Sender<Arc<event::Model>>) {
    while let Some(entry) = track.ahead.first_entry() {
        let seq = *entry.key();
        if seq <= track.last {
            entry.remove();
        } else if seq == track.last + 1 {
            track.last = seq;
            let _ = sender.send(entry.remove());
        } else {
            break;
        }
    }
    if track.ahead.is_empty() {
        track.waiting_since = None;
    }
}
