#!/usr/bin/env bash
# Installs jmlx's library modules (./build install: jars, sources and Javadoc jars, the BOM) into a scratch local
# repository chained to ~/.m2, then builds and runs two projects outside the reactor against what was installed:
# a Java module on the module path (scripts/consumer/java) and a Kotlin program (scripts/consumer/kotlin).
# Run by .ci/run after the tests; by hand: scripts/consumer-check.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/find-jdk.sh"
JAVA_HOME=$(jmlx_find_jdk) || exit 1
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo="$work/repository"
mvn=("$root/mvnw" -B -q -Dmaven.repo.local="$repo" -Dmaven.repo.local.tail="$HOME/.m2/repository")

echo "consumer-check: installing jmlx into $repo"
"${mvn[@]}" -f "$root/pom.xml" -DskipTests -pl :jmlx-parent,bom,core-java,cli,kotlin-dsl,models,metal-bridge install
version=0.1.0-SNAPSHOT
for module in jmlx-core jmlx-cli jmlx-kotlin jmlx-models jmlx-metal-bridge; do
  for kind in "" -sources -javadoc; do
    jar="$repo/io/jmlx/$module/$version/$module-$version$kind.jar"
    [ -s "$jar" ] || { echo "consumer-check: FAILED: $jar was not installed" >&2; exit 1; }
  done
done
[ -s "$repo/io/jmlx/jmlx-bom/$version/jmlx-bom-$version.pom" ] || { echo "consumer-check: FAILED: no BOM" >&2; exit 1; }

cp -r "$root/scripts/consumer" "$work/consumer"
# On the module path the core is the named module io.jmlx.core; on the class path it is unnamed.
module_flags=(--enable-native-access=ALL-UNNAMED,io.jmlx.core --add-modules jdk.incubator.vector)
class_path_flags=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector)

echo "consumer-check: a Java module against the installed jars"
"${mvn[@]}" -f "$work/consumer/java/pom.xml" package dependency:build-classpath -Dmdep.outputFile=modules.txt
"$JAVA_HOME/bin/java" "${module_flags[@]}" -p "$work/consumer/java/target/classes:$(cat "$work/consumer/java/modules.txt")" \
  -m consumer.java/consumer.Main

echo "consumer-check: a Kotlin program against the installed jars"
"${mvn[@]}" -f "$work/consumer/kotlin/pom.xml" package dependency:build-classpath -Dmdep.outputFile=classpath.txt
"$JAVA_HOME/bin/java" "${class_path_flags[@]}" \
  -cp "$work/consumer/kotlin/target/classes:$(cat "$work/consumer/kotlin/classpath.txt")" consumer.MainKt
echo "consumer-check: ok"
