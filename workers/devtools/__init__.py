"""Development tools, not part of the pipeline: a local Kafka broker from the Maven jars (`localkafka`)
and the container health probe (`probe`)."""
