#!/usr/bin/env bash
# fetch.sh — download a MovieLens data set from GroupLens, check it, unpack it.
#
#   ./lab fetch movielens [100k|1m|latest-small|10m|20m|25m|32m|latest] [--md5 SUM] [--dest DIR] [--force]
#
# 1. downloads ml-<set>.zip from $HG_MOVIELENS_URL (default
#    https://files.grouplens.org/datasets/movielens; a file:// URL works too, which is how
#    the test suite runs this without a network);
# 2. compares its MD5 with the one recorded below, or with --md5 SUM: a mismatch stops
#    everything and nothing is unpacked. Sets without a recorded checksum (the "latest"
#    ones change over time) need --md5; GroupLens publishes it next to the zip
#    (<url>/ml-<set>.zip.md5);
# 3. unpacks into DIR (default: this data/ folder, git-ignored) through a temporary
#    folder and a rename, so a failed run never leaves half a data set;
# 4. prints the key terms of the MovieLens licence.
set -euo pipefail

say() { printf '[fetch] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

usage() { sed -n '4p' "$0" | sed 's/^# *//' >&2; exit 2; }

# MD5 of the official zips. ml-100k: as published by GroupLens (ml-100k.zip.md5).
# ml-1m: GroupLens' ml-1m.zip.md5 as recorded by others and remembered here; it could not
# be re-checked against files.grouplens.org when this was written (no network) — if it
# ever disagrees with GroupLens' .md5 file, trust GroupLens and pass --md5.
declare -A RECORDED_MD5=(
    [100k]=0e33842e24a9c977be4e0107933c0723
    [1m]=c4d9eecfca2ab87c1945afe126590906
)
# The folder each zip unpacks to.
declare -A FOLDER=(
    [100k]=ml-100k [1m]=ml-1m [10m]=ml-10M100K [20m]=ml-20m [25m]=ml-25m [32m]=ml-32m
    [latest-small]=ml-latest-small [latest]=ml-latest
)

[ $# -ge 1 ] || usage
[ "$1" = movielens ] || die "unknown data set '$1': only 'movielens' can be fetched (Fashion-MNIST comes from Debian's dataset-fashion-mnist)"
shift
set_name=100k
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then set_name=$1; shift; fi
md5=""
dest="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"  # this data/ folder
force=0
while [ $# -gt 0 ]; do
    case "$1" in
        --md5) [ $# -ge 2 ] || usage; md5=$(tr 'A-F' 'a-f' <<<"$2"); shift 2 ;;
        --dest) [ $# -ge 2 ] || usage; dest=$2; shift 2 ;;
        --force) force=1; shift ;;
        *) usage ;;
    esac
done

folder=${FOLDER[$set_name]:-}
[ -n "$folder" ] || die "unknown MovieLens set '$set_name': choose one of 100k 1m 10m 20m 25m 32m latest-small latest"
base=${HG_MOVIELENS_URL:-https://files.grouplens.org/datasets/movielens}
zip_name="ml-$set_name.zip"
url="$base/$zip_name"
if [ -z "$md5" ]; then
    md5=${RECORDED_MD5[$set_name]:-}
    [ -n "$md5" ] || die "no checksum is recorded for $zip_name (it changes over time). Get GroupLens' own from $url.md5 and pass it: --md5 SUM"
fi
[[ "$md5" =~ ^[0-9a-f]{32}$ ]] || die "--md5 wants 32 hex digits, got '$md5'"

command -v curl >/dev/null || die "curl is missing (Debian: apt-get install curl)"
if command -v python3 >/dev/null; then unpack() { python3 -m zipfile -e "$1" "$2"; }
elif command -v unzip >/dev/null; then unpack() { unzip -q "$1" -d "$2"; }
else die "python3 (or unzip) is needed to unpack the zip"; fi

mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
if [ -e "$dest/$folder" ] && [ $force -eq 0 ]; then
    say "$folder is already in $dest (use --force to fetch it again)"
    exit 0
fi

tmp=$(mktemp -d "$dest/.fetch-$set_name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

say "downloading $url"
progress=(--silent --show-error)
[ -t 2 ] && progress=(--progress-bar)
curl --fail --location --retry 2 "${progress[@]}" --output "$tmp/$zip_name" "$url" || die "download failed: $url"

got=$(md5sum "$tmp/$zip_name" | cut -d' ' -f1)
if [ "$got" != "$md5" ]; then
    die "checksum mismatch for $zip_name: MD5 is $got, expected $md5. The download is damaged or not the official file; nothing was unpacked"
fi
say "MD5 $got ok"

mkdir "$tmp/unpacked"
unpack "$tmp/$zip_name" "$tmp/unpacked" || die "cannot unpack $zip_name (not a zip file?)"
[ -d "$tmp/unpacked/$folder" ] || die "$zip_name does not hold the expected folder $folder/"
[ $force -eq 1 ] && rm -rf "${dest:?}/$folder"
mv "$tmp/unpacked/$folder" "$dest/$folder"
say "unpacked into $dest/$folder"

cat >&2 <<LICENCE

MovieLens licence, key terms (the full text is in $dest/$folder/README*):
  * research use only; no commercial or revenue-bearing use without permission from GroupLens;
  * do NOT redistribute the data: never commit it into a repository (data/ml-* is git-ignored);
  * do not state or imply endorsement by the University of Minnesota or GroupLens;
  * cite: F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and
    Context. ACM Transactions on Interactive Intelligent Systems 5(4), Article 19.
    https://doi.org/10.1145/2827872

LICENCE
say "tutorials: --data $dest (they look in the repository's data/ by themselves); tests and benchmarks: export HG_DATA=$dest"
