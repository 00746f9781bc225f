#!/usr/bin/env python3
"""Writes a synthetic metricc project for benchmarks: 10,000 metric definitions and 2,000
event definitions (by default) over a taxonomy of 12 sections, 48 stages and 240 groups.

The mix follows a real dictionary: event-based totals and unique counts (some with
time_frame lists), SQL metrics with window parameters, settings of every value type, and
one SMAU per stage, one GMAU per group. The project checks clean, so `build` runs too.
Deterministic: the same arguments write the same bytes.

usage: bench/generate.py OUT_DIR [--metrics N] [--events N]
"""

import argparse
import os
import random

TIERS = ["[free, premium, ultimate]", "[premium, ultimate]", "[ultimate]"]
CATEGORIES_PER_GROUP = 2


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--metrics", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2_000)
    args = parser.parse_args()
    rng = random.Random(20261126)
    root = os.path.join(args.out, "definitions")

    stages, groups = [], []
    lines = ["sections:"]
    for s in range(12):
        lines += [f"  section_{s}:", f"    name: Section {s}", "    stages:"]
        for t in range(4):
            stage = f"stage_{s}_{t}"
            stages.append(stage)
            lines += [f"      {stage}:", f"        name: Stage {s}.{t}", "        groups:"]
            for g in range(5):
                group = f"group_{s}_{t}_{g}"
                groups.append((group, stage))
                cats = ", ".join(f"{group}_cat_{c}" for c in range(CATEGORIES_PER_GROUP))
                lines += [f"          {group}:", f"            name: Group {s}.{t}.{g}",
                          f"            categories: [{cats}]"]
    write(os.path.join(root, "stages.yml"), "\n".join(lines) + "\n")

    events = []
    for i in range(args.events):
        group, _ = groups[i % len(groups)]
        action = f"perform_action_{i:05d}"
        has_value = i % 3 == 0
        props = "additional_properties:\n  label:\n    description: Where the action started\n"
        if has_value:
            props += "  value:\n    description: How many items the action touched\n"
        events.append((action, group, has_value))
        write(os.path.join(root, "events", f"{action}.yml"), f"""---
description: A user performed action {i} in {group}
internal_events: true
action: {action}
identifiers:
- project
- user
- namespace
product_group: {group}
product_categories:
- {group}_cat_0
milestone: '17.{i % 12}'
introduced_by_url: https://example.com/forge/-/merge_requests/{100000 + i}
tiers: {TIERS[i % 3]}
{props}""")

    def common(key, group, description, value_type, time_frame, source, roles="[]", tiers=0, i=0):
        return f"""---
key_path: {key}
description: {description}
product_group: {group}
product_categories:
- {group}_cat_{i % CATEGORIES_PER_GROUP}
value_type: {value_type}
status: active
time_frame: {time_frame}
data_source: {source}
data_category: {"operational" if i % 4 == 0 else "optional"}
performance_indicator_type: {roles}
tiers: {TIERS[tiers]}
milestone: '16.{i % 12}'
introduced_by_url: https://example.com/forge/-/merge_requests/{200000 + i}
"""

    n = 0
    # The xMAU metrics: one SMAU per stage and one GMAU per group (unique users, 28d).
    for g, (group, stage) in enumerate(groups):
        first_of_stage = g % 5 == 0
        roles = "[smau, gmau]" if first_of_stage else "[gmau]"
        names = "\n".join(f"- name: {events[(g + k * len(groups)) % len(events)][0]}\n  unique: user.id"
                          for k in range(3))
        write(os.path.join(root, "metrics", "counts_28d", f"20250101{n:06d}_{group}_users_monthly.yml"),
              common(f"xmau.{group}.users_monthly", group, f"Unique users of {group} in 28 days",
                     "number", "28d", "internal_events", roles, i=n) + f"events:\n{names}\n")
        n += 1

    while n < args.metrics:
        group, _ = groups[n % len(groups)]
        kind = rng.random()
        event, event_group, has_value = events[n % len(events)]
        key = f"counts.{group}.metric_{n:05d}"
        if kind < 0.35:  # event total over a time frame list
            body = common(key, group, f"Count of {event} events", "number", "[7d, 28d, all]",
                          "internal_events", i=n) + f"events:\n- name: {event}\n"
            folder = "counts_all"
        elif kind < 0.55:  # unique users, weekly and monthly
            body = common(key, group, f"Unique users performing {event}", "number", "[7d, 28d]",
                          "internal_events", i=n) + f"events:\n- name: {event}\n  unique: user.id\n"
            folder = "counts_all"
        elif kind < 0.62 and has_value:  # a sum with a filter
            body = common(key + "_monthly", group, f"Items touched by {event}", "number", "28d",
                          "internal_events", i=n) + (
                f"events:\n- name: {event}\n  filter:\n    label: web\n  operator: sum(value)\n")
            folder = "counts_28d"
        elif kind < 0.80:  # SQL with window parameters
            tf = "28d" if n % 2 else "7d"
            body = common(key, group, f"Records of table_{n % 97} created in the window", "number", tf,
                          "database", i=n) + (
                f"sql: |\n  SELECT COUNT(*) FROM table_{n % 97}\n"
                f"  WHERE created_at >= :window_start AND created_at < :window_end\n"
                f"    AND state = 'active'\n")
            folder = "counts_28d" if tf == "28d" else "counts_7d"
        elif kind < 0.92:  # all-time SQL count
            body = common(key, group, f"All records of table_{n % 97}", "number", "all", "database",
                          tiers=n % 3, i=n) + (
                f"sql: SELECT COUNT(DISTINCT project_id) FROM table_{n % 97} WHERE archived = false\n")
            folder = "counts_all"
        else:  # a setting
            value_type = ["boolean", "string", "number"][n % 3]
            body = common(f"settings.{group}.setting_{n:05d}", group, f"Instance setting {n}", value_type,
                          "none", "system", i=n) + "instrumentation_class: InstanceSettingMetric\n"
            folder = "settings"
        write(os.path.join(root, "metrics", folder, f"2025{n:010d}_metric_{n:05d}.yml"), body)
        n += 1


if __name__ == "__main__":
    main()
