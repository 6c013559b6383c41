#!/usr/bin/env bash
# Whether the regression gate has anything to compare: the base commit must exist, and
# something that decides the server's speed (server/, the root manifest and lockfile) must
# differ between base and head. Writes compare=true|false to $GITHUB_OUTPUT.
# Usage: gate-scope.sh <base commit> <head commit>
set -euo pipefail
base="${1:?usage: gate-scope.sh <base> <head>}"
head="${2:?usage: gate-scope.sh <base> <head>}"
output="${GITHUB_OUTPUT:-/dev/stdout}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"

if ! git cat-file -e "${base}^{commit}" 2>/dev/null; then
  echo "::warning title=Regression gate::base commit ${base} is not in the history (force push?): gate skipped"
  echo "compare=false" >>"$output"
elif git diff --quiet "$base" "$head" -- server package.json package-lock.json; then
  echo "::notice title=Regression gate::server/ and the lockfile are unchanged between ${base} and ${head}: gate skipped"
  echo "Regression gate skipped: \`server/\`, \`package.json\` and \`package-lock.json\` are unchanged between \`${base}\` and \`${head}\`." >>"$summary"
  echo "compare=false" >>"$output"
else
  echo "compare=true" >>"$output"
fi
