#!/usr/bin/env bash
# The one command that runs every test: unit tests (Surefire, *Test) and integration tests
# (Failsafe, *ITCase: MiniCluster, embedded PostgreSQL; in e2e/ a standalone Flink cluster and
# headless Chromium) of every module. CI runs it through .ci/run; run it yourself before
# pushing. Arguments go to Maven, e.g.
#   deploy/test.sh -pl job -Dit.test=PreflightITCase
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() {
    printf '\n==> %s\n' "$*"
}

die() {
    echo "test.sh: $*" >&2
    exit 1
}

# --- Tools -------------------------------------------------------------------------------

check_tools() {
    command -v java >/dev/null || die "java not found: install a JDK 17 or newer"
    local version
    version=$(java -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = //p')
    [[ ${version%%.*} =~ ^[0-9]+$ && ${version%%.*} -ge 17 ]] \
        || die "java ${version:-of unknown version} found, walflow needs 17 or newer"
    command -v mvn >/dev/null || die "mvn not found: install Maven 3.8 or newer"
    echo "java $version, $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g')"
}

# --- What the tests need besides Maven's artifacts -----------------------------------------
# Each later need (npm packages, a browser for client tests...) gets its own function here,
# called from install_test_dependencies, and must be safe to run again on a prepared machine.

install_test_dependencies() {
    # PostgreSQL and the Flink cluster of the e2e test come from Maven artifacts.
    install_chdb
    install_chromium
}

# chdb, the ClickHouse engine as a Node library, under the ClickHouse test front end
# (testkit/clickhouse/server.mjs, started by ClickHouseServer). About 550 MB, installed once;
# again only when package.json pins another version. `npm install`, not `npm ci`: chdb's
# optional packages for other platforms are not all published.
install_chdb() {
    local dir=testkit/clickhouse wanted installed start=$SECONDS
    command -v node >/dev/null && command -v npm >/dev/null \
        || die "node and npm not found: install Node.js 18 or newer (for the ClickHouse ITCases)"
    wanted=$(cd "$dir" && node -p "require('./package.json').dependencies.chdb")
    installed=$(cd "$dir" && node -p "require('./node_modules/chdb/package.json').version" \
        2>/dev/null || true)
    if [[ $installed == "$wanted" ]]; then
        echo "chdb $installed already installed in $dir/node_modules"
        return
    fi
    echo "Installing chdb $wanted into $dir/node_modules (about 550 MB; once per machine)..."
    (cd "$dir" && npm install --no-audit --no-fund) || die "npm install failed in $dir"
    echo "chdb $wanted installed in $((SECONDS - start)) s" \
        "($(du -sh "$dir/node_modules" | cut -f1))"
}

# Debian's Chromium, which the e2e test (e2e/, ClusterDeploymentITCase) runs headless to check
# the Flink web UI and keep a screenshot of it. Installed once, with apt-get (as root, or
# through sudo).
install_chromium() {
    if [[ -x /usr/bin/chromium ]] || command -v chromium >/dev/null; then
        echo "chromium already installed: $(chromium --version 2>/dev/null || echo /usr/bin/chromium)"
        return
    fi
    command -v apt-get >/dev/null \
        || die "chromium not found: install Chromium (the e2e test runs it headless), or pass -De2e.chromium=PATH"
    local sudo=() start=$SECONDS
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || die "chromium not found, and installing it needs root: apt-get install chromium"
        sudo=(sudo)
    fi
    echo "Installing Debian's chromium (once per machine)..."
    "${sudo[@]}" apt-get update -qq || die "apt-get update failed"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
        || die "apt-get install chromium failed"
    echo "chromium installed in $((SECONDS - start)) s: $(chromium --version 2>/dev/null)"
}

# --- Tests ---------------------------------------------------------------------------------

run_maven() {
    # Reports of an earlier run would count in the summary.
    rm -rf -- */target/surefire-reports */target/failsafe-reports
    local status=0
    mvn -B -ntp verify "$@" || status=$?
    return "$status"
}

# Sums the Surefire and Failsafe XML reports: "walflow: N passed, N failed, N skipped".
summary() {
    local files
    files=$(find . -path '*/target/*-reports/TEST-*.xml' 2>/dev/null || true)
    if [[ -z $files ]]; then
        echo "walflow: no test reports found"
        return
    fi
    # shellcheck disable=SC2086
    awk '
        /<testsuite[ >]/ {
            for (i = 1; i <= NF; i++) {
                if (match($i, /^(tests|failures|errors|skipped)="[0-9]+"/)) {
                    split($i, kv, "\"")
                    key = substr($i, 1, index($i, "=") - 1)
                    sum[key] += kv[2]
                }
            }
        }
        END {
            failed = sum["failures"] + sum["errors"]
            passed = sum["tests"] - failed - sum["skipped"]
            printf "walflow: %d passed, %d failed, %d skipped\n", passed, failed, sum["skipped"]
        }' $files
}

main() {
    local start=$SECONDS status=0
    step "Checking tools"
    check_tools
    step "Installing test dependencies"
    install_test_dependencies
    step "mvn verify $*"
    run_maven "$@" || status=$?
    step "Summary ($((SECONDS - start)) s)"
    summary
    if [[ $status -ne 0 ]]; then
        echo "FAILED: mvn verify exited with $status (see above)"
    fi
    return "$status"
}

main "$@"
