#!/usr/bin/env bash
# A lent GPU's `run` call carries this working tree (the files git tracks or does not ignore), 64 MiB at most.
# The shipped weights (checkpoints/**/*.safetensors) take that over, and what trains from scratch there
# (gpu_ladder.py, gpu_stages.py --scratch) needs none of them (gpu_stages.py --deepen and its stages of the
# shipped models do: carry those models' folders). Around the call:
#   scripts/device_tree.sh slim      untrack the weights (they stay on disk, ignored through .git/info/exclude)
#   scripts/device_tree.sh restore   track them again, as committed
#   scripts/device_tree.sh size      the bytes a call would carry now, against the limit
# Commit nothing while slim: the commit would delete the shipped weights.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
LINE='/checkpoints/**/*.safetensors'
EXCLUDE="$(git rev-parse --git-path info/exclude)"
LIMIT=$((64 * 1024 * 1024))

carried() {  # tracked and untracked-not-ignored files that exist, in bytes
  git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}'
}
slim() { grep -qxF "$LINE" "$EXCLUDE" 2>/dev/null; }

case "${1:-}" in
  slim)
    if slim; then echo "already slim: $(carried) bytes would travel"; exit 0; fi
    if ! git diff --cached --quiet -- checkpoints; then
      echo "error: changes under checkpoints/ are staged; commit or unstage them first" >&2; exit 1
    fi
    mkdir -p "$(dirname "$EXCLUDE")" && echo "$LINE" >> "$EXCLUDE"
    git ls-files -z -- 'checkpoints/*.safetensors' | xargs -0 -r git rm -q --cached --
    echo "slim: $(carried) bytes would travel (limit $LIMIT); run 'scripts/device_tree.sh restore' after the call" ;;
  restore)
    git reset -q -- checkpoints
    if slim; then grep -vxF "$LINE" "$EXCLUDE" > "$EXCLUDE.tmp" || true; mv "$EXCLUDE.tmp" "$EXCLUDE"; fi
    echo "restored: $(carried) bytes would travel (limit $LIMIT)" ;;
  size)
    n=$(carried); echo "$n bytes would travel (limit $LIMIT)"; [ "$n" -le "$LIMIT" ] ;;
  *)
    echo "usage: scripts/device_tree.sh slim|restore|size" >&2; exit 2 ;;
esac
