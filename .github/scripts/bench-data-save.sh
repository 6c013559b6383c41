#!/usr/bin/env bash
# Saves a results database as a new commit on origin's bench-data branch (an orphan branch
# holding one database per machine kind and a README), creating the branch on first use.
# Usage: bench-data-save.sh <db path> [commit message]
# The file is stored under its basename (data/bench-ubuntu-24.04.sqlite → bench-ubuntu-24.04.sqlite).
#
# The book workflow's matrix jobs save at the same time, each its own file, so a push can
# be rejected because another job pushed first. Then the commit is made again on the new
# tip (no conflict is possible: the other job changed another file) and pushed again; only
# this branch is touched.
set -euo pipefail
db="${1:?usage: bench-data-save.sh <db path> [commit message]}"
message="${2:-bench results}"
branch="${BENCH_DATA_BRANCH:-bench-data}"
attempts="${BENCH_DATA_PUSH_ATTEMPTS:-5}"
name="$(basename "$db")"
author="${GIT_AUTHOR_NAME:-github-actions[bot]}"
email="${GIT_AUTHOR_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}"

[ -f "$db" ] || { echo "::error title=bench-data::$db does not exist: nothing to save" >&2; exit 1; }
dir="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/bench-data.XXXXXX")"
remove_worktree() {
  git worktree remove --force "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
  git worktree prune
}
trap remove_worktree EXIT

write_readme() {
  cat >"$dir/README.md" <<'README'
# bench-data

Benchmark results of the living performance book, written by the `book` workflow
(.github/workflows/book.yml). One SQLite database per machine kind: `bench-<runner>.sqlite`
(schema: db/schema.ts); every commit adds one runner's results of one workflow run. The
book is built from all of them merged, machines kept apart:

    git fetch origin bench-data
    mkdir -p data/machines
    for f in $(git ls-tree --name-only FETCH_HEAD | grep '\.sqlite$'); do git show "FETCH_HEAD:$f" > "data/machines/$f"; done
    npm run bench -- --merge data/machines/*.sqlite --db data/bench.sqlite
README
}

# A worktree at the branch's current tip, or a new orphan branch when there is none yet.
checkout_tip() {
  local found
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
  else
    echo "::error title=bench-data::could not query origin for $branch (git ls-remote exit $found)" >&2
    exit 1
  fi
}

for attempt in $(seq 1 "$attempts"); do
  checkout_tip
  cp "$db" "$dir/$name"
  write_readme
  git -C "$dir" add "$name" README.md
  if git -C "$dir" diff --cached --quiet; then
    echo "no new results: $name on $branch unchanged"
    exit 0
  fi
  git -C "$dir" -c user.name="$author" -c user.email="$email" commit --quiet -m "$message"
  if git -C "$dir" push --quiet origin "HEAD:refs/heads/$branch" 2>"$dir.push-error"; then
    echo "saved $db to $branch as $name ($(git -C "$dir" rev-parse --short HEAD))"
    rm -f "$dir.push-error"
    exit 0
  fi
  echo "::notice title=bench-data::push of $name refused (attempt $attempt of $attempts; another job pushed first?): $(tr '\n' ' ' <"$dir.push-error")"
  rm -f "$dir.push-error"
  remove_worktree
  sleep "${BENCH_DATA_RETRY_SECONDS:-$((attempt * 3))}"
done
echo "::error title=bench-data::could not push $name to $branch after $attempts attempts" >&2
exit 1
