#!/usr/bin/env bash
# Saves the results database as a new commit on origin's bench-data branch (an orphan
# branch holding only bench.sqlite and a README), creating the branch on the first run.
# Usage: bench-data-save.sh [db path, default data/bench.sqlite] [commit message]
# Runs must not overlap (the workflow's `concurrency: bench-data` guarantees it), so the
# push is a fast-forward of what was just fetched.
set -euo pipefail
db="${1:-data/bench.sqlite}"
message="${2:-bench results}"
branch="${BENCH_DATA_BRANCH:-bench-data}"
name="${GIT_AUTHOR_NAME:-github-actions[bot]}"
email="${GIT_AUTHOR_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}"

[ -f "$db" ] || { echo "::error title=bench-data::$db does not exist: nothing to save" >&2; exit 1; }
dir="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/bench-data.XXXXXX")"
cleanup() {
  git worktree remove --force "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
  git worktree prune
}
trap cleanup EXIT

set +e
git ls-remote --exit-code --heads origin "$branch" >/dev/null
found=$?
set -e
if [ "$found" -eq 0 ]; then
  git fetch --quiet --no-tags origin "$branch"
  git worktree add --quiet --detach "$dir" FETCH_HEAD
elif [ "$found" -eq 2 ]; then
  git worktree add --quiet --detach "$dir" HEAD
  git -C "$dir" checkout --quiet --orphan "$branch"
  git -C "$dir" rm -r -q --cached .
  git -C "$dir" clean -fdxq
  cat >"$dir/README.md" <<'README'
# bench-data

Benchmark results of the living performance book, written by the `book` workflow
(.github/workflows/book.yml). Every commit is one workflow run; `bench.sqlite` is the whole
database (schema: db/schema.ts). To read it locally:

    git fetch origin bench-data && git show FETCH_HEAD:bench.sqlite > data/bench.sqlite
README
else
  echo "::error title=bench-data::could not query origin for $branch (git ls-remote exit $found)" >&2
  exit 1
fi

cp "$db" "$dir/bench.sqlite"
git -C "$dir" add bench.sqlite README.md
if git -C "$dir" diff --cached --quiet; then
  echo "no new results: $branch unchanged"
else
  git -C "$dir" -c user.name="$name" -c user.email="$email" commit --quiet -m "$message"
  git -C "$dir" push --quiet origin "HEAD:refs/heads/$branch"
  echo "saved $db to $branch $(git -C "$dir" rev-parse --short HEAD)"
fi
