//! What the application knows that no event records: its settings, its license, its
//! system, and the counters it keeps itself. Implementing the generated `Instrumentation`
//! trait is how it reports them; a definition with a new instrumentation class would not
//! compile here until it has its method.

use std::collections::{BTreeMap, HashMap};

use metricc_runtime::hll::Hll;
use metricc_runtime::serde_json::{Value as Json, json};
use metricc_runtime::{Bucket, Error, MetricContext, Number, Week};

use crate::metrics::Instrumentation;
use crate::simulation::World;

/// Takes what the simulation collected.
fn take<T: Default>(m: &std::sync::Mutex<T>) -> T {
    std::mem::take(&mut *m.lock().unwrap_or_else(|e| e.into_inner()))
}

/// The instance, as the ping sees it.
pub struct Application {
    users: u64,
    counters: BTreeMap<String, u64>,
    sketches: HashMap<(String, Week), Hll>,
    runners: BTreeMap<String, u64>,
    dropped: u64,
}

impl Application {
    /// The application of `world`, whose nodes' recorders dropped `dropped` changes.
    pub fn new(world: &World, dropped: u64) -> Application {
        Application {
            users: world.user_count() as u64,
            counters: take(&world.counters),
            sketches: take(&world.sketches),
            runners: take(&world.runners),
            dropped,
        }
    }
}

impl Instrumentation for Application {
    fn container_registry_enabled_metric(&self, _: &MetricContext) -> Result<bool, Error> {
        Ok(true)
    }

    fn container_registry_vendor_metric(&self, _: &MetricContext) -> Result<String, Error> {
        Ok("forgeline".into())
    }

    fn count_active_runners_metric(&self, _: &MetricContext) -> Result<Number, Error> {
        Ok((self.runners.values().sum::<u64>() * 3 / 4).into())
    }

    fn count_ci_builds_metric(&self, _: &MetricContext) -> Result<Number, Error> {
        // Kept in the database; this instance answers from its own statistics.
        Ok((self.users * 120).into())
    }

    fn count_ci_runners_metric(&self, _: &MetricContext) -> Result<Number, Error> {
        Ok(self.runners.values().sum::<u64>().into())
    }

    fn database_connection_saturation_metric(&self, _: &MetricContext) -> Result<Number, Error> {
        Ok(0.42.into())
    }

    fn database_load_balancing_enabled_metric(&self, _: &MetricContext) -> Result<bool, Error> {
        Ok(false)
    }

    fn database_version_metric(&self, _: &MetricContext) -> Result<String, Error> {
        Ok("16.4".into())
    }

    fn git_version_metric(&self, _: &MetricContext) -> Result<Json, Error> {
        Ok(json!({ "major": 2, "minor": 47, "patch": 1 }))
    }

    fn gitaly_apdex_metric(&self, _: &MetricContext) -> Result<Number, Error> {
        Ok(0.998.into())
    }

    fn gitaly_servers_metric(&self, _: &MetricContext) -> Result<Number, Error> {
        Ok(3u32.into())
    }

    fn installation_type_metric(&self, _: &MetricContext) -> Result<String, Error> {
        Ok("omnibus".into())
    }

    fn instance_uuid_metric(&self, _: &MetricContext) -> Result<String, Error> {
        Ok("5b1ab8b4-6e1e-4f4e-9a77-3d0c3f2a8e10".into())
    }

    fn instance_version_metric(&self, _: &MetricContext) -> Result<String, Error> {
        Ok(env!("CARGO_PKG_VERSION").into())
    }

    fn license_expires_at_metric(&self, _: &MetricContext) -> Result<String, Error> {
        Ok("2026-01-31".into())
    }

    fn license_historical_max_users_metric(&self, _: &MetricContext) -> Result<Number, Error> {
        Ok(self.users.into())
    }

    fn license_plan_metric(&self, _: &MetricContext) -> Result<String, Error> {
        Ok("premium".into())
    }

    fn license_seat_usage_metric(&self, _: &MetricContext) -> Result<Json, Error> {
        let billable = self.users * 9 / 10;
        Ok(json!({
            "billable": billable,
            "guests": self.users - billable,
            "bots": 4,
            "blocked": 2,
            "over_license": billable.saturating_sub(self.users * 8 / 10),
        }))
    }

    fn license_subscription_id_metric(&self, _: &MetricContext) -> Result<String, Error> {
        Ok("sub-000042".into())
    }

    fn license_trial_metric(&self, _: &MetricContext) -> Result<bool, Error> {
        Ok(false)
    }

    fn license_user_count_metric(&self, _: &MetricContext) -> Result<Number, Error> {
        Ok((self.users * 8 / 10).into())
    }

    fn pages_enabled_metric(&self, _: &MetricContext) -> Result<bool, Error> {
        Ok(true)
    }

    /// Distinct users of the events in `options.events`, over the metric's weeks, from the
    /// sketches the application keeps (the runtime's Redis-compatible HyperLogLog).
    fn redis_hll_metric(&self, context: &MetricContext) -> Result<Number, Error> {
        let options = context.options().ok_or("RedisHLLMetric needs options")?;
        let events = options["events"]
            .as_array()
            .ok_or("RedisHLLMetric needs `options.events`")?;
        let mut union = Hll::new();
        for bucket in context.event_buckets() {
            let Bucket::Week(week) = bucket else {
                return Err("RedisHLLMetric counts weeks (7d or 28d)".into());
            };
            for event in events.iter().filter_map(Json::as_str) {
                if let Some(sketch) = self.sketches.get(&(event.to_owned(), week)) {
                    union.merge(sketch);
                }
            }
        }
        Ok(union.count().into())
    }

    /// A counter the application keeps: `{prefix}_{event}` of the options.
    fn redis_metric(&self, context: &MetricContext) -> Result<Number, Error> {
        let options = context.options().ok_or("RedisMetric needs options")?;
        let event = options["event"]
            .as_str()
            .ok_or("RedisMetric needs `options.event`")?;
        if event == "dropped" {
            // Events the recorder could not keep.
            return Ok(self.dropped.into());
        }
        let name = match options["prefix"].as_str() {
            Some(prefix) => format!("{prefix}_{event}"),
            None => event.to_owned(),
        };
        Ok(self.counters.get(&name).copied().unwrap_or(0).into())
    }

    fn runner_executor_distribution_metric(&self, _: &MetricContext) -> Result<Json, Error> {
        Ok(Json::Object(
            self.runners
                .iter()
                .map(|(executor, n)| (executor.clone(), Json::from(*n)))
                .collect(),
        ))
    }

    fn service_ping_data_categories_metric(&self, _: &MetricContext) -> Result<Json, Error> {
        Ok(json!({
            "operational": true,
            "optional": true,
            "standard": true,
            "subscription": true,
        }))
    }

    fn sign_in_restrictions_metric(&self, _: &MetricContext) -> Result<Json, Error> {
        Ok(json!({
            "password_authentication_enabled_for_web": true,
            "password_authentication_enabled_for_git": false,
            "two_factor_grace_period_hours": 48,
            "allowed_signup_domains_count": 2,
            "admin_mode_enabled": true,
        }))
    }

    fn topology_metric(&self, _: &MetricContext) -> Result<Json, Error> {
        // This instance has no Prometheus to ask: the metric fails, and the ping says why.
        Err("no Prometheus server is configured".into())
    }
}
