#!/usr/bin/env bash
# Usage: scripts/convert-bench.sh [RUNS] [MODEL...]
#
# Times `./jmlx convert` (4-bit affine, group size 64: the default) on synthetic float16 models, JVM start included:
#   75mb  12 blocks of a 1024x1024 and a 2048x1024 weight (75.5 MB)
#   1gb   160 such blocks (1.0 GB)
# The models are generated once into ${JMLX_BENCH_DIR:-/tmp/jmlx-convert-bench} by scripts/ConvertBenchModel.java
# (run as a source file: no build needed) and read once before timing, so that every run finds them in the page
# cache. Each run prints the load average, wall and CPU seconds and MB/s of input (wall, JVM start included).
# RUNS defaults to 3, the models to both. JMLX_JAVA_OPTS passes JVM options through ./jmlx, e.g.
# JMLX_JAVA_OPTS=-Djmlx.kernels=vector. JMLX_LAUNCHER times another checkout's ./jmlx (e.g. the base of a change) on
# the same models, for before/after ratios measured back to back.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jmlx=${JMLX_LAUNCHER:-$root/jmlx}
. "$root/scripts/find-jdk.sh"
java_home=$(jmlx_find_jdk)
runs=${1:-3}
shift || true
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(75mb 1gb)
dir=${JMLX_BENCH_DIR:-/tmp/jmlx-convert-bench}
mkdir -p "$dir"

"$jmlx" --version >/dev/null # builds the command line first when needed, outside the timings
for model in "${models[@]}"; do
  case "$model" in
    75mb) blocks=12 ;;
    1gb) blocks=160 ;;
    *) echo "convert-bench: unknown model '$model' (75mb or 1gb)" >&2; exit 2 ;;
  esac
  input="$dir/model-$model"
  if [ ! -f "$input/model.safetensors" ]; then
    echo "convert-bench: generating $input..." >&2
    "$java_home/bin/java" "$root/scripts/ConvertBenchModel.java" "$input" "$blocks"
  fi
  cat "$input"/* >/dev/null
  bytes=$(stat -c %s "$input/model.safetensors")
  for ((i = 1; i <= runs; i++)); do
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    TIMEFORMAT='%R %U %S'
    { time "$jmlx" convert -i "$input" -o "$dir/out-$model" --force >/dev/null 2>"$dir/err"; } 2>"$dir/time" ||
      { cat "$dir/err" >&2; exit 1; }
    read -r wall user sys <"$dir/time"
    awk -v m="$model" -v w="$wall" -v u="$user" -v s="$sys" -v b="$bytes" -v l="$load" 'BEGIN {
      printf "%-5s wall %5.2f s  user %5.2f s  sys %4.2f s  %6.1f MB/s of input  (load %s)\n", m, w, u, s, b / 1e6 / w, l }'
  done
  rm -rf "$dir/out-$model"
done
