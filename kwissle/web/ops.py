"""Operations endpoints every role serves: `/healthz` for probes, `/metrics` for Prometheus.

`/healthz` answers 200 `{"ok": true, "store": "ok", "loop_lag_ms": x}` when the store
answers a ping within a short time and the IOLoop runs its timers on time, else 503
with what is wrong (`"store": "unreachable: <one line>"`, or a large `loop_lag_ms`).
Neither answer is ever cached. `/metrics` renders the application's own registry
(kwissle/metrics.py) in the Prometheus text format, or OpenMetrics when asked.
"""

from __future__ import annotations

import asyncio

from prometheus_client.exposition import choose_encoder

from kwissle.web.base import BaseHandler

# A probe must answer fast; a store that needs longer than this is as good as down.
STORE_PING_SECONDS = 2.0
# The loop ran a timer this late, or has not run the lag sampler for this long: not responsive.
LOOP_LAG_LIMIT_SECONDS = 1.0


class HealthHandler(BaseHandler):
    json_errors = True

    async def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        store = await self.store_state()
        monitor = self.application.loop_lag  # type: ignore[attr-defined]
        lag = max(monitor.lag, (monitor.age() or 0.0) - monitor.interval)
        ok = store == "ok" and lag < LOOP_LAG_LIMIT_SECONDS
        self.set_status(200 if ok else 503)
        self.finish({"ok": ok, "store": store, "loop_lag_ms": round(lag * 1000, 1)})

    async def store_state(self) -> str:
        try:
            await asyncio.wait_for(self.store.ping(), STORE_PING_SECONDS)
        except TimeoutError:
            return f"unreachable: no answer within {STORE_PING_SECONDS:g} s"
        except Exception as problem:  # a StorageError is one line already; anything else is made one
            text = str(problem).strip().splitlines()
            return f"unreachable: {text[0] if text else type(problem).__name__}"
        return "ok"


class MetricsHandler(BaseHandler):
    def get(self) -> None:
        encoder, content_type = choose_encoder(self.request.headers.get("Accept", ""))
        self.set_header("Content-Type", content_type)
        self.set_header("Cache-Control", "no-store")
        self.finish(encoder(self.application.metrics.registry))  # type: ignore[attr-defined]


def routes() -> list[tuple[str, type]]:
    return [(r"/healthz", HealthHandler), (r"/metrics", MetricsHandler)]
