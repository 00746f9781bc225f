#!/usr/bin/env python3
"""Sample Service Pings, and the monthly xMAU figures they should give.

Both are computed from a built `dictionary.json` with the standard library only, so any test
(the dbt project's, the dashboards') can use them:

    sample_pings.py pings DICTIONARY_JSON > pings.json
    sample_pings.py xmau DICTIONARY_JSON PINGS_JSON > xmau_monthly.json

The pings cover what makes monthly figures tricky: several instances over several months,
several pings per instance and month (only the last one counts), instances that miss
months or start late, older versions without the newer metrics (no value at all, not a
zero), failed values (-1, and -2 for a failed distinct count), a JSON null, and an
instance that upgrades in the middle of a month.

The figures are computed here independently of the dbt project's SQL: one row per month
(with any ping), xMAU role and metric of that role, with GitLab's estimate
`recorded * pinging / reporting`.
"""

import json
import random
import sys

# The roles xmau_monthly reports (performance_indicator_type values), in its order.
XMAU_ROLES = ("amau", "gmau", "paid_gmau", "smau", "umau")

# Each instance: its id, the version it runs in each month it pings (a month it misses is
# absent), and the days of the month it pings on. An instance that upgrades in a month
# lists its versions in ping order.
INSTANCES = (
    ("7e0a6a1e-0000-4000-8000-000000000001", {1: ["17.5.0"], 2: ["17.5.0"], 3: ["17.5.1"], 4: ["17.5.1"]}, (3, 10, 17, 24)),
    ("7e0a6a1e-0000-4000-8000-000000000002", {1: ["16.0.0"], 2: ["16.0.0"], 3: ["16.0.0", "16.6.0"], 4: ["16.6.0"]}, (1, 8, 15, 22, 29)),
    ("7e0a6a1e-0000-4000-8000-000000000003", {1: ["16.9.2"], 3: ["17.0.0"]}, (5, 12, 19, 26)),
    ("7e0a6a1e-0000-4000-8000-000000000004", {2: ["17.2.0"], 3: ["17.2.0"], 4: ["17.3.0"]}, (2, 9, 16)),
    ("7e0a6a1e-0000-4000-8000-000000000005", {1: ["15.11.0"], 2: ["15.11.0"], 4: ["15.11.0"]}, (6, 27)),
    ("7e0a6a1e-0000-4000-8000-000000000006", {4: ["17.5.0"]}, (28,)),
)

YEAR = 2024


def milestone(text):
    """'16.4' or '<16.4' as a comparable (major, minor); None when absent."""
    if not text:
        return None
    major, minor = text.lstrip("<").split(".")[:2]
    return int(major), int(minor)


def version(text):
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


def value_for(metric, rng):
    """A plausible value of a metric's type, now and then a failure or a JSON null."""
    roll = rng.random()
    if roll < 0.08:
        return -1
    if metric["value_type"] == "number":
        if roll < 0.11:
            return -2
        if roll < 0.12:
            return None
        return rng.randint(0, 5000)
    if metric["value_type"] == "boolean":
        return rng.random() < 0.5
    if metric["value_type"] == "string":
        return rng.choice(["postgresql", "redis", "{{ not jinja }}", "it's"])
    return {"enabled": rng.random() < 0.5}


def payload(metrics, instance_version, rng):
    """A ping's JSON: every metric the version has, at its key path."""
    root = {}
    running = version(instance_version)
    for metric in metrics:
        introduced = milestone(metric.get("milestone"))
        if introduced is not None and introduced > running:
            continue  # an older version does not know the metric: no key at all
        node = root
        *parents, leaf = metric["key_path"].split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value_for(metric, rng)
    return root


def pings(dictionary, seed=8):
    """The sample pings: dicts with instance_id, recorded_at, version and payload (text)."""
    rng = random.Random(seed)
    metrics = [m for m in dictionary["metrics"] if m["status"] != "removed"]
    rows = []
    for instance_id, months, days in INSTANCES:
        for month, versions in sorted(months.items()):
            for n, day in enumerate(days):
                running = versions[min(n * len(versions) // len(days), len(versions) - 1)]
                hour = 2 + (n * 5) % 20
                recorded_at = f"{YEAR}-{month:02d}-{day:02d} {hour:02d}:{(n * 7) % 60:02d}:00"
                body = payload(metrics, running, rng)
                rows.append(
                    {
                        "instance_id": instance_id,
                        "recorded_at": recorded_at,
                        "version": running,
                        "payload": json.dumps(body, sort_keys=True),
                    }
                )
    return rows


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def at_key_path(body, key_path):
    node = body
    for part in key_path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def xmau_monthly(dictionary, rows):
    """The rows xmau_monthly should hold for these pings, sorted by month, role, key path."""
    last = {}  # (month, instance) -> the last ping of the month
    for row in rows:
        month = row["recorded_at"][:7] + "-01"
        key = (month, row["instance_id"])
        if key not in last or row["recorded_at"] > last[key]["recorded_at"]:
            last[key] = row
    months = sorted({month for month, _ in last})
    bodies = {key: json.loads(ping["payload"]) for key, ping in last.items()}
    figures = []
    for metric in dictionary["metrics"]:
        for role in XMAU_ROLES:
            if role not in metric["performance_indicator_type"]:
                continue
            for month in months:
                instances = [key for key in bodies if key[0] == month]
                values = [at_key_path(bodies[key], metric["key_path"]) for key in instances]
                counted = [v for v in values if is_number(v) and v not in (-1, -2)]
                recorded = float(sum(counted))
                figures.append(
                    {
                        "reporting_month": month,
                        "role": role,
                        "section": metric.get("product_section"),
                        "stage": metric.get("product_stage"),
                        "product_group": metric.get("product_group"),
                        "key_path": metric["key_path"],
                        "recorded_value": recorded,
                        "instances_reporting": len(counted),
                        "instances_pinging": len(instances),
                        "estimated_value": recorded * len(instances) / len(counted) if counted else None,
                    }
                )
    figures.sort(key=lambda f: (f["reporting_month"], f["role"], f["key_path"]))
    return figures


def main(argv):
    if len(argv) == 3 and argv[1] == "pings":
        with open(argv[2], encoding="utf-8") as f:
            json.dump(pings(json.load(f)), sys.stdout, indent=1)
    elif len(argv) == 4 and argv[1] == "xmau":
        with open(argv[2], encoding="utf-8") as f:
            dictionary = json.load(f)
        with open(argv[3], encoding="utf-8") as f:
            rows = json.load(f)
        json.dump(xmau_monthly(dictionary, rows), sys.stdout, indent=1)
    else:
        sys.exit(__doc__)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
