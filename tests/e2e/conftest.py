"""The broker fixtures (`tests/support/fixtures.py`): these tests run against a real Kafka broker."""

from tests.support.fixtures import kafka_bootstrap, pipeline_settings, start_worker

__all__ = ["kafka_bootstrap", "pipeline_settings", "start_worker"]
