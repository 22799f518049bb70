#!/usr/bin/env bash
# Regenerates the job-parameter table in README.md from the option declarations.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -Pfast install -pl job -am
mvn -q -B -pl job org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
    -Dexec.mainClass=dev.walflow.job.config.OptionsDoc -Dexec.classpathScope=test -Dexec.args=.
