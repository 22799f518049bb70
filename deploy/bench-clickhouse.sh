#!/usr/bin/env bash
# The ClickHouse sink's rows/s beside direct inserts into the same engine (BENCHMARKS.md).
# Needs what deploy/test.sh installs (the ClickHouse engine under testkit/clickhouse), or
# CLICKHOUSE_TEST_URL naming a ClickHouse server. Arguments go to the benchmark:
#   --rows N (snapshot, default 200000), --stream-rows N (default 100000).
# The job's JSON logs go to stderr; the progress lines and the result table to stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Builds like deploy/local.sh (only when a source or pom changed; WALFLOW_MVN overrides mvn).
# shellcheck source=deploy/lib/runtime.sh
source deploy/lib/runtime.sh
prepare_runtime

exec java ${JAVA_OPTS:-} -Xmx2g -Duser.timezone=UTC -Dlog4j.configurationFile=conf/log4j2.properties \
    -cp "$WALFLOW_CP" dev.walflow.bench.ClickHouseBenchmark "$@"
