//! The `metrics` facade (feature `metrics`): every recorded event also increments a
//! counter of the [`metrics`](https://docs.rs/metrics) crate, so an application that
//! already exports its own metrics (to Prometheus, StatsD, ...) sees its events there too.
//!
//! The counter of an event is named `metricc_<action>_total`
//! ([`EventSpec::facade_counter`]); the generated `describe_counters()` gives each one the
//! description of its event definition, through [`describe`]. Without the feature, nothing
//! is counted and [`describe`] does nothing, so generated code compiles either way.

use crate::spec::EventSpec;

/// Increments the event's counter in the application's `metrics` recorder (a no-op when it
/// installed none).
#[cfg(feature = "metrics")]
#[inline]
pub(crate) fn count(event: &'static EventSpec) {
    metrics::counter!(event.facade_counter).increment(1);
}

#[cfg(not(feature = "metrics"))]
#[inline(always)]
pub(crate) fn count(_event: &'static EventSpec) {}

/// Describes the counters of `events` (counter name, description) to the application's
/// `metrics` recorder. Call it once, after installing the recorder.
pub fn describe(events: &[(&'static str, &'static str)]) {
    #[cfg(feature = "metrics")]
    for (name, description) in events {
        metrics::describe_counter!(*name, metrics::Unit::Count, *description);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = events;
}
