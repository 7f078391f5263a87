#!/usr/bin/env bash
# Builds arazzo for the GitHub Action from the action's own checkout.
#
# The consumer's workspace is the pull request's: it may hold a go.work that
# replaces a dependency with its own code, a vendor directory, or go.mod files
# that have nothing to do with arazzo. None of it takes part in the build:
#   - the build runs in the action's directory ($GITHUB_ACTION_PATH), on the
#     module's own go.mod and go.sum;
#   - GOWORK=off: no go.work is read, wherever it is;
#   - GOFLAGS=-mod=readonly: go.mod and go.sum are used as they are, every
#     module is checked against go.sum (no vendor directory, no update);
#   - CGO_ENABLED=0: no C compiler runs, so CGO_CFLAGS and friends from the
#     job's environment do nothing.
# The binary goes to $RUNNER_TEMP, and its path to the step's outputs.
set -euo pipefail

src="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
bin="${RUNNER_TEMP:?RUNNER_TEMP is not set}/arazzo-action/arazzo"
mkdir -p "$(dirname "$bin")"
cd "$src"
GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false -trimpath" CGO_ENABLED=0 \
  go build -o "$bin" ./cmd/arazzo
echo "bin=$bin" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
