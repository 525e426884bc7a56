"""Imported once by the process pool's fork server, so every pool process starts warm.

Loading the NER model costs CPU per process, and dateparser builds its patterns per locale on first
use (5-11 s of one page's extraction in a new process). Done here, the pool processes forked from the
server share those pages copy-on-write and never pay it again, nor count it against a document's time
limit (recycled processes start warm too). The tier comes from the environment the pool inherited
(`NEWS_INGEST_NER_MODEL`), read through Settings like every other setting.
"""

from workers.settings import Settings
from workers.stages import extract, normalize
from workers.stages.tag import tagger_for

extract.warm_date_parser()
normalize.warm_date_parser()
_cfg = Settings().tag_config()
for _language in _cfg.languages:
    tagger_for(_cfg, _language)
