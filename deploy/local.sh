#!/usr/bin/env bash
# Runs walflow on a local Flink cluster with the web UI at http://127.0.0.1:8081.
#
#   deploy/local.sh                        embedded PostgreSQL, demo schema and workload
#   deploy/local.sh --rate 1000            a heavier workload
#   deploy/local.sh --config my.properties against real databases (see conf/example.properties)
#   deploy/local.sh --job verify --config my.properties [--repair]
#                                          compare the targets with the source (VerifyJob, batch)
#   deploy/local.sh --help                 flags and job parameters
#
# Builds first when a source or pom changed since the last build. Ctrl-C stops everything.
# WALFLOW_MVN overrides the Maven command (e.g. "./mvnw" or a wrapper that serialises builds).
# The metrics are served for Prometheus at http://127.0.0.1:9249/metrics (--metrics-port).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=deploy/lib/runtime.sh
source deploy/lib/runtime.sh

# --job replicate (the default) or --job verify; every other argument goes on.
JOB=replicate
ARGS=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --job)
            [[ $# -ge 2 ]] || die "--job needs a value: replicate or verify"
            JOB=$2
            shift 2
            ;;
        --job=*)
            JOB=${1#--job=}
            shift
            ;;
        *)
            ARGS+=("$1")
            shift
            ;;
    esac
done
case $JOB in
    replicate) MAIN=dev.walflow.bench.LocalRun ;;
    verify)
        MAIN=dev.walflow.job.VerifyJob
        [[ " ${ARGS[*]-} " == *" --config "* || " ${ARGS[*]-} " == *" --help "* ]] \
            || die "--job verify checks real databases: give the streaming job's --config FILE"
        ;;
    *) die "unknown --job '$JOB': expected replicate or verify" ;;
esac
set -- "${ARGS[@]+"${ARGS[@]}"}"

prepare_runtime

exec java -Xmx2g -Duser.timezone=UTC -Dlog4j.configurationFile=conf/log4j2.properties \
    -cp "$WALFLOW_CP" "$MAIN" "$@"
