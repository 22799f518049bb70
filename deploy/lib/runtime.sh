# Sourced by deploy/local.sh, status.sh and slot.sh: builds walflow when a source or pom changed
# since the last build, and sets WALFLOW_CP to the classes of its modules plus their runtime
# dependencies (Flink included). Messages go to stderr, so a tool's JSON on stdout stays clean.
# WALFLOW_MVN overrides the Maven command (e.g. "./mvnw" or a wrapper that serialises builds).

MVN=${WALFLOW_MVN:-mvn}
MODULES=(testkit udfs job bench)
STAMP=bench/target/.built-stamp
CLASSPATH_FILE=bench/target/classpath.txt

die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

check_java_and_maven() {
    command -v java >/dev/null || die "java not found: install a JDK 17 or newer"
    local java_version
    java_version=$(java -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = //p')
    [[ ${java_version%%.*} =~ ^[0-9]+$ && ${java_version%%.*} -ge 17 ]] \
        || die "java ${java_version:-of unknown version} found, walflow needs 17 or newer"
    command -v "${MVN%% *}" >/dev/null || die "'${MVN%% *}' not found: install Maven 3.8 or newer"
}

# Maven prints stray colour resets even with -q -B; keep its output to real messages.
run_quiet() {
    "$@" 2>&1 | sed -u 's/\x1b\[0m//g' >&2
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

prepare_runtime() {
    check_java_and_maven
    if needs_build; then
        echo "Building walflow (first run takes a minute)..." >&2
        local start=$SECONDS
        # Stamped with the time the build started: a file saved during the build counts as newer.
        mkdir -p bench/target
        touch "$STAMP.next"
        run_quiet $MVN -q -B -Pfast install -DskipTests || die "the build failed (see above)"
        mv "$STAMP.next" "$STAMP"
        echo "Built in $((SECONDS - start)) s." >&2
    fi
    if [[ ! -s $CLASSPATH_FILE || -n $(find pom.xml "${MODULES[@]/%//pom.xml}" \
        -newer "$CLASSPATH_FILE" -print -quit) ]]; then
        echo "Resolving the runtime classpath..." >&2
        # walflow's own modules come from their target/classes below, not from the local
        # repository (where the job is the shaded jar).
        run_quiet $MVN -q -B dependency:build-classpath -pl bench -DexcludeGroupIds=dev.walflow \
            -Dmdep.outputFile="$PWD/$CLASSPATH_FILE" \
            || die "resolving the classpath failed (see above)"
    fi
    WALFLOW_CP=bench/target/classes:testkit/target/classes:job/target/classes:udfs/target/classes:$(cat "$CLASSPATH_FILE")
}
