//! The seed's randomness and its calendar: fixed-seed streams (the same
//! workspace on every run), skewed picks, and the three years the records
//! are spread over, denser towards the end as a growing business is.

use chrono::{DateTime, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// When the seeded history ends: 2026-12-01T00:00:00Z, in milliseconds.
pub const END: i64 = 1_796_083_200_000;
/// When it begins: three years earlier (2023-12-01T00:00:00Z).
pub const START: i64 = 1_701_388_800_000;
pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;

/// Which workspace is seeded: its size, and its number in a set of
/// workspaces of that size (`seed --scale N --workspaces K`); 0 is the lone
/// workspace `seed --scale N` writes.
#[derive(Debug, Clone, Copy)]
pub struct Which {
    pub contacts: u64,
    pub number: u32,
}

impl Which {
    /// What its streams are seeded with: the size alone for the lone
    /// workspace (so it stays what it was), mixed with the number in a
    /// set, so no two workspaces share an id.
    pub fn seed(self) -> u64 {
        self.contacts ^ (u64::from(self.number) << 40)
    }

    /// The domain of its team's email addresses.
    pub fn domain(self) -> String {
        match self.number {
            0 => "scale.rapport.dev".to_owned(),
            n => format!("scale-{}-{n}.rapport.dev", self.contacts),
        }
    }

    /// Its name.
    pub fn name(self) -> String {
        match self.number {
            0 => format!("Scale {}", self.contacts),
            n => format!("Scale {} #{n}", self.contacts),
        }
    }
}

/// One stream of pseudo-random draws. Each table draws from its own stream,
/// seeded by the workspace ([`Which::seed`]) and the stream's name, so changing how one
/// table is written leaves the others as they were.
pub struct Draw(StdRng);

impl Draw {
    pub fn new(workspace: u64, stream: &str) -> Self {
        // FNV-1a of the name, mixed with the workspace's seed.
        let mut seed = 0xcbf2_9ce4_8422_2325u64 ^ workspace.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for byte in stream.bytes() {
            seed = (seed ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        Self(StdRng::seed_from_u64(seed))
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An index below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.0.random_range(0..n) }
    }

    /// A whole number in `low..=high`.
    pub fn int(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            low
        } else {
            self.0.random_range(low..=high)
        }
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// An item, the first ones far more often than the last (as names are:
    /// a few common, many rare).
    pub fn common<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.common_index(items.len())]
    }

    /// An index below `n`, low ones far more often (as [`Self::common`]).
    pub fn common_index(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// An item by its weight.
    pub fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut r = self.below(total as usize) as u32;
        for (item, weight) in items {
            if r < *weight {
                return *item;
            }
            r -= weight;
        }
        items[items.len() - 1].0
    }

    /// A standard normal number (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// A positive number around `median`, with a long tail up (amounts,
    /// company sizes, durations).
    pub fn log_normal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// A moment in `from..to` (milliseconds), `from` when the range is empty.
    pub fn between(&mut self, from: i64, to: i64) -> i64 {
        if to <= from {
            from
        } else {
            self.0.random_range(from..to)
        }
    }

    /// A moment after `from` and before the end, early ones likelier
    /// (`bias` > 1 leans towards `from`).
    pub fn after(&mut self, from: i64, bias: f64) -> i64 {
        let span = (END - from).max(0) as f64;
        from + (self.unit().powf(bias) * span) as i64
    }

    /// A UUID v7 whose time is `at`: ids sort as the rows were created.
    pub fn id(&mut self, at: i64) -> Uuid {
        let random: [u8; 10] = self.0.random();
        uuid::Builder::from_unix_timestamp_millis(at.max(0) as u64, &random).into_uuid()
    }
}

/// `count` moments over the three years, ascending, denser towards the end
/// (density grows linearly: twice as many records in the last month as in
/// the middle one).
pub fn timeline(draw: &mut Draw, count: usize) -> Vec<i64> {
    let span = (END - START) as f64;
    (0..count)
        .map(|j| {
            let u = (j as f64 + draw.unit()) / count.max(1) as f64;
            START + (u.sqrt() * span) as i64
        })
        .collect()
}

pub fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub fn day(ms: i64) -> NaiveDate {
    at(ms).date_naive()
}

/// Picks among the first `n` items by weight: `cumulative[i]` is the sum of
/// the weights of items `0..=i`.
pub fn pick_weighted(draw: &mut Draw, cumulative: &[f64], n: usize) -> usize {
    let n = n.min(cumulative.len());
    if n == 0 {
        return 0;
    }
    let r = draw.unit() * cumulative[n - 1];
    cumulative[..n].partition_point(|c| *c <= r).min(n - 1)
}

/// How many of the ascending moments `created` are at or before `t`.
pub fn existing(created: &[i64], t: i64) -> usize {
    created.partition_point(|c| *c <= t)
}

/// Children grouped by parent (compressed rows): the children of parent
/// `p` are `items[offsets[p]..offsets[p + 1]]`, in the order they were added.
pub struct Groups {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Groups {
    /// From (parent, child) pairs, for `parents` parents.
    pub fn new(parents: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Self {
        let mut offsets = vec![0u32; parents + 1];
        for (parent, _) in pairs.clone() {
            offsets[parent as usize + 1] += 1;
        }
        for i in 0..parents {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut items = vec![0u32; offsets[parents] as usize];
        for (parent, child) in pairs {
            let slot = &mut fill[parent as usize];
            items[*slot as usize] = child;
            *slot += 1;
        }
        Self { offsets, items }
    }

    pub fn of(&self, parent: u32) -> &[u32] {
        let p = parent as usize;
        match (self.offsets.get(p), self.offsets.get(p + 1)) {
            (Some(a), Some(b)) => &self.items[*a as usize..*b as usize],
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_constants_are_the_dates_they_name() {
        assert_eq!(at(END).to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert_eq!(at(START).to_rfc3339(), "2023-12-01T00:00:00+00:00");
    }

    #[test]
    fn streams_repeat_and_differ_by_name() {
        let (mut a, mut b, mut c) = (Draw::new(10, "x"), Draw::new(10, "x"), Draw::new(10, "y"));
        let (x, y, z) = (a.unit(), b.unit(), c.unit());
        assert_eq!(x, y);
        assert_ne!(x, z);
    }

    #[test]
    fn a_timeline_ascends_within_the_span() {
        let times = timeline(&mut Draw::new(1, "t"), 1000);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(times[0] >= START && times[999] < END);
    }

    #[test]
    fn ids_carry_their_moment() {
        let id = Draw::new(1, "i").id(START);
        let (seconds, _) = id.get_timestamp().expect("v7").to_unix();
        assert_eq!(seconds as i64 * 1000, START);
    }

    #[test]
    fn groups_keep_the_order_children_came_in() {
        let groups = Groups::new(3, [(2, 5), (0, 1), (2, 7)].into_iter());
        assert_eq!(groups.of(2), &[5, 7]);
        assert_eq!(groups.of(0), &[1]);
        assert!(groups.of(1).is_empty());
        assert!(groups.of(9).is_empty());
    }

    #[test]
    fn weighted_picks_stay_in_the_prefix() {
        let cumulative = [1.0, 2.0, 10.0];
        let mut draw = Draw::new(1, "w");
        assert!((0..100).all(|_| pick_weighted(&mut draw, &cumulative, 2) < 2));
    }
}
