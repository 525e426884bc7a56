#!/bin/bash
# Entry point of the local broker image: writes server.properties from single-node defaults and the
# KAFKA_* environment (the apache/kafka convention: KAFKA_LOG_DIRS -> log.dirs, `__` -> `_`,
# `___` -> `-`; later lines win), formats the KRaft storage once with CLUSTER_ID, runs the broker.
set -euo pipefail

RUN_DIR=${KAFKA_RUN_DIR:-/tmp/kafka}
LIBS=/opt/kafka/libs
mkdir -p "$RUN_DIR"
rm -f "$RUN_DIR/server.log"            # healthcheck.sh looks for this start's "started" line
config=$RUN_DIR/server.properties

{
  echo "node.id=1"
  echo "process.roles=broker,controller"
  echo "controller.quorum.voters=1@localhost:9093"
  echo "listeners=PLAINTEXT://:9092,CONTROLLER://:9093"
  echo "advertised.listeners=PLAINTEXT://localhost:9092"
  echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
  echo "controller.listener.names=CONTROLLER"
  echo "inter.broker.listener.name=PLAINTEXT"
  echo "log.dirs=/var/lib/kafka/data"
  echo "offsets.topic.replication.factor=1"
  echo "transaction.state.log.replication.factor=1"
  echo "transaction.state.log.min.isr=1"
  echo "group.initial.rebalance.delay.ms=0"
  while IFS='=' read -r name value; do
    case "$name" in
      KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_RUN_DIR) continue ;;
    esac
    key=${name#KAFKA_}
    key=${key,,}
    key=${key//___/-}
    key=${key//__/@}
    key=${key//_/.}
    echo "${key//@/_}=$value"
  done < <(env | grep -E '^KAFKA_[A-Z0-9_]+=' | sort)
} > "$config"

log4j=$RUN_DIR/log4j.properties
sed "s#@LOG@#$RUN_DIR/server.log#" /opt/kafka/bin/log4j.properties > "$log4j"

# shellcheck disable=SC2086  # KAFKA_HEAP_OPTS and KAFKA_OPTS are lists of JVM options
java_cmd=(java ${KAFKA_HEAP_OPTS} ${KAFKA_OPTS:-} "-Dlog4j.configuration=file:$log4j" -cp "$LIBS/*")
"${java_cmd[@]}" kafka.tools.StorageTool format --ignore-formatted \
  "--cluster-id=${CLUSTER_ID:?set CLUSTER_ID (22 characters of URL-safe base64) to format the KRaft storage}" \
  -c "$config" >/dev/null
exec "${java_cmd[@]}" kafka.Kafka "$config"
