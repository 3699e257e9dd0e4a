# Sourced by ./build and ./jmlx: finds a JDK 25 or newer and prints its home.
#
# Order: $JAVA_HOME (when it is 25+), the `java` on PATH, then the usual install folders
# (/usr/lib/jvm, /opt, SDKMAN, macOS). When none qualifies it prints one line saying what is needed
# and returns 1.

jmlx_required_jdk=25

# Prints the feature release (17, 25, ...) of the JDK at $1, or nothing.
jmlx_jdk_major() {
  local home=$1 version=
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -r "$home/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  fi
  if [ -z "$version" ]; then
    version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  version=${version#1.}
  printf '%s\n' "${version%%[.+-]*}"
}

jmlx_find_jdk() {
  local candidates=() home major best= best_major=0 seen=
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(jmlx_jdk_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge "$jmlx_required_jdk" ]; then
      printf '%s\n' "$JAVA_HOME"
      return 0
    fi
    seen="JAVA_HOME=$JAVA_HOME is ${major:-not a JDK}"
  fi
  if command -v java >/dev/null 2>&1; then
    home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    candidates+=("$home")
  fi
  for home in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
              /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$home" ] && candidates+=("$home")
  done
  for home in "${candidates[@]}"; do
    major=$(jmlx_jdk_major "$home")
    if [ -n "$major" ] && [ "$major" -ge "$jmlx_required_jdk" ] && [ "$major" -gt "$best_major" ]; then
      best=$home
      best_major=$major
    fi
  done
  if [ -n "$best" ]; then
    printf '%s\n' "$best"
    return 0
  fi
  echo "jmlx needs a JDK $jmlx_required_jdk or newer (FFM and jdk.incubator.vector) and found none${seen:+ ($seen)}: install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
