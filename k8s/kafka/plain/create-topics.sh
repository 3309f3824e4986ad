#!/bin/sh
# Creates taskqueue's topics on a Kafka cluster; safe to run again (--if-not-exists).
# Used by docker-compose.yml (service kafka-init) and the plain Kubernetes Kafka (Job
# create-topics); with Strimzi the KafkaTopic resources in k8s/kafka/strimzi/ do the same.
# The names must match io.taskqueue.proto.Topics (DeploymentFilesTest checks this file for them).
#
# Env: BOOTSTRAP (kafka-1:19092), PREFIX (taskqueue, = TASKQUEUE_TOPIC_PREFIX), PARTITIONS (3,
# = TASKQUEUE_PARTITIONS of the topology), REPLICATION_FACTOR (1), MIN_ISR (1), QUEUES (default:
# dispatch topics created up front; workers create the ones of other queues themselves).
set -eu
BOOTSTRAP=${BOOTSTRAP:-kafka-1:19092}
PREFIX=${PREFIX:-taskqueue}
PARTITIONS=${PARTITIONS:-3}
REPLICATION_FACTOR=${REPLICATION_FACTOR:-1}
MIN_ISR=${MIN_ISR:-1}
QUEUES=${QUEUES:-default}
TOPICS_SH=${TOPICS_SH:-/opt/kafka/bin/kafka-topics.sh}

create() { # name partitions [--config k=v ...]
  name=$1
  partitions=$2
  shift 2
  # 4 MiB records: a command or an event can carry a 1 MiB payload plus the task's fields.
  "$TOPICS_SH" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR" \
    --config min.insync.replicas="$MIN_ISR" --config max.message.bytes=4194304 "$@"
}

# Keyed by task id and co-partitioned: one partition count for all three.
create "$PREFIX.commands" "$PARTITIONS"
create "$PREFIX.reports" "$PARTITIONS"
create "$PREFIX.events" "$PARTITIONS"
create "$PREFIX.control" "$PARTITIONS"
create "$PREFIX.dead-letters" "$PARTITIONS"
# Read as tables (latest value per key).
create "$PREFIX.workers" "$PARTITIONS" --config cleanup.policy=compact
create "$PREFIX.queue-config" "$PARTITIONS" --config cleanup.policy=compact
# At least 4 partitions, so every worker of a queue gets a share (as ./taskqueue dev does).
DISPATCH_PARTITIONS=$(( PARTITIONS > 4 ? PARTITIONS : 4 ))
for queue in $(echo "$QUEUES" | tr ',' ' '); do
  create "$PREFIX.dispatch.$queue" "$DISPATCH_PARTITIONS"
done
"$TOPICS_SH" --bootstrap-server "$BOOTSTRAP" --list | grep "^$PREFIX\." || true
