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
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

MVN=${WALFLOW_MVN:-mvn}
MODULES=(testkit udfs job bench)
STAMP=bench/target/.built-stamp
CLASSPATH_FILE=bench/target/classpath.txt

die() {
    echo "local.sh: $*" >&2
    exit 1
}

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

command -v java >/dev/null || die "java not found: install a JDK 17 or newer"
java_version=$(java -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = //p')
[[ ${java_version%%.*} =~ ^[0-9]+$ && ${java_version%%.*} -ge 17 ]] \
    || die "java ${java_version:-of unknown version} found, walflow needs 17 or newer"
command -v "${MVN%% *}" >/dev/null || die "'${MVN%% *}' not found: install Maven 3.8 or newer"

# Maven prints stray colour resets even with -q -B; keep its output to real messages.
run_quiet() {
    "$@" 2>&1 | sed -u 's/\x1b\[0m//g'
}

needs_build() {
    local m
    [[ -f $STAMP ]] || return 0
    for m in "${MODULES[@]}"; do
        [[ -d $m/target/classes ]] || return 0
    done
    [[ -n $(find pom.xml "${MODULES[@]/%//pom.xml}" "${MODULES[@]/%//src}" \
        -newer "$STAMP" -type f -print -quit 2>/dev/null) ]]
}

if needs_build; then
    echo "Building walflow (first run takes a minute)..."
    start=$SECONDS
    # Stamped with the time the build started: a file saved during the build counts as newer.
    mkdir -p bench/target
    touch "$STAMP.next"
    run_quiet $MVN -q -B -Pfast install -DskipTests || die "the build failed (see above)"
    mv "$STAMP.next" "$STAMP"
    echo "Built in $((SECONDS - start)) s."
fi

if [[ ! -s $CLASSPATH_FILE || -n $(find pom.xml "${MODULES[@]/%//pom.xml}" \
    -newer "$CLASSPATH_FILE" -print -quit) ]]; then
    echo "Resolving the runtime classpath..."
    # walflow's own modules come from their target/classes below, not from the local
    # repository (where the job is the shaded jar).
    run_quiet $MVN -q -B dependency:build-classpath -pl bench -DexcludeGroupIds=dev.walflow \
        -Dmdep.outputFile="$PWD/$CLASSPATH_FILE" \
        || die "resolving the classpath failed (see above)"
fi

CP=bench/target/classes:testkit/target/classes:job/target/classes:udfs/target/classes
exec java -Xmx2g -Duser.timezone=UTC -Dlog4j.configurationFile=conf/log4j2.properties \
    -cp "$CP:$(cat "$CLASSPATH_FILE")" "$MAIN" "$@"
