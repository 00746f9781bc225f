// `broken/definitions/metrics/issues_created.yml` has `value_type: nmber` on line 7.
metricc_macros::include_metrics!("../../../../macros/tests/ui/broken");

fn main() {}
