"""Pure stage logic, one package per stage: no Kafka, no network, no clock or globals beyond cached models."""
