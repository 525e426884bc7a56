"""Tag stage (`articles.normalized` -> `articles.tagged`): named entities, canonical names, salience.

Entry point in `stage` (re-exported here); helpers: `model` (the shipped NER models' custom parts;
the models themselves are data in `workers/models`), `canonical` (one name per entity), `aliases`
(the curated alias table), `salience` (the per-entity summary).
"""

from workers.stages.tag.stage import LABELS, TagConfig, dateline_mentions, load_pipeline, pipeline_for, run, tag

__all__ = ["LABELS", "TagConfig", "dateline_mentions", "load_pipeline", "pipeline_for", "run", "tag"]
