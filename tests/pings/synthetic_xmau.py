#!/usr/bin/env python3
"""Synthetic figures in the shape of the dbt project's xmau_monthly export, for a dictionary.

    synthetic_xmau.py DICTIONARY.json MONTHS > xmau_monthly.csv

Writes a row per month (MONTHS of them, from 2024-01), xMAU role and metric of that role, as
`dbt run-operation export_xmau` does, with figures that follow a simple deterministic rule
(no randomness: the same dictionary gives the same bytes). Every seventh metric has a month
no instance reported it in, so estimates are sometimes empty. Used by the dashboards' tests
and the benchmark; the figures mean nothing.
"""

import csv
import json
import sys

ROLES = ["amau", "gmau", "paid_gmau", "smau", "umau"]
COLUMNS = [
    "reporting_month", "role", "section", "stage", "product_group", "key_path",
    "recorded_value", "instances_reporting", "instances_pinging", "estimated_value",
]


def month(n):
    return f"{2024 + n // 12}-{n % 12 + 1:02d}-01"


def rows(dictionary, months):
    metrics = [
        m for m in dictionary["metrics"]
        if any(r in ROLES for r in m["performance_indicator_type"])
    ]
    out = []
    for n in range(months):
        pinging = 40 + 3 * n
        for i, metric in enumerate(metrics):
            reporting = max(pinging - (i + n) % 9, 0)
            if i % 7 == 3 and n == 1:
                reporting = 0
            recorded = float(reporting * (25 + (i * 13) % 50) + 7 * n * (i % 4)) if reporting else 0.0
            estimated = "" if reporting == 0 else repr(recorded * pinging / reporting)
            for role in ROLES:
                if role not in metric["performance_indicator_type"]:
                    continue
                out.append([
                    month(n), role, metric.get("product_section") or "",
                    metric.get("product_stage") or "", metric.get("product_group") or "",
                    metric["key_path"], repr(recorded), str(reporting), str(pinging), estimated,
                ])
    out.sort(key=lambda r: (r[0], r[1], r[5]))
    return out


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as f:
        dictionary = json.load(f)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(dictionary, int(argv[2])))


if __name__ == "__main__":
    main(sys.argv)
