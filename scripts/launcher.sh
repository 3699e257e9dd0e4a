# Sourced by the launchers (jmlx, bench, report, sample): one place for usage messages, "build if stale", the JVM
# flags and running Java.
#
#   . "$root/scripts/launcher.sh"
#   jmlx_usage                                         prints the launcher's usage: its header comment (the lines
#                                                      after the #! line, up to the first line that is no comment)
#   jmlx_usage_error MESSAGE                           "NAME: MESSAGE", then the usage, on stderr; exits with 2
#   jmlx_take_device [ARGS...]                         takes --device VALUE (or --device=VALUE) out of ARGS (up to a
#                                                      --): JMLX_DEVICE holds it for Java as "--device VALUE" (or
#                                                      nothing), JMLX_ARGS the other arguments
#   jmlx_build_if_stale NAME MODULE [SOURCE_DIR...]   builds MODULE (and what it needs) when its class path file is
#                                                      missing or any SOURCE_DIR or pom.xml changed since; prints the
#                                                      build log and returns 1 when the build fails
#   jmlx_class_path MODULE                             MODULE's classes and its dependencies, for -cp
#   jmlx_aot_cache MODULE TRAIN [JVM_ARGS...]          JDK 25's ahead-of-time cache for MODULE (its classes loaded
#                                                      and linked, method profiles: a faster start and warm-up). Sets
#                                                      JMLX_AOT to the JVM flags that use it and JMLX_AOT_CLASS_PATH to
#                                                      the class path it fits (MODULE's jar: the cache takes no
#                                                      folders). Made by TRAIN, a function that runs a typical job on
#                                                      JMLX_AOT_CLASS_PATH with the JVM flags it gets, once per build
#                                                      (and when a jar of the class path changed); none (JMLX_AOT
#                                                      empty) with JMLX_CLASS_PATH, without the jar, or when TRAIN
#                                                      fails (not retried until the next build)
#   jmlx_exec_java [JVM_ARGS...] MAIN [ARGS...]        replaces the launcher by Java on the JDK 25 that
#                                                      scripts/find-jdk.sh finds, with JMLX_JVM_FLAGS
#
# Nothing here looks for a JDK or builds before it is needed, so a launcher answers --help at once.
# JMLX_CLASS_PATH, when set, is the class path to run on instead of building (for packagers, and for the tests that
# run the launchers on the class path of the build that is testing them).

jmlx_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jmlx_launcher=${BASH_SOURCE[1]:-$0}
jmlx_name=$(basename "$jmlx_launcher")

# Every JVM running jmlx: FFM access to native memory, and the Vector API for the fast kernels.
JMLX_JVM_FLAGS=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector)

# The line the JVM prints on every start because of --add-modules jdk.incubator.vector. It is the only line taken
# out of standard error; everything else there passes unchanged.
JMLX_INCUBATOR_WARNING='WARNING: Using incubator modules: jdk.incubator.vector'

jmlx_usage() {
  sed -n '2,/^[^#]/{/^#/!q;s/^# \{0,1\}//;p}' "$jmlx_launcher"
}

jmlx_usage_error() {
  {
    echo "$jmlx_name: $1"
    jmlx_usage
  } >&2
  exit 2
}

jmlx_take_device() {
  JMLX_DEVICE=()
  JMLX_ARGS=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --device=*) JMLX_DEVICE=(--device "${1#--device=}") ;;
      --device)
        [ $# -gt 1 ] || jmlx_usage_error "--device needs a value: cpu or gpu"
        JMLX_DEVICE=(--device "$2")
        shift ;;
      --) JMLX_ARGS+=("$@"); return ;;
      *) JMLX_ARGS+=("$1") ;;
    esac
    shift
  done
}

jmlx_require_java() {
  [ -n "${JMLX_JAVA:-}" ] && return 0
  . "$jmlx_root/scripts/find-jdk.sh"
  JAVA_HOME=$(jmlx_find_jdk) || exit 1
  export JAVA_HOME
  JMLX_JAVA="$JAVA_HOME/bin/java"
}

jmlx_build_if_stale() {
  [ -n "${JMLX_CLASS_PATH:-}" ] && return 0
  jmlx_require_java
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
  if [ -n "${JMLX_CLASS_PATH:-}" ]; then
    printf '%s\n' "$JMLX_CLASS_PATH"
    return 0
  fi
  local target="$jmlx_root/$1/target"
  printf '%s:%s\n' "$target/classes" "$(cat "$target/classpath.txt")"
}

jmlx_aot_cache() {
  JMLX_AOT=()
  JMLX_AOT_CLASS_PATH=
  [ -z "${JMLX_CLASS_PATH:-}" ] || return 0
  local module=$1 train=$2
  shift 2
  local target="$jmlx_root/$module/target"
  local jar="$target/jmlx-$module.jar" cache="$target/jmlx-$module.aot" stamp="$target/classpath.txt"
  [ -f "$jar" ] && [ -f "$stamp" ] || return 0
  JMLX_AOT_CLASS_PATH="$jar:$(cat "$stamp")"
  # Quiet: the training run's notes, and a cache that does not fit this JVM (then it runs without) say nothing.
  local quiet=(-Xlog:aot=off -Xlog:cds=off)
  local entries
  IFS=: read -r -a entries <<<"$JMLX_AOT_CLASS_PATH"
  # A jar rebuilt since (./build package alone does that) no longer fits the cache: make it again.
  if [ ! -f "$cache" ] || [ -n "$(find "$stamp" "${entries[@]}" -newer "$cache" -print -quit 2>/dev/null)" ]; then
    [ -f "$cache.failed" ] && [ -z "$(find "$stamp" "${entries[@]}" -newer "$cache.failed" -print -quit 2>/dev/null)" ] &&
      return 0
    echo "$jmlx_name: preparing a faster start (once per build)..." >&2
    local temp="$cache.$$.tmp"
    rm -f "$cache" "$cache.failed"
    if "$train" -XX:AOTCacheOutput="$temp" "${quiet[@]}" "$@" >/dev/null 2>&1 && [ -f "$temp" ]; then
      mv -f "$temp" "$cache"
    else
      rm -f "$temp" "$temp.config"
      touch "$cache.failed"
      return 0
    fi
  fi
  JMLX_AOT=(-XX:AOTCache="$cache" "${quiet[@]}")
}

# Standard error goes through a filter that drops JMLX_INCUBATOR_WARNING. The filter ignores Ctrl-C, so that what
# Java prints while it stops (a cleanup message, an error) still gets through; it ends when Java closes stderr.
jmlx_exec_java() {
  jmlx_require_java
  exec "$JMLX_JAVA" "${JMLX_JVM_FLAGS[@]}" "$@" \
    2> >(trap '' INT; exec grep --line-buffered -v -x -F -e "$JMLX_INCUBATOR_WARNING" >&2)
}
