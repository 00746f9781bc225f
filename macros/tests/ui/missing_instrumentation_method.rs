// `totals.ci_jobs` is computed by the instrumentation class `CountCiBuildsMetric`: the
// application must implement its method.
metricc_macros::include_metrics!("../../../../macros/tests/ui/forge");

struct Application;

impl metrics::Instrumentation for Application {}

fn main() {}
