//! The rate limit's token buckets and the login lockout's counts kept in
//! Redis, so every instance behind a balancer enforces the same numbers as
//! one instance would. Each check is one Lua script, run atomically by Redis
//! on Redis's own clock (`TIME`), so instances with drifting clocks agree.
//!
//! The keys of one check share a hash tag (`{…}`), so a check stays one
//! atomic script on a Redis Cluster too.
//!
//! When Redis cannot be reached, callers fall back to their in-process
//! counts (looser by the number of instances, never open): see
//! [`crate::access::lockout`] and the HTTP rate limiter.

use std::sync::Arc;
use std::time::Duration;

use crate::redis_link::{RedisLink, Topology};
use redis::Script;

/// How long one connection attempt or script may take before the caller
/// falls back to its own counts.
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);
/// An attempt in flight is counted this long at most: if the instance that
/// reserved it dies before ending it, the reservation lapses.
const IN_FLIGHT_TTL_MS: u64 = 60_000;

/// Takes `cost` tokens from a bucket of `capacity` refilled at `per_ms`
/// tokens a millisecond; answers 0, or the whole seconds until `cost` will
/// be there (nothing taken).
const TAKE_TOKENS: &str = r"
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(stored[1]) or capacity
local at = tonumber(stored[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
else
  wait = math.max(1, math.ceil((cost - tokens) / per_ms / 1000))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 1000)
return wait
";

/// Reserves a login attempt over pairs of keys (failures as a sorted set
/// of times, attempts in flight as a counter), one pair per limit: answers
/// 0 and counts the attempt in flight, or the seconds to wait (nothing
/// counted). ARGV: window in ms, in-flight TTL in ms, then one limit per
/// pair of keys. The rules are those of the in-process lockout.
const RESERVE_ATTEMPT: &str = r"
local window = tonumber(ARGV[1])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local wait = 0
for i = 1, #KEYS, 2 do
  local limit = tonumber(ARGV[2 + (i + 1) / 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local failures = redis.call('ZCARD', KEYS[i])
  local in_flight = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  local left = 0
  if failures >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], failures - limit, failures - limit, 'WITHSCORES')
    left = math.max(1, math.floor((tonumber(oldest[2]) + window - now) / 1000))
  elseif failures + in_flight >= limit then
    left = 1
  end
  if left > wait then wait = left end
end
if wait > 0 then return wait end
for i = 1, #KEYS, 2 do
  redis.call('INCR', KEYS[i + 1])
  redis.call('PEXPIRE', KEYS[i + 1], ARGV[2])
end
return 0
";

/// Ends a reserved attempt: ARGV outcome (`failed`, `succeeded`,
/// `not_tried`), the window in ms, and a member name unique to the attempt.
/// A success forgets the first pair's failures only (the account from that
/// address), as in-process.
const END_ATTEMPT: &str = r"
local outcome = ARGV[1]
local window = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
for i = 1, #KEYS, 2 do
  if redis.call('DECR', KEYS[i + 1]) <= 0 then redis.call('DEL', KEYS[i + 1]) end
  if outcome == 'failed' then
    redis.call('ZADD', KEYS[i], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[i], window)
  elseif outcome == 'succeeded' and i == 1 then
    redis.call('DEL', KEYS[i])
  end
end
return 0
";

/// How a reserved attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    Failed,
    Succeeded,
    NotTried,
}

impl AttemptOutcome {
    fn as_arg(self) -> &'static str {
        match self {
            Self::Failed => "failed",
            Self::Succeeded => "succeeded",
            Self::NotTried => "not_tried",
        }
    }
}

/// Counters in Redis shared by every instance.
#[derive(Clone)]
pub struct SharedCounters {
    connection: RedisLink,
    scripts: Arc<Scripts>,
}

/// The scripts, hashed once (Redis runs them by hash after the first load).
struct Scripts {
    take_tokens: Script,
    reserve_attempt: Script,
    end_attempt: Script,
}

impl std::fmt::Debug for SharedCounters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedCounters")
    }
}

impl SharedCounters {
    /// Counters at `url` (one server or a cluster). Redis need not be up
    /// yet: the connection is made on first use and remade after a failure.
    pub fn connect(url: &str, topology: Topology) -> redis::RedisResult<Self> {
        let connection = RedisLink::open(url, topology, REDIS_TIMEOUT)?;
        let scripts = Arc::new(Scripts {
            take_tokens: Script::new(TAKE_TOKENS),
            reserve_attempt: Script::new(RESERVE_ATTEMPT),
            end_attempt: Script::new(END_ATTEMPT),
        });
        Ok(Self {
            connection,
            scripts,
        })
    }

    /// Takes `cost` tokens from `key`'s bucket (`capacity` a minute):
    /// `Ok(None)` when taken, `Ok(Some(seconds))` when refused, `Err` when
    /// Redis did not answer.
    pub async fn take_tokens(
        &self,
        key: &str,
        capacity: u32,
        cost: u32,
    ) -> redis::RedisResult<Option<u64>> {
        let capacity = f64::from(capacity.max(1));
        let cost = f64::from(cost.max(1)).min(capacity);
        let mut script = self.scripts.take_tokens.prepare_invoke();
        script
            .key(format!("rapport:limit:rate:{{{key}}}"))
            .arg(capacity)
            .arg(capacity / 60_000.0)
            .arg(cost);
        let wait: u64 = self.run(&script).await?;
        Ok((wait > 0).then_some(wait))
    }

    /// Reserves an attempt counted under `limits` (failure-set key, limit);
    /// the keys must share a hash tag. `Ok(Some(seconds))` while locked.
    pub async fn reserve_attempt(
        &self,
        limits: &[(String, usize)],
        window: Duration,
    ) -> redis::RedisResult<Option<u64>> {
        let mut script = self.scripts.reserve_attempt.prepare_invoke();
        script.arg(window_ms(window)).arg(IN_FLIGHT_TTL_MS);
        for (key, limit) in limits {
            script
                .key(failures_key(key))
                .key(in_flight_key(key))
                .arg(*limit);
        }
        let wait: u64 = self.run(&script).await?;
        Ok((wait > 0).then_some(wait))
    }

    /// Ends an attempt reserved with the same keys.
    pub async fn end_attempt(
        &self,
        limits: &[(String, usize)],
        window: Duration,
        outcome: AttemptOutcome,
    ) -> redis::RedisResult<()> {
        let mut script = self.scripts.end_attempt.prepare_invoke();
        script
            .arg(outcome.as_arg())
            .arg(window_ms(window))
            .arg(uuid::Uuid::now_v7().to_string());
        for (key, _) in limits {
            script.key(failures_key(key)).key(in_flight_key(key));
        }
        let _: i64 = self.run(&script).await?;
        Ok(())
    }

    async fn run<T: redis::FromRedisValue>(
        &self,
        script: &redis::ScriptInvocation<'_>,
    ) -> redis::RedisResult<T> {
        let mut connection = self.connection.clone();
        match tokio::time::timeout(REDIS_TIMEOUT, script.invoke_async(&mut connection)).await {
            Ok(answer) => answer,
            Err(_) => Err(redis::RedisError::from(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "Redis did not answer in time",
            ))),
        }
    }
}

fn window_ms(window: Duration) -> u64 {
    u64::try_from(window.as_millis()).unwrap_or(u64::MAX)
}

fn failures_key(key: &str) -> String {
    format!("rapport:limit:login:{key}:failures")
}

fn in_flight_key(key: &str) -> String {
    format!("rapport:limit:login:{key}:in_flight")
}
