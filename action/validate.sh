#!/usr/bin/env bash
# Runs 'arazzo validate' for the GitHub Action on the consumer's documents, in
# the workspace. The inputs come as ARAZZO_* variables (see action.yml); the
# binary is the one action/install.sh built.
set -euo pipefail

arazzo="${ARAZZO_BIN:?ARAZZO_BIN is not set}"
args=()
[ "${ARAZZO_STRICT:-false}" = "true" ] && args+=(--strict)
[ "${ARAZZO_OFFLINE:-true}" = "true" ] && args+=(--offline)
[ -n "${ARAZZO_ERROR_RULES:-}" ] && args+=(--error "$ARAZZO_ERROR_RULES")
[ -n "${ARAZZO_IGNORE_RULES:-}" ] && args+=(--ignore "$ARAZZO_IGNORE_RULES")
read -r -a paths <<< "${ARAZZO_PATHS:-.}"
case "${ARAZZO_FORMAT:-github}" in
  sarif)
    sarif="${ARAZZO_SARIF:-arazzo.sarif}"
    status=0
    "$arazzo" validate --format sarif "${args[@]}" "${paths[@]}" > "$sarif" || status=$?
    echo "sarif-file=$sarif" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
    # Exit 1 means problems were found and are in the report; fail on anything else.
    [ "$status" -le 1 ] || exit "$status"
    ;;
  github)
    "$arazzo" validate --format github "${args[@]}" "${paths[@]}"
    ;;
  *)
    echo "::error title=arazzo::format must be github or sarif, got $ARAZZO_FORMAT"
    exit 2
    ;;
esac
