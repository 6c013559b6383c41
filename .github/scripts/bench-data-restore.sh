#!/usr/bin/env bash
# Restores results databases from origin's bench-data branch, which holds one database per
# machine kind (bench-<runner>.sqlite, written by bench-data-save.sh).
# Usage:
#   bench-data-restore.sh <db path>       the branch's file named like the path's basename
#                                          (data/bench-ubuntu-24.04.sqlite ← bench-ubuntu-24.04.sqlite)
#   bench-data-restore.sh --all <dir>     every *.sqlite of the branch into <dir> (to merge them)
# A file (or branch) that does not exist yet is not an error: the path is left as it is, and
# the save step creates it.
set -euo pipefail
branch="${BENCH_DATA_BRANCH:-bench-data}"
all=false
if [ "${1:-}" = "--all" ]; then
  all=true
  dir="${2:?usage: bench-data-restore.sh --all <dir>}"
else
  db="${1:?usage: bench-data-restore.sh <db path> | --all <dir>}"
fi

set +e
git ls-remote --exit-code --heads origin "$branch" >/dev/null
found=$?
set -e
case "$found" in
  0) git fetch --quiet --no-tags origin "$branch" ;;
  2)
    echo "::notice title=bench-data::no $branch branch yet: nothing to restore; the save step creates it"
    exit 0
    ;;
  *)
    echo "::error title=bench-data::could not query origin for $branch (git ls-remote exit $found)" >&2
    exit 1
    ;;
esac
tip="$(git rev-parse --short FETCH_HEAD)"

if $all; then
  mkdir -p "$dir"
  restored=()
  while IFS= read -r name; do
    git show "FETCH_HEAD:$name" >"$dir/$name.restore.tmp"
    mv "$dir/$name.restore.tmp" "$dir/$name"
    restored+=("$name")
  done < <(git ls-tree --name-only FETCH_HEAD | grep '\.sqlite$' || true)
  echo "restored ${#restored[@]} databases from $branch $tip into $dir: ${restored[*]}"
  exit 0
fi

name="$(basename "$db")"
if git cat-file -e "FETCH_HEAD:$name" 2>/dev/null; then
  mkdir -p "$(dirname "$db")"
  git show "FETCH_HEAD:$name" >"$db.restore.tmp"
  mv "$db.restore.tmp" "$db"
  echo "restored $db from $branch $tip"
else
  echo "::notice title=bench-data::no $name on $branch yet: $db stays as it is; the save step adds it"
fi
