#!/bin/sh
# setup.sh: installs the Debian packages that adlua needs, if any is missing.
#
#   scripts/setup.sh           build, test and lint tools
#   scripts/setup.sh --bench   also the benchmark peers (NumPy, PyTorch, scikit-learn)
#
# Quiet, and quick, when everything is there. Uses sudo when not root.
set -eu

packages="gcc make pkg-config luajit libluajit-5.1-dev libopenblas-dev liblapacke-dev
lua-busted lua5.4 liblua5.4-dev gnuplot-nox libedit-dev cppcheck clang-format lua-check valgrind libopenmpi-dev openmpi-bin
clang libclang-rt-14-dev"
for opt in "$@"; do
    case $opt in
    --bench) packages="$packages python3-numpy python3-torch python3-sklearn" ;;
    -h | --help)
        sed -n '2,7s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *)
        echo "setup.sh: unknown option '$opt'" >&2
        exit 2
        ;;
    esac
done

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "setup.sh: not a Debian system (no dpkg-query); install by hand: $packages" | tr '\n' ' ' >&2
    echo >&2
    exit 0
fi

# One dpkg-query for all: "name status" lines for the packages it knows.
# shellcheck disable=SC2086 # word splitting wanted
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' $packages 2>/dev/null |
    sed -n 's/ install ok installed$//p' | tr '\n' ' ') "
missing=
for p in $packages; do
    case $installed in
    *" $p "*) ;;
    *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

echo "setup.sh: installing$missing" >&2
if [ "$(id -u)" = 0 ]; then
    sudo=
elif command -v sudo >/dev/null 2>&1; then
    sudo=sudo
else
    echo "setup.sh: not root and no sudo: install$missing by hand" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # word splitting wanted
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
