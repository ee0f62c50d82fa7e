#!/usr/bin/env bash
# cluster.sh: the shape of a real deployment on one machine (make cluster).
# Four MinIO servers in distributed mode (one erasure set across their
# drives), three eingang gateways on one bucket, Prometheus scraping all
# three. Everything listens on 127.0.0.1 only, runs in the foreground
# until Ctrl-C, and is stopped by PID.
#
#   deploy/cluster.sh BIN MINIO [STATE_DIR]
#
# Ports: MinIO 19101-19104, gateways 18081-18083, Prometheus 19190
# (override with CLUSTER_BASE, default 18080: gateways BASE+1..3, MinIO
# BASE+1021..1024, Prometheus BASE+1110).
set -euo pipefail
BIN=$(realpath "$1"); MINIO=$(realpath "$2")
STATE=${3:-$(mktemp -d /tmp/eingang-cluster.XXXXXX)}
BASE=${CLUSTER_BASE:-18080}
mkdir -p "$STATE"
pids=()
stop() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	echo "stopped; data kept in $STATE"
}
trap stop EXIT INT TERM

export MINIO_ROOT_USER=eingang MINIO_ROOT_PASSWORD=eingang-cluster-secret
# Drives on the root filesystem are refused in distributed mode unless
# MinIO runs for tests (MINIO_CI_CD); a real cluster has a disk per drive.
export MINIO_CI_CD=1 MINIO_BROWSER=off MINIO_UPDATE=off MINIO_PROMETHEUS_AUTH_TYPE=public
drives=()
for i in 1 2 3 4; do drives+=("http://127.0.0.1:$((BASE + 1020 + i))$STATE/minio/d$i"); done
for i in 1 2 3 4; do
	mkdir -p "$STATE/minio/d$i"
	_MINIO_SERVER_LOCAL=127.0.0.1:$((BASE + 1020 + i)) "$MINIO" server "${drives[@]}" \
		--address 127.0.0.1:$((BASE + 1020 + i)) --console-address 127.0.0.1:$((BASE + 1030 + i)) --quiet \
		>"$STATE/minio$i.log" 2>&1 &
	pids+=($!)
done
for i in 1 2 3 4; do
	until curl -sf "http://127.0.0.1:$((BASE + 1020 + i))/minio/health/cluster" >/dev/null; do sleep 0.3; done
done
echo "MinIO cluster: 127.0.0.1:$((BASE + 1021))..$((BASE + 1024)) (logs in $STATE/minio*.log)"

export EINGANG_S3_ACCESS_KEY=$MINIO_ROOT_USER EINGANG_S3_SECRET_KEY=$MINIO_ROOT_PASSWORD
targets=""
for i in 1 2 3; do
	printf 'instance: gw%d\n' "$i" >"$STATE/gw$i.yaml"
	# Each gateway talks to its own MinIO node; behind a real load balancer
	# they would share one MinIO address.
	"$BIN" serve --addr 127.0.0.1:$((BASE + i)) --config "$STATE/gw$i.yaml" \
		--store "s3://eingang-archive?endpoint=127.0.0.1:$((BASE + 1020 + i))&secure=false" \
		>"$STATE/gw$i.log" 2>&1 &
	pids+=($!)
	targets="$targets'127.0.0.1:$((BASE + i))',"
done
for i in 1 2 3; do
	until curl -sf "http://127.0.0.1:$((BASE + i))/readyz" >/dev/null; do sleep 0.3; done
done
echo "gateways: http://127.0.0.1:$((BASE + 1)) http://127.0.0.1:$((BASE + 2)) http://127.0.0.1:$((BASE + 3)) (logs in $STATE/gw*.log)"

if command -v prometheus >/dev/null; then
	cat >"$STATE/prometheus.yml" <<YAML
global: {scrape_interval: 5s}
scrape_configs:
  - job_name: eingang
    static_configs: [{targets: [${targets%,}]}]
  - job_name: minio
    metrics_path: /minio/v2/metrics/cluster
    static_configs: [{targets: ['127.0.0.1:$((BASE + 1021))']}]
YAML
	prometheus --config.file="$STATE/prometheus.yml" --storage.tsdb.path="$STATE/prometheus" \
		--web.listen-address=127.0.0.1:$((BASE + 1110)) >"$STATE/prometheus.log" 2>&1 &
	pids+=($!)
	echo "Prometheus: http://127.0.0.1:$((BASE + 1110)) (scrapes the three gateways)"
fi
echo "Ctrl-C stops everything."
wait
