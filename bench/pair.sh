#!/usr/bin/env bash
# Paired rounds: runs each labelled command once per round, in turn, for
# ROUNDS rounds, and prints each one's median and minimum wall time. Taking
# the commands in turn exposes them to the same load, which on a shared
# machine moves a single run by more than the change being measured.
#
#   bench/pair.sh ROUNDS LABEL=COMMAND [LABEL=COMMAND ...]
#
# For example, two builds of arazzo on the 1,000-step chain against the mock
# (bench/run.sh builds the mock and writes the workflows first):
#
#   (sleep 600 | bench/out/bin/mock -addr 127.0.0.1:18181 -watch-stdin &)
#   bench/pair.sh 20 \
#     "main=/tmp/arazzo-main run bench/out/wf/chain-1000.arazzo.yaml -o json --server items=http://127.0.0.1:18181 --state /tmp/s1" \
#     "new=/tmp/arazzo-new run bench/out/wf/chain-1000.arazzo.yaml -o json --server items=http://127.0.0.1:18181 --state /tmp/s2"
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
rounds=$1
shift
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for _ in $(seq 1 "$rounds"); do
  for c in "$@"; do
    label=${c%%=*}
    start=$(date +%s%N)
    bash -c "${c#*=}" >/dev/null 2>&1 || echo "pair: $label exited non-zero" >&2
    end=$(date +%s%N)
    echo "$label $(( (end - start) / 1000 ))" >>"$tmp"
  done
done
for c in "$@"; do
  label=${c%%=*}
  grep "^$label " "$tmp" | cut -d' ' -f2 | sort -n | awk -v l="$label" '
    { v[NR] = $1 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%-16s median %8.1f ms  min %8.1f ms  (%d rounds)\n", l, m / 1000, v[1] / 1000, NR
    }'
done
