#!/usr/bin/env bash
# Prints how a walflow job stands, as JSON: the slot and its lag (write, flush, replay), the WAL
# it retains, each target's committed position and its age, walflow's prepared transactions,
# and from Flink's REST API the job's state, last completed checkpoint and failures by type.
# "problems" lists what needs an operator; "healthy" is true when it is empty.
#
#   deploy/status.sh --config conf/example.properties
#   deploy/status.sh --config FILE --flink-rest http://flink-jobmanager:8081 [--flink-job NAME_OR_ID]
#
# Job parameters (--key value) override the file as for the job; --flink-rest defaults to
# http://localhost:8081, --flink-job to job.name. Builds first when needed (see deploy/local.sh).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=deploy/lib/runtime.sh
source deploy/lib/runtime.sh
prepare_runtime

exec java -Duser.timezone=UTC -Dlog4j.configurationFile=conf/log4j2.properties \
    -cp "$WALFLOW_CP" dev.walflow.job.ops.StatusCommand "$@"
