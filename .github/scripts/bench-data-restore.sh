#!/usr/bin/env bash
# Restores the results database from origin's bench-data branch, when that branch exists.
# Usage: bench-data-restore.sh [db path, default data/bench.sqlite]
# Without the branch (first run), the committed database stays: the save step creates it.
set -euo pipefail
db="${1:-data/bench.sqlite}"
branch="${BENCH_DATA_BRANCH:-bench-data}"

set +e
git ls-remote --exit-code --heads origin "$branch" >/dev/null
found=$?
set -e
case "$found" in
  0)
    git fetch --quiet --no-tags origin "$branch"
    git show "FETCH_HEAD:bench.sqlite" >"$db.restore.tmp"
    mv "$db.restore.tmp" "$db"
    echo "restored $db from $branch $(git rev-parse --short FETCH_HEAD)"
    ;;
  2)
    echo "::notice title=bench-data::no $branch branch yet: starting from the committed $db; this run creates the branch"
    ;;
  *)
    echo "::error title=bench-data::could not query origin for $branch (git ls-remote exit $found)" >&2
    exit 1
    ;;
esac
