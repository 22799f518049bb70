#!/usr/bin/env bash
# The ClickHouse sink's rows/s beside direct inserts into the same engine (BENCHMARKS.md).
# Needs what deploy/test.sh installs (the ClickHouse engine under testkit/clickhouse), or
# CLICKHOUSE_TEST_URL naming a ClickHouse server. Arguments go to the benchmark:
#   --rows N (snapshot, default 200000), --stream-rows N (default 100000).
# The job's JSON logs go to stderr; the progress lines and the result table to stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MVN=${MVN:-mvn}
CLASSPATH_FILE=bench/target/classpath.txt

echo "Building walflow..."
$MVN -q -B -Pfast install -DskipTests
# walflow's own modules come from target/classes (in the local repository the job is shaded).
$MVN -q -B dependency:build-classpath -pl bench -DexcludeGroupIds=dev.walflow \
    -Dmdep.outputFile="$PWD/$CLASSPATH_FILE"

CP=bench/target/classes:testkit/target/classes:job/target/classes:udfs/target/classes
exec java ${JAVA_OPTS:-} -Xmx2g -Duser.timezone=UTC -Dlog4j.configurationFile=conf/log4j2.properties \
    -cp "$CP:$(cat "$CLASSPATH_FILE")" dev.walflow.bench.ClickHouseBenchmark "$@"
