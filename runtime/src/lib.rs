//! metricc-runtime: what the Rust code metricc generates runs on.
//!
//! - [`Recorder`]: records events (the generated recording functions call it) into a
//!   [`Store`], without blocking on I/O: an in-memory buffer flushed in the background.
//!   [`EmbeddedStore`] (a `redb` file) is the default store; [`MemoryStore`] keeps nothing;
//!   `RedisStore` (feature `redis`) is one count shared by every node of an application,
//!   on one Redis server or a Redis Cluster.
//! - [`hll::Hll`]: distinct counts with Redis's HyperLogLog layout, so a Redis store can
//!   merge them with `PFMERGE`.
//! - [`time`]: the injectable [`Clock`], weekly buckets, and GitLab's windows.
//! - [`ping::assemble`]: the hardened Service Ping, where a failing, panicking or slow
//!   metric reports `-1` and is listed in the metadata instead of losing the payload.
//! - [`facade`]: with the feature `metrics`, every recorded event also increments a
//!   counter of the `metrics` crate.
//! - [`spec`]: the static tables generated code describes metrics and events with.
//! - [`sql`] (features `sqlite`, `postgres`): executors that run database metrics' SQL
//!   read-only, with a time-out, on SQLite or PostgreSQL.
//!
//! See `docs/rust.md` for the generated API.

#![forbid(unsafe_code)]

pub mod facade;
pub mod hll;
pub mod ping;
pub mod recorder;
pub mod spec;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod sql;
pub mod store;
pub mod time;
pub mod value;

pub use ping::{
    FALLBACK, FailedMetric, Instrument, MetricContext, PingOptions, ServicePing, SqlExecutor,
    assemble,
};
pub use recorder::{
    Event, NamespaceId, ProjectId, Recorder, RecorderOptions, RecorderStats, UserId,
};
pub use spec::{
    Counter, DataCategory, DataSource, EventSpec, FilterValue, MetricSpec, NO_FILTER, NO_ROLES,
    Operator, Role, Selector, SeriesKind, Status, TimeFrame, Unique, ValueSource, ValueType,
};
pub use store::{Aggregate, Batch, EmbeddedStore, MemoryStore, Store, StoreError};
#[cfg(feature = "redis")]
pub use store::{RedisOptions, RedisStore};
pub use time::{Bucket, Clock, ManualClock, SystemClock, Timestamp, Week};
pub use value::{Error, Number, Value};

/// Re-exported for object metrics' values.
pub use serde_json;
