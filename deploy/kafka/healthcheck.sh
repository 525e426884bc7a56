#!/bin/bash
# Health check of the local broker image: healthy once this start's log says "Kafka Server started"
# (what the project's own LocalKafka waits for) and the first listener accepts a TCP connection.
# Cheap on purpose: no JVM per check.
set -euo pipefail
RUN_DIR=${KAFKA_RUN_DIR:-/tmp/kafka}
grep -qF "Kafka Server started" "$RUN_DIR/server.log"
listener=$(sed -n 's/^listeners=//p' "$RUN_DIR/server.properties" | tail -n 1 | cut -d, -f1)
address=${listener#*://}
host=${address%:*}
exec 3<>"/dev/tcp/${host:-127.0.0.1}/${address##*:}"
