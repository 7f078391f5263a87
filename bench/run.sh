#!/usr/bin/env bash
# End-to-end benchmark: builds arazzo, the baseline client and the mock into
# bench/out/bin, generates the workflows into bench/out/wf, and measures every
# process with bench/e2e (wall, CPU, peak RSS; median [min–max]). The report
# is printed and written to bench/out/results.md. See BENCHMARKS.md.
#
#   bench/run.sh                      # everything, 15 runs per process
#   REPS=5 bench/run.sh -only chain   # e2e flags pass through
#   PEER=0 bench/run.sh               # without Redocly respect
#
# The peer, when wanted, is installed once (git-ignored):
#   npm install --prefix bench/.peer @redocly/cli@2.77.0
set -euo pipefail
cd "$(dirname "$0")/.."

out=bench/out
mkdir -p "$out/bin"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
go build -trimpath -o "$out/bin/arazzo" ./cmd/arazzo
go build -trimpath -tags temporal -o "$out/bin/arazzo-temporal" ./cmd/arazzo
go build -trimpath -o "$out/bin/baseline" ./bench/baseline
go build -trimpath -o "$out/bin/mock" ./bench/mock
for probe in hello yaml sqlite kinopenapi temporal transport; do
  go build -trimpath -o "$out/bin/depcost-$probe" "./bench/depcost/$probe"
done
go run ./bench/gen -out "$out/wf" -steps 10,100,1000 -runs "${BATCH:-10000,100000}"

respect=""
if [ "${PEER:-1}" != 0 ] && [ -x bench/.peer/node_modules/.bin/redocly ]; then
  respect=bench/.peer/node_modules/.bin/redocly
fi
# The validate target in process: `arazzo validate` of the generated
# 1,000-step chain inside a Go benchmark (no process start-up).
ARAZZO_BENCH_VALIDATE="$PWD/$out/wf/chain-1000.arazzo.yaml" \
  go test ./cmd/arazzo -run '^$' -bench '^BenchmarkValidateFile$' -benchtime 20x -count "${REPS:-15}" >"$out/validate-bench.txt"
go build -o "$out/bin/e2e" ./bench/e2e
"$out/bin/e2e" -bin "$out/bin" -wf "$out/wf" -reps "${REPS:-15}" -batch "${BATCH:-10000,100000}" -respect "$respect" \
  -validate-bench "$out/validate-bench.txt" "$@" | tee "$out/results.md"
