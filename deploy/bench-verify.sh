#!/usr/bin/env bash
# VerifyJob's rows/s beside PostgreSQL's own COPY of the same table (BENCHMARKS.md).
# Arguments go to the benchmark: --rows N (default 1000000), --parallelism P (default 2).
# The job's JSON logs go to stderr; the progress lines and the result table to stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MVN=${MVN:-mvn}
CLASSPATH_FILE=bench/target/classpath.txt

echo "Building walflow..."
$MVN -q -B -Pfast package -DskipTests -pl bench -am
# walflow's own modules come from target/classes; -am resolves them in this build.
$MVN -q -B dependency:build-classpath -pl bench -am -DexcludeGroupIds=dev.walflow \
    -Dmdep.outputFile="$PWD/$CLASSPATH_FILE"

CP=bench/target/classes:testkit/target/classes:job/target/classes:udfs/target/classes
exec java ${JAVA_OPTS:-} -Xmx2g -Duser.timezone=UTC -Dlog4j.configurationFile=conf/log4j2.properties \
    -cp "$CP:$(cat "$CLASSPATH_FILE")" dev.walflow.bench.VerifyBenchmark "$@"
