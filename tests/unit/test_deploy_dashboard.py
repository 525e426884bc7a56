"""The Grafana dashboard and the example alerts query only metrics the worker exports."""

from __future__ import annotations

import json
import re

from tests.unit.deploy_support import ROOT, load_yaml
from workers.runtime.metrics import FaustCollector, Metrics

NAME = re.compile(r"\bnews_ingest_[a-z_]+")


def exported() -> set[str]:
    """Sample names the worker can expose (counters with _total, histograms with _bucket/_sum/_count)."""
    families = [*Metrics().registry.collect(), *FaustCollector(object()).collect()]
    names = {f.name for f in families}
    for family in families:
        if family.type == "counter":
            names.add(f"{family.name}_total")
        if family.type == "histogram":
            names.update(f"{family.name}_{suffix}" for suffix in ("bucket", "sum", "count"))
    return names


def dashboard_queries() -> list[str]:
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "dashboards" / "news-ingest.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def alert_queries() -> list[str]:
    rules = load_yaml(ROOT / "deploy" / "prometheus" / "alerts.yml")
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def test_dashboard_and_alerts_use_exported_metric_names() -> None:
    known = exported()
    queries = dashboard_queries() + alert_queries()
    used = {name for query in queries for name in NAME.findall(query)}
    assert len(used) >= 6
    assert used <= known, f"not exported by the worker: {sorted(used - known)}"


def test_dashboard_panels_have_unique_ids_and_a_datasource_variable() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "dashboards" / "news-ingest.json").read_text())
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    assert any(var["type"] == "datasource" for var in dashboard["templating"]["list"])
