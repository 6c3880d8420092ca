#!/usr/bin/env python3
"""Samples Prometheus reads to evaluate a rule file, per minute: every rule
expression of the first GROUPS groups run once as an instant query with
stats=all (totalQueryableSamples), scaled to all groups and to each group's
evaluations per minute. An estimate from a sample of groups (the scale
config's groups are alike), on the data as it is now.

Usage: scripts/rule-stats.py PROMETHEUS_URL RULE_FILE [GROUPS]
"""
import json
import sys
import time
import urllib.parse
import urllib.request

import yaml


def seconds(d):
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    for u in ("ms", "s", "m", "h", "d"):
        if d.endswith(u) and d[: -len(u)].replace(".", "").isdigit():
            return float(d[: -len(u)]) * units[u]
    raise ValueError(d)


def main():
    url, path = sys.argv[1], sys.argv[2]
    k = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    groups = yaml.safe_load(open(path))["groups"]
    now = time.time()
    per_min = 0.0
    for g in groups[:k]:
        evals = 60 / seconds(g.get("interval", "1m"))
        for r in g["rules"]:
            qs = urllib.parse.urlencode({"query": r["expr"], "time": now, "stats": "all"})
            with urllib.request.urlopen(f"{url}/api/v1/query?{qs}") as resp:
                body = json.load(resp)
            per_min += evals * body["data"]["stats"]["samples"]["totalQueryableSamples"]
    print(f"{per_min * len(groups) / min(k, len(groups)):.0f}")


if __name__ == "__main__":
    main()
