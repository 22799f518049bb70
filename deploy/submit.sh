#!/usr/bin/env bash
# Submits walflow's shaded jar to a running Flink 1.20 cluster and prints the new job's id.
# See `deploy/submit.sh --help`, and README.md "On a Flink cluster".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENTRY_CLASS=dev.walflow.job.ReplicationJob

usage() {
    cat <<EOF
Usage: deploy/submit.sh [options] [--] [job parameters]

Submits walflow to a running Flink cluster and prints the job id on stdout.
With the flink CLI on the PATH (and no --rest), it runs 'flink run --detached'. Otherwise it
uses the JobManager's REST API: POST /jars/upload, then POST /jars/<id>/run.

Options:
  --jar PATH          the shaded job jar
                      (default: job/target/walflow-job-0.1.0-SNAPSHOT.jar; build: mvn -Pfast package)
  --config FILE       walflow's parameters as a properties file (conf/example.properties).
                      The CLI passes it on as --config FILE (main() runs on this machine);
                      REST runs main() on the JobManager, so the file's entries are sent as
                      --key value program arguments instead.
  --rest URL          the JobManager's REST address, e.g. http://flink-jobmanager:8081; uses
                      the REST API even when flink is on the PATH
                      (REST default: \$FLINK_REST_URL, else http://localhost:8081)
  --savepoint PATH    resume from this savepoint or retained checkpoint
  --allow-non-restored-state
                      resume even if the savepoint holds state no operator takes
  --parallelism N     the job's default parallelism
  -h, --help          this text

Job parameters (--key value) follow the options, optionally after '--', and override the
file's. Passwords are best left to the environment of the cluster's processes
(WALFLOW_SOURCE_PASSWORD, WALFLOW_SINK_POSTGRES_PASSWORD, ...): program arguments are shown
in the Flink web UI. 'deploy/local.sh --help' lists every job parameter.

Examples:
  deploy/submit.sh --config walflow.properties
  deploy/submit.sh --rest http://127.0.0.1:8081 --config walflow.properties --job.name shop
  deploy/submit.sh --savepoint s3://bucket/savepoints/savepoint-1a2b3c-0123456789ab --config walflow.properties
EOF
}

die() {
    echo "submit.sh: $*" >&2
    exit 1
}

say() {
    echo "submit.sh: $*" >&2
}

jar="$ROOT/job/target/walflow-job-0.1.0-SNAPSHOT.jar"
config=""
rest=""
savepoint=""
allow_non_restored=false
parallelism=""
job_args=()

while [[ $# -gt 0 ]]; do
    case $1 in
        -h | --help) usage; exit 0 ;;
        --jar) [[ $# -ge 2 ]] || die "--jar needs a path"; jar=$2; shift 2 ;;
        --config) [[ $# -ge 2 ]] || die "--config needs a file"; config=$2; shift 2 ;;
        --rest) [[ $# -ge 2 ]] || die "--rest needs a URL, e.g. http://localhost:8081"; rest=$2; shift 2 ;;
        --savepoint) [[ $# -ge 2 ]] || die "--savepoint needs a path"; savepoint=$2; shift 2 ;;
        --allow-non-restored-state) allow_non_restored=true; shift ;;
        --parallelism) [[ $# -ge 2 ]] || die "--parallelism needs a number"; parallelism=$2; shift 2 ;;
        --) shift; job_args+=("$@"); break ;;
        *) job_args+=("$@"); break ;;
    esac
done

[[ -f $jar ]] || die "job jar $jar not found: build it with 'mvn -B -Pfast package', or pass --jar PATH"
[[ -z $config || -f $config ]] || die "--config $config: no such file"
[[ -z $parallelism || $parallelism =~ ^[1-9][0-9]*$ ]] \
    || die "--parallelism $parallelism: expected a positive whole number"
[[ -z $rest || $rest =~ ^https?:// ]] || die "--rest $rest: expected a URL such as http://localhost:8081"

# --- flink CLI -----------------------------------------------------------------------------

submit_with_cli() {
    local cmd=(flink run --detached --class "$ENTRY_CLASS")
    [[ -n $savepoint ]] && cmd+=(--fromSavepoint "$savepoint")
    [[ $allow_non_restored == true ]] && cmd+=(--allowNonRestoredState)
    [[ -n $parallelism ]] && cmd+=(--parallelism "$parallelism")
    cmd+=("$jar")
    [[ -n $config ]] && cmd+=(--config "$config")
    cmd+=("${job_args[@]}")
    say "running: ${cmd[*]}"
    local output status=0
    output=$("${cmd[@]}" 2>&1) || status=$?
    echo "$output" >&2
    [[ $status -eq 0 ]] || die "flink run failed with exit code $status (see above)"
    local job_id
    job_id=$(sed -n 's/.*JobID \([0-9a-f]\{32\}\).*/\1/p' <<<"$output" | tail -1)
    [[ -n $job_id ]] || die "flink run printed no JobID (see above)"
    echo "$job_id"
}

# --- REST API ------------------------------------------------------------------------------

json_string() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    s=${s//$'\r'/\\r}
    s=${s//$'\t'/\\t}
    printf '"%s"' "$s"
}

# Appends the entries of the --config file to args as --key value pairs: "key = value",
# "key=value" or "key: value" lines; '#' and '!' start comments. Backslash escapes and continued
# lines are not supported (walflow's parameters need neither).
append_properties() {
    local line key value n=0
    while IFS= read -r line || [[ -n $line ]]; do
        n=$((n + 1))
        line=${line#"${line%%[![:space:]]*}"}
        [[ -z $line || $line == \#* || $line == \!* ]] && continue
        if [[ $line =~ ^([^=:[:space:]]+)[[:space:]]*[=:][[:space:]]*(.*)$ ]]; then
            key=${BASH_REMATCH[1]}
            value=${BASH_REMATCH[2]}
            value=${value%"${value##*[![:space:]]}"}
        else
            die "$config line $n: expected key = value, got: $line"
        fi
        [[ $key == *password* ]] && say "warning: $key from $config becomes a program argument," \
            "visible in the Flink web UI; prefer the WALFLOW_*_PASSWORD environment variables on the cluster"
        args+=("--$key" "$value")
    done <"$config"
}

# Runs curl; on success prints the body, otherwise dies with the status and Flink's errors.
call() {
    local what=$1 body status
    shift
    body=$(mktemp)
    status=$(curl -sS -o "$body" -w '%{http_code}' "$@") || {
        rm -f "$body"
        die "$what: cannot reach the Flink REST API at $rest (is the cluster running? set --rest or FLINK_REST_URL)"
    }
    if [[ ${status:0:1} != 2 ]]; then
        local errors
        errors=$(cat "$body")
        rm -f "$body"
        die "$what: Flink answered HTTP $status: $errors"
    fi
    cat "$body"
    rm -f "$body"
}

submit_with_rest() {
    rest=${rest:-${FLINK_REST_URL:-http://localhost:8081}}
    rest=${rest%/}
    args=()
    if [[ -n $config ]]; then
        append_properties
    fi
    args+=("${job_args[@]}")

    say "uploading $(basename "$jar") ($(du -h "$jar" | cut -f1)) to $rest"
    local answer jar_id
    answer=$(call "upload of $jar" -X POST -H "Expect:" \
        -F "jarfile=@$jar;type=application/x-java-archive" "$rest/jars/upload")
    jar_id=$(sed -n 's/.*"filename":"[^"]*\/\([^"/]*\)".*/\1/p' <<<"$answer")
    [[ -n $jar_id ]] || die "upload of $jar: unexpected answer from Flink: $answer"

    local arg json="{\"entryClass\":\"$ENTRY_CLASS\",\"programArgsList\":[" sep=""
    for arg in "${args[@]}"; do
        json+="$sep$(json_string "$arg")"
        sep=","
    done
    json+="]"
    [[ -n $savepoint ]] && json+=",\"savepointPath\":$(json_string "$savepoint")"
    [[ $allow_non_restored == true ]] && json+=",\"allowNonRestoredState\":true"
    [[ -n $parallelism ]] && json+=",\"parallelism\":$parallelism"
    json+="}"

    say "running $jar_id${savepoint:+ from $savepoint}"
    answer=$(call "run of $jar_id" -X POST -H "Content-Type: application/json" \
        --data-binary "$json" "$rest/jars/$jar_id/run")
    local job_id
    job_id=$(sed -n 's/.*"jobid":"\([0-9a-f]*\)".*/\1/p' <<<"$answer")
    [[ -n $job_id ]] || die "run of $jar_id: unexpected answer from Flink: $answer"
    say "submitted: $rest/#/job/running/$job_id/overview"
    echo "$job_id"
}

if [[ -z $rest ]] && command -v flink >/dev/null; then
    submit_with_cli
else
    command -v curl >/dev/null || die "neither the flink CLI nor curl found on the PATH"
    submit_with_rest
fi
