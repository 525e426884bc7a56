"""Tag stage (`articles.normalized` -> `articles.tagged`): named entities, canonical names, salience.

Entry point in `stage` (re-exported here); helpers: `encoder` (the accurate tier, int8 ONNX), `cnn`
and `pieces` (the fast tier: spaCy CNNs whose word vectors are the encoder's pieces; the models
themselves are data in `workers/models`), `words` (words and sentences with offsets), `bio`
(tags -> spans), `canonical` (one name per entity), `aliases` (the curated alias table), `salience`
(the per-entity summary).
"""

from workers.stages.tag.stage import (
    LABELS,
    ModelUnavailable,
    TagConfig,
    check_model,
    dateline_mentions,
    language_of,
    load_tagger,
    run,
    tag,
    tagger_for,
    text_spans,
)

__all__ = ["LABELS", "ModelUnavailable", "TagConfig", "check_model", "dateline_mentions", "language_of",
           "load_tagger", "run", "tag", "tagger_for", "text_spans"]
