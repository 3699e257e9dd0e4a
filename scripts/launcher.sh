# Sourced by the launchers (jmlx, bench, report, sample): one place for "build if stale" and the JVM flags.
#
#   . "$root/scripts/launcher.sh"
#   jmlx_build_if_stale NAME MODULE [SOURCE_DIR...]   builds MODULE (and what it needs) when its class path file is
#                                                      missing or any SOURCE_DIR or pom.xml changed since; prints the
#                                                      build log and returns 1 when the build fails
#   jmlx_class_path MODULE                             MODULE's classes and its dependencies, for -cp
#   "$JMLX_JAVA" "${JMLX_JVM_FLAGS[@]}" -cp ... Main   runs on the JDK 25 found by scripts/find-jdk.sh

jmlx_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$jmlx_root/scripts/find-jdk.sh"
JAVA_HOME=$(jmlx_find_jdk) || exit 1
export JAVA_HOME
JMLX_JAVA="$JAVA_HOME/bin/java"

# Every JVM running jmlx: FFM access to native memory, and the Vector API for the fast kernels.
JMLX_JVM_FLAGS=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector)

jmlx_build_if_stale() {
  local name=$1 module=$2
  shift 2
  local target="$jmlx_root/$module/target"
  local stamp="$target/classpath.txt"
  local sources=("$jmlx_root/$module/src/main" "$@")
  local poms=()
  local dir
  for dir in "$module" "${sources[@]}"; do
    dir=${dir#"$jmlx_root/"}
    [ -f "$jmlx_root/${dir%%/src/*}/pom.xml" ] && poms+=("$jmlx_root/${dir%%/src/*}/pom.xml")
  done
  if [ -f "$stamp" ] && [ -z "$(find "${sources[@]}" "${poms[@]}" "$jmlx_root/pom.xml" -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  echo "$name: building $module (first use or sources changed)..." >&2
  mkdir -p "$target"
  local log="$target/launcher-build.log"
  if ! "$jmlx_root/build" -q -DskipTests -Dspotless.check.skip=true -pl "$module" -am package \
      dependency:build-classpath -Dmdep.outputFile="$stamp.tmp" >"$log" 2>&1; then
    cat "$log" >&2
    echo "$name: the build failed; the log above is also in $log" >&2
    return 1
  fi
  mv "$stamp.tmp" "$stamp"
}

jmlx_class_path() {
  local target="$jmlx_root/$1/target"
  printf '%s:%s\n' "$target/classes" "$(cat "$target/classpath.txt")"
}
