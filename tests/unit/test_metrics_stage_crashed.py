"""`stage_crashed` is a code bug, not a bad page: it has its own counter (and alert rule), besides the reasons."""

from __future__ import annotations

from tests.unit.deploy_support import ROOT, load_yaml
from workers.runtime.metrics import Metrics
from workers.runtime.steps import Outcome


def dead(reason: str) -> Outcome:
    return Outcome("x", deadletter={"error": {"type": reason, "message": "OverflowError: date value out of range"}})


def test_stage_crashed_is_counted_on_its_own_per_stage() -> None:
    metrics = Metrics()
    for stage, reason in [("normalize", "stage_crashed"), ("normalize", "stage_crashed"), ("dedup", "stage_crashed"),
                          ("extract", "invalid_json"), ("extract", "out_of_memory"), ("extract", "no_content")]:
        metrics.routed(stage, dead(reason))

    sample = metrics.registry.get_sample_value
    assert sample("news_ingest_stage_crashed_total", {"stage": "normalize"}) == 2
    assert sample("news_ingest_stage_crashed_total", {"stage": "dedup"}) == 1
    assert sample("news_ingest_stage_crashed_total", {"stage": "extract"}) is None  # bad input is not a crash
    assert sample("news_ingest_deadlettered_total", {"stage": "normalize", "reason": "stage_crashed"}) == 2
    assert sample("news_ingest_deadlettered_total", {"stage": "extract", "reason": "invalid_json"}) == 1


def test_an_alert_rule_fires_on_any_stage_crash_and_names_the_replay() -> None:
    rules = {rule["alert"]: rule for group in load_yaml(ROOT / "deploy" / "prometheus" / "alerts.yml")["groups"]
             for rule in group["rules"]}
    rule = rules["NewsIngestStageCrashed"]
    assert "news_ingest_stage_crashed_total" in rule["expr"]
    assert rule["expr"].endswith("> 0")
    assert "replay --reason stage_crashed" in rule["annotations"]["description"]
