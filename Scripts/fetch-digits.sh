#!/usr/bin/env bash
# Puts the UCI handwritten digits (1,797 images of 8x8 pixels, values 0-16, label in the 65th column) into a cache
# folder when they are absent, and prints the CSV's path.
#
#   Scripts/fetch-digits.sh            # -> ${ATTENTION_CACHE:-$HOME/.cache/attention}/digits/digits.csv
#   Scripts/fetch-digits.sh DIR        # -> DIR/digits.csv
#
# The file ships inside scikit-learn's source archive on PyPI (scikit-learn 1.9.1, 7.8 MB) as
# sklearn/datasets/data/digits.csv.gz. The archive is fetched with curl or wget, checked against its published SHA-256,
# and only that one file is unpacked with tar and gzip (no Python needed); the CSV is checked against its own SHA-256.
# Rows 0-1399 are the project's training and validation rows, rows 1400-1796 its test split.
# An existing digits.csv that has the right checksum is left as it is; anything else at the destination is never
# deleted or replaced: a wrong digits.csv is refused with an error.
set -euo pipefail

dest_dir="${1:-${ATTENTION_CACHE:-$HOME/.cache/attention}/digits}"
dest="$dest_dir/digits.csv"
csv_sha256="6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8"
sdist_url="https://files.pythonhosted.org/packages/d2/eb/eaf5e07fcc0da7149b0e084f24e54edd7441b9a89ce7e034032ae97fe3a0/scikit_learn-1.9.1.tar.gz"
sdist_sha256="629cada3e33e2b9bf376cdc7614a47a4140b8aedc1d836579e359736fbd82977"
member="scikit_learn-1.9.1/sklearn/datasets/data/digits.csv.gz"

die() { echo "fetch-digits: $*" >&2; exit 1; }
sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d' ' -f1
    else die "neither sha256sum nor shasum is installed; cannot check the download"
    fi
}

if [[ -e "$dest" || -L "$dest" ]]; then
    [[ -f "$dest" && ! -L "$dest" ]] || die "$dest exists and is not a regular file (nothing was changed)"
    [[ "$(sha256_of "$dest")" == "$csv_sha256" ]] \
        || die "$dest exists but is not the expected digits.csv (SHA-256 differs); move it away (nothing was changed)"
    echo "$dest"
    exit 0
fi
if [[ -e "$dest_dir" && ! -d "$dest_dir" ]]; then die "$dest_dir exists and is not a folder (nothing was changed)"; fi

work="$(mktemp -d "${TMPDIR:-/tmp}/fetch-digits.XXXXXX")"
trap 'rm -rf "$work"' EXIT
archive="$work/sklearn.tar.gz"
echo "fetch-digits: downloading scikit-learn 1.9.1's source archive from PyPI (7.8 MB) for digits.csv.gz..." >&2
if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$archive" "$sdist_url" || die "download failed: $sdist_url (no network access to PyPI?)"
elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$archive" "$sdist_url" || die "download failed: $sdist_url (no network access to PyPI?)"
else
    die "neither curl nor wget is installed: install one, or put digits.csv (SHA-256 $csv_sha256) into $dest_dir yourself"
fi
sum="$(sha256_of "$archive")"
[[ "$sum" == "$sdist_sha256" ]] || die "the archive has SHA-256 $sum, expected $sdist_sha256 (corrupt or changed download)"
tar -xzf "$archive" -C "$work" "$member" || die "tar could not unpack $member from the archive"
gzip -dc "$work/$member" > "$work/digits.csv" || die "gzip could not decompress digits.csv.gz"
sum="$(sha256_of "$work/digits.csv")"
[[ "$sum" == "$csv_sha256" ]] || die "digits.csv has SHA-256 $sum, expected $csv_sha256"

mkdir -p "$dest_dir"
# A temporary name in the same folder and a rename without replacing: never a half-written CSV, never an overwrite.
staging="$(mktemp "$dest_dir/.digits.csv.partial.XXXXXX")"
cp "$work/digits.csv" "$staging"
chmod 644 "$staging"
if ! ln "$staging" "$dest" 2>/dev/null; then
    rm -f "$staging"
    [[ -f "$dest" && "$(sha256_of "$dest")" == "$csv_sha256" ]] || die "$dest appeared while downloading; it was left as it is"
else
    rm -f "$staging"
fi
echo "fetch-digits: digits ready in $dest" >&2
echo "$dest"
