# Sourced (not run) by the scripts that build in a scratch folder (check_tutorials, check_views, check_name_clash,
# doc_coverage): the one rule that keeps them from deleting a user's files.
#
#   claim_work_folder [--fresh] WHO DIR MARK
#
# DIR is used only if it does not exist yet (it is made) or it carries the file MARK that an earlier run of the
# same script left; anything else — an existing folder without the marker, a symbolic link, a file, an empty path
# or / — is refused with exit 74 and nothing is touched. The marker is then (re)written. With --fresh everything in
# DIR except the marker is removed first. Callers remove only paths inside a folder they have claimed.
claim_work_folder() {
    local fresh=0
    if [ "${1:-}" = "--fresh" ]; then fresh=1; shift; fi
    local who=$1 dir=$2 mark=$3
    if [ -z "$dir" ] || [ "$dir" = "/" ] || [ -L "$dir" ] || { [ -e "$dir" ] && [ ! -d "$dir" ]; }; then
        echo "$who: refusing to use '$dir' as a work folder (empty, /, a link or not a folder)" >&2
        exit 74
    fi
    if [ -e "$dir" ] && [ ! -f "$dir/$mark" ]; then
        echo "$who: $dir exists and was not made by this script; refusing to write into it (give a new folder)" >&2
        exit 74
    fi
    mkdir -p "$dir"
    touch "$dir/$mark"
    if [ "$fresh" = 1 ]; then
        find "$dir" -mindepth 1 -maxdepth 1 ! -name "$mark" -exec rm -rf {} +
    fi
}
