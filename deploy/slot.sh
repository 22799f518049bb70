#!/usr/bin/env bash
# walflow's slot, publication and prepared transactions, as JSON:
#
#   deploy/slot.sh --config FILE list          slots and publications of the source, prepared transactions
#   deploy/slot.sh --config FILE create        create the publication and the slot (as the job does at start)
#   deploy/slot.sh --config FILE drop [--yes]  drop the slot (and leftover <slot>_<n>) and the publication
#   deploy/slot.sh --config FILE prepared      walflow's prepared transactions on the targets
#   deploy/slot.sh --config FILE rollback (GID... | --all) [--yes]
#   deploy/slot.sh --config FILE commit GID... [--yes]
#
# Without --yes a changing command only says what it would do. Dropping the slot means the job
# must start again without state (a new snapshot). Rolling back a prepared transaction is safe
# only if the job will never be resumed from the checkpoint that holds it (see README, Operating).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=deploy/lib/runtime.sh
source deploy/lib/runtime.sh
prepare_runtime

exec java -Duser.timezone=UTC -Dlog4j.configurationFile=conf/log4j2.properties \
    -cp "$WALFLOW_CP" dev.walflow.job.ops.SlotCommand "$@"
