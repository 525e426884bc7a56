"""`exactly_once` on the real broker: Kafka transactions through Faust, read with read_committed.

What holds, and is asserted: the worker really runs Faust's transaction manager, and with the worker
SIGKILLed mid-stream every input id comes out in the committed records of `articles.enriched` or
`articles.deadletter` (nothing lost, nothing stuck in an open transaction).

What does not hold with faust-streaming 0.15 (docs/guarantees.md), so it is counted, not asserted:
*exactly* once. Faust writes to topics the worker does not itself consume (`articles.enriched`,
`articles.deadletter`) outside any transaction, so a crash re-emits committed duplicates (measured:
66 of 1000 ids twice after three kills). With two workers it is worse: the dedup agent's sends to
a repartition partition owned by the other worker fail (`No transaction producer found`) and the
stream stops. `exactly_once` is therefore experimental and single-worker only; `at_least_once`
is the default.
"""

from __future__ import annotations

import pytest

from tests.support.articles import articles
from tests.support.kafka import outcomes_by_id, produce, run
from tests.support.progress import kill_at_random_points
from workers.settings import Settings

pytestmark = pytest.mark.e2e

ARTICLES = 500


def test_exactly_once_under_sigkill_commits_every_outcome_and_loses_nothing(pipeline_settings: Settings,
                                                                           start_worker) -> None:
    settings = pipeline_settings.model_copy(update={"processing_guarantee": "exactly_once"})
    ids = run(produce(settings, articles(ARTICLES, seed=21, prefix="eos")))
    worker = start_worker(settings=settings, name="eos")
    at = kill_at_random_points(settings, ids, worker, kills=2, seed=11)

    seen = run(outcomes_by_id(settings, set(ids), timeout=300, isolation_level="read_committed"))

    assert "transactional producers" in worker.log(), "exactly_once did not start Faust's transaction manager"

    lost = set(ids) - seen.keys()
    assert not lost, f"{len(lost)} of {len(ids)} articles have no committed outcome, e.g. {sorted(lost)[:5]}"
    dead = [e for events in seen.values() for e in events if "error" in e]
    assert not dead, f"unexpected dead letters: {dead[:3]}"
    assert all(e["duplicate"]["status"] == "unique" for events in seen.values() for e in events)
    doubled = sum(1 for events in seen.values() if len(events) > 1)
    print(f"exactly_once, sigkill x2 at {at} articles out: {ARTICLES} articles, "
          f"{sum(map(len, seen.values()))} committed outcomes, {doubled} ids more than once")
