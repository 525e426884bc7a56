"""Pure stage logic: no Kafka, no network, no clock or globals beyond cached models."""
