"""Imported once by the process pool's fork server, so every pool process starts with warm models.

Loading the NER pipelines costs about a second of CPU per process. Loaded here, the pool processes
forked from the server share those pages copy-on-write and never pay it again, nor count it
against a document's time limit (recycled processes start warm too).
"""

from workers.stages.tag import TagConfig, pipeline_for

_DEFAULT = TagConfig()
for _code in _DEFAULT.languages:
    pipeline_for(_code, _DEFAULT)
