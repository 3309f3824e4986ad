#!/usr/bin/env bash
# Runs the first Compose implementation found with the given arguments, from this folder:
#   ./compose.sh up -d --build                                   # the stack, one Kafka broker
#   ./compose.sh --profile monitoring up -d                      # plus Prometheus, Grafana, ...
#   ./compose.sh --env-file compose/ha.env up -d                 # three brokers, RF 3, min ISR 2
# Order: docker compose (v2 plugin), docker-compose (standalone), podman compose, podman-compose.
# COMPOSE_CMD="..." picks one explicitly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [[ -n "${COMPOSE_CMD:-}" ]]; then
  read -r -a cmd <<<"$COMPOSE_CMD"
elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  cmd=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  cmd=(docker-compose)
elif command -v podman >/dev/null 2>&1 && podman compose version >/dev/null 2>&1; then
  cmd=(podman compose)
elif command -v podman-compose >/dev/null 2>&1; then
  cmd=(podman-compose)
else
  echo "compose.sh: no Compose found. Install Docker with the compose plugin, docker-compose," \
    "or Podman with podman-compose (or set COMPOSE_CMD)." >&2
  exit 1
fi
exec "${cmd[@]}" "$@"
