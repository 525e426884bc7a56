"""Extract stage (`articles.raw` -> `articles.extracted`): boilerplate out, body, title, page metadata.

Entry point in `stage` (re-exported here); helpers: `html` (HTML pages through trafilatura),
`htmldates` (time stamps in a page's markup), `plaintext` (the line-based cleaner for plain text),
`linefeatures` (what tells a chrome line from prose), `profiles` (per-source boilerplate profiles),
`wire` (dateline, sign-off, picture credits).
"""

from workers.stages.extract.pagemeta import warm_date_parser
from workers.stages.extract.stage import ExtractConfig, extract, learn, run, source_key

__all__ = ["ExtractConfig", "extract", "learn", "run", "source_key", "warm_date_parser"]
