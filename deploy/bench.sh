#!/usr/bin/env bash
# walflow's snapshot and streaming rates beside PostgreSQL's own limits (pg_recvlogical, COPY),
# in one run on an embedded PostgreSQL (BENCHMARKS.md). Needs pg_recvlogical and pgbench: from
# PATH or /usr/lib/postgresql/*/bin; as root the runner installs Debian's postgresql-client and
# postgresql-contrib when they are missing. Arguments go to the runner:
#   --quick (smoke sizes), --snapshot-rows 1000000,10000000|none, --stream-events 1000000,
#   --latency-seconds 20, --modes exactly-once,at-least-once|none, --workloads bulk,mix,pgbench,toast,
#   --stages capture,connector|none (walflow's stages alone on the same rows),
#   --out bench/results, --job-arg --key=value (extra job parameters).
# Writes the table to stdout and to bench/results/results.md, the chart to
# bench/results/postgres-benchmark.png. The job's JSON logs go to stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Builds like deploy/local.sh (only when a source or pom changed; WALFLOW_MVN overrides mvn).
# shellcheck source=deploy/lib/runtime.sh
source deploy/lib/runtime.sh
prepare_runtime

export WALFLOW_COMMIT=${WALFLOW_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
exec java ${JAVA_OPTS:-} -Xmx1g -Duser.timezone=UTC -Dlog4j.configurationFile=conf/log4j2.properties \
    -cp "$WALFLOW_CP" dev.walflow.bench.postgres.PostgresBenchmark "$@"
