"""`/metrics`, `/healthz` and `/readyz` on Faust's own web server (port `web_port`).

Liveness answers from the event loop itself: if the loop is stuck, the probe times out and the
container restarts. Readiness waits for the consumer group: the worker is ready once it received
its assignment and its tables recovered, and stops being ready while a rebalance is under way.
While the worker still waits for its broker (before Faust starts), a small stand-in server
answers on the same port: alive, not ready.
"""

from __future__ import annotations

from typing import Any

import faust
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from workers.runtime.metrics import Metrics


def readiness(app: Any) -> tuple[bool, dict[str, Any]]:
    """Ready = an assignment arrived (possibly empty: more replicas than partitions), table recovery is
    done (also after later rebalances), no rebalance under way. An idle replica is ready so that a
    rollout is not held up by it; a rebalancing one is not, so a rollout waits for the group to settle."""
    recovered = bool(app.tables.recovery.completed.is_set()) and not app.in_recovery
    rebalancing = bool(app.rebalancing)
    try:
        assigned = sorted(f"{tp.topic}:{tp.partition}" for tp in app.consumer.assignment())
    except Exception:  # consumer not created yet (a probe answers, it does not fail)  # noqa: BLE001
        assigned = []
    ready = recovered and not rebalancing
    return ready, {"ready": ready, "recovered": recovered, "rebalancing": rebalancing,
                   "assigned_partitions": len(assigned)}


def register_pages(app: faust.App, metrics: Metrics) -> None:
    """Add the three endpoints to the app's web server."""

    @app.page("/metrics", name="metrics")
    async def metrics_page(view: Any, request: Any) -> Any:
        return view.bytes(generate_latest(metrics.registry), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/healthz", name="healthz")
    async def healthz(view: Any, request: Any) -> Any:
        crashed = bool(getattr(app, "crashed", False))
        return view.json({"alive": not crashed}, status=503 if crashed else 200)

    @app.page("/readyz", name="readyz")
    async def readyz(view: Any, request: Any) -> Any:
        ready, body = readiness(app)
        return view.json(body, status=200 if ready else 503)


async def serve_waiting_probes(host: str, port: int, waiting_for: str) -> web.AppRunner:
    """`/healthz` 200 and `/readyz` 503 (saying what the worker waits for) until Faust's server takes over;
    the readiness body has the same keys as Faust's, so a probe or dashboard reads one shape.
    The caller cleans the returned runner up. OSError when the port is taken."""

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"alive": True})

    async def readyz(request: web.Request) -> web.Response:
        return web.json_response({"ready": False, "recovered": False, "rebalancing": False,
                                  "assigned_partitions": 0, "waiting_for": waiting_for}, status=503)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port, reuse_address=True).start()
    except OSError:
        await runner.cleanup()
        raise
    return runner
