//! Where counts are kept: the [`Store`] trait, its in-memory implementation, and the
//! embedded default ([`EmbeddedStore`], on `redb`).
//!
//! A store keeps one [`Aggregate`] per key: a series (a counter an event feeds, named by
//! its selector) and a [`Bucket`] (a week, or all time). Recording never calls the store:
//! the [`Recorder`](crate::Recorder) buffers changes in memory and applies them in
//! batches, so a store may be slow or fail without holding up the application.
//!
//! The store for several nodes, `RedisStore` (feature `redis`), implements the same trait:
//! [`Aggregate::Count`] is `INCRBY`, [`Aggregate::Sum`] `INCRBYFLOAT`, and
//! [`Aggregate::Distinct`] is `SET` of the sketch's bytes ([`Hll::to_redis`]) into a
//! temporary key then `PFMERGE`: the sketches have Redis's own layout. [`key`] gives the
//! embedded store's key names; the Redis store's add a namespace and a hash tag.

mod embedded;
#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
pub use self::redis::{DEFAULT_WEEKLY_TTL, PER_COMMAND, RedisOptions, RedisStore};
pub use embedded::EmbeddedStore;

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use crate::hll::Hll;
use crate::time::Bucket;

/// What a store keeps for one series in one bucket.
#[derive(Clone, Debug, PartialEq)]
pub enum Aggregate {
    /// A number of events.
    Count(u64),
    /// A sum of event values.
    Sum(f64),
    /// The distinct values seen, as a HyperLogLog sketch.
    Distinct(Hll),
}

impl Aggregate {
    /// Adds `other` to this aggregate. A count and a sum add up to a sum (a store that
    /// keeps numbers as text, like Redis, reads a whole sum back as a count). A sketch and a
    /// number do not add up: `other` replaces this one, and the answer is `false`.
    pub fn merge(&mut self, other: &Aggregate) -> bool {
        match (self, other) {
            (Aggregate::Count(a), Aggregate::Count(b)) => *a = a.saturating_add(*b),
            (Aggregate::Sum(a), Aggregate::Sum(b)) => *a += *b,
            (Aggregate::Sum(a), Aggregate::Count(b)) => *a += *b as f64,
            (this @ Aggregate::Count(_), Aggregate::Sum(b)) => {
                if let Aggregate::Count(a) = this {
                    *this = Aggregate::Sum(*a as f64 + *b);
                }
            }
            (Aggregate::Distinct(a), Aggregate::Distinct(b)) => a.merge(b),
            (this, other) => {
                *this = other.clone();
                return false;
            }
        }
        true
    }

    /// The bytes a store keeps: a tag, then the count or sum (little-endian) or the
    /// sketch in Redis's string format.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Aggregate::Count(n) => [&[b'c'][..], &n.to_le_bytes()].concat(),
            Aggregate::Sum(x) => [&[b's'][..], &x.to_le_bytes()].concat(),
            Aggregate::Distinct(h) => [&[b'h'][..], &h.to_redis()].concat(),
        }
    }

    /// Reads what [`Aggregate::encode`] wrote.
    pub fn decode(bytes: &[u8]) -> Result<Aggregate, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(what.to_owned());
        let (tag, rest) = bytes
            .split_first()
            .ok_or_else(|| corrupt("an empty value"))?;
        let eight = || -> Result<[u8; 8], StoreError> {
            rest.try_into()
                .map_err(|_| corrupt("a number that is not 8 bytes"))
        };
        match tag {
            b'c' => Ok(Aggregate::Count(u64::from_le_bytes(eight()?))),
            b's' => Ok(Aggregate::Sum(f64::from_le_bytes(eight()?))),
            b'h' => Hll::from_redis(rest)
                .map(Aggregate::Distinct)
                .map_err(|e| corrupt(&e.to_string())),
            _ => Err(corrupt("an unknown tag")),
        }
    }
}

/// The name a store gives a series' bucket: `metricc:{series}:{bucket}`
/// (`metricc:create_issue/user.id:2025-W07`).
pub fn key(series: &str, bucket: Bucket) -> String {
    format!("metricc:{series}:{bucket}")
}

/// Changes to apply together: per key, an aggregate to add.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    pub changes: Vec<(String, Bucket, Aggregate)>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Why a store could not do what it was asked.
#[derive(Debug)]
pub enum StoreError {
    /// The storage itself failed (I/O, a full disk, a lost connection).
    Unavailable(String),
    /// A stored value cannot be read.
    Corrupt(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable(m) => write!(f, "the store is unavailable: {m}"),
            StoreError::Corrupt(m) => write!(f, "the store holds a corrupt value: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Where counts are kept. Implementations are shared between threads.
pub trait Store: Send + Sync + 'static {
    /// Adds every change of `batch`, all or nothing. When it returns `Ok`, the changes are
    /// durable: a crash afterwards loses none of them.
    fn apply(&self, batch: &Batch) -> Result<(), StoreError>;

    /// The aggregate of `series` in `bucket`, if anything was counted there.
    fn read(&self, series: &str, bucket: Bucket) -> Result<Option<Aggregate>, StoreError>;

    /// Several reads at once (a networked store answers them in one round trip).
    fn read_many(&self, keys: &[(&str, Bucket)]) -> Result<Vec<Option<Aggregate>>, StoreError> {
        keys.iter().map(|(s, b)| self.read(s, *b)).collect()
    }
}

/// A store in memory: nothing survives the process. For tests, and applications that
/// keep no state.
#[derive(Debug, Default)]
pub struct MemoryStore {
    data: Mutex<HashMap<(String, Bucket), Aggregate>>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

impl Store for MemoryStore {
    fn apply(&self, batch: &Batch) -> Result<(), StoreError> {
        let mut data = self.data.lock().unwrap_or_else(|e| e.into_inner());
        for (series, bucket, change) in &batch.changes {
            match data.get_mut(&(series.clone(), *bucket)) {
                Some(existing) => {
                    existing.merge(change);
                }
                None => {
                    data.insert((series.clone(), *bucket), change.clone());
                }
            }
        }
        Ok(())
    }

    fn read(&self, series: &str, bucket: Bucket) -> Result<Option<Aggregate>, StoreError> {
        let data = self.data.lock().unwrap_or_else(|e| e.into_inner());
        Ok(data.get(&(series.to_owned(), bucket)).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Week;

    #[test]
    fn aggregates_encode_and_decode() {
        let mut hll = Hll::new();
        hll.insert(b"42");
        for a in [
            Aggregate::Count(7),
            Aggregate::Sum(2.5),
            Aggregate::Distinct(hll),
        ] {
            assert_eq!(Aggregate::decode(&a.encode()).unwrap(), a);
        }
        assert!(Aggregate::decode(b"").is_err());
        assert!(Aggregate::decode(b"c123").is_err());
        assert!(Aggregate::decode(b"x12345678").is_err());
        assert!(Aggregate::decode(b"hHYLL").is_err());
    }

    #[test]
    fn aggregates_add_up_by_kind() {
        let mut count = Aggregate::Count(u64::MAX - 1);
        assert!(count.merge(&Aggregate::Count(5)));
        assert_eq!(count, Aggregate::Count(u64::MAX));
        let mut sum = Aggregate::Sum(1.5);
        assert!(sum.merge(&Aggregate::Sum(2.0)));
        assert_eq!(sum, Aggregate::Sum(3.5));
        assert!(sum.merge(&Aggregate::Count(1)));
        assert_eq!(sum, Aggregate::Sum(4.5));
        let mut whole = Aggregate::Count(2);
        assert!(whole.merge(&Aggregate::Sum(0.5)));
        assert_eq!(whole, Aggregate::Sum(2.5));
        assert!(!whole.merge(&Aggregate::Distinct(Hll::new())));
        assert_eq!(whole, Aggregate::Distinct(Hll::new()));
    }

    #[test]
    fn keys_name_the_series_and_the_bucket() {
        assert_eq!(key("a/user.id", Bucket::All), "metricc:a/user.id:all");
        let week = Week(2875);
        assert_eq!(key("a", Bucket::Week(week)), format!("metricc:a:{week}"));
    }

    #[test]
    fn the_memory_store_adds_batches() {
        let store = MemoryStore::new();
        let batch = Batch {
            changes: vec![("a".into(), Bucket::All, Aggregate::Count(2))],
        };
        store.apply(&batch).unwrap();
        store.apply(&batch).unwrap();
        assert_eq!(
            store.read("a", Bucket::All).unwrap(),
            Some(Aggregate::Count(4))
        );
        assert_eq!(store.read("b", Bucket::All).unwrap(), None);
    }
}
