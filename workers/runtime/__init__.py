"""How the stages run: the shared steps, the process pool, the Faust app and agents, the offline driver.

`steps` holds the four steps both drivers call: the Faust agents (`app`, `agents`, `dedup_agents`,
with `faust_fixes` and `faust_fetch` guarded by `faust_verified`, `failfast`, `metrics`, `web`) and `offline`
(`news-ingest enrich`). `pool` runs the stage functions in processes started by `poolserver` and
warmed by `warm`. Importing this package
imports nothing else: the offline driver must not pay for Faust.
"""
