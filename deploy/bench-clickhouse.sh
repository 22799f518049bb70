#!/usr/bin/env bash
# The ClickHouse sink's rows/s beside direct inserts into the same engine (BENCHMARKS.md).
# Needs what deploy/test.sh installs (the ClickHouse engine under testkit/clickhouse). Arguments
# go to the benchmark: --rows N (snapshot, default 200000), --stream-rows N (default 100000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -Pfast install -DskipTests
mvn -q -B -pl bench org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
    -Dexec.mainClass=dev.walflow.bench.ClickHouseBenchmark -Dexec.args="$*"
