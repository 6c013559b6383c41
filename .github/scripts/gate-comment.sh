#!/usr/bin/env bash
# Keeps ONE comment on a pull request up to date with the regression gate's verdict: the
# comment is found again by a hidden marker and edited, so a pull request never collects a
# trail of stale verdicts (the way Bencher and CodSpeed report).
# Environment: REPO (owner/name), PR_NUMBER, GH_TOKEN (for gh), COMPARE (true|false: did
# the gate measure), REPORT (the gate's --report file; may be missing when the gate failed
# before writing it), RUN_URL, BASE_SHA, HEAD_SHA.
# With COMPARE=false a previous comment is marked skipped (the pull request no longer
# changes what the gate measures); without one nothing is posted.
set -euo pipefail
: "${REPO:?}" "${PR_NUMBER:?}" "${COMPARE:?}" "${RUN_URL:?}" "${BASE_SHA:?}" "${HEAD_SHA:?}"
marker='<!-- perf-gate -->'
limit=60000 # GitHub refuses comment bodies over 65,536 characters
body="$(mktemp)"
trap 'rm -f "$body"' EXIT

{
  echo "$marker"
  if [ "$COMPARE" != "true" ]; then
    echo "## Regression gate: skipped"
    echo
    echo "This pull request no longer changes \`server/\`, \`package.json\` or \`package-lock.json\`: nothing to measure."
  elif [ -n "${REPORT:-}" ] && [ -s "$REPORT" ]; then
    if [ "$(wc -c <"$REPORT")" -gt "$limit" ]; then
      head -c "$limit" "$REPORT"
      echo
      echo "*(report truncated: the whole report is in the run's summary)*"
    else
      cat "$REPORT"
    fi
  else
    echo "## Regression gate: no verdict"
    echo
    echo "The gate job ended before writing its report (a timeout or a failure before the measurement): see the run's log."
  fi
  echo
  echo "<sub>base \`${BASE_SHA:0:12}\` (merge base) → head \`${HEAD_SHA:0:12}\` · [workflow run](${RUN_URL}) · this comment is updated on every push</sub>"
} >"$body"

# --paginate prints one JSON array per page: slurp them into one list. Only the workflow's
# own comment counts, not a person quoting the marker.
existing="$(gh api --paginate "repos/$REPO/issues/$PR_NUMBER/comments" |
  jq -rs --arg marker "$marker" 'add // [] | map(select(.user.login == "github-actions[bot]" and (.body | startswith($marker)))) | first | .id // empty')"

payload() { jq -cn --rawfile body "$body" '{body: $body}'; }
if [ -n "$existing" ]; then
  payload | gh api --method PATCH "repos/$REPO/issues/comments/$existing" --input - >/dev/null
  echo "updated the gate comment $existing on #$PR_NUMBER"
elif [ "$COMPARE" = "true" ]; then
  payload | gh api --method POST "repos/$REPO/issues/$PR_NUMBER/comments" --input - >/dev/null
  echo "commented the gate's verdict on #$PR_NUMBER"
else
  echo "no gate comment on #$PR_NUMBER and nothing measured: nothing to post"
fi
