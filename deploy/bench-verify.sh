#!/usr/bin/env bash
# VerifyJob's rows/s beside PostgreSQL's own COPY of the same table (BENCHMARKS.md).
# Arguments go to the benchmark: --rows N (default 1000000), --parallelism P (default 2).
# The job's JSON logs go to stderr; the progress lines and the result table to stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Builds like deploy/local.sh (only when a source or pom changed; WALFLOW_MVN overrides mvn).
# shellcheck source=deploy/lib/runtime.sh
source deploy/lib/runtime.sh
prepare_runtime

exec java ${JAVA_OPTS:-} -Xmx2g -Duser.timezone=UTC -Dlog4j.configurationFile=conf/log4j2.properties \
    -cp "$WALFLOW_CP" dev.walflow.bench.VerifyBenchmark "$@"
