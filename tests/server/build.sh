#!/usr/bin/env bash
# Builds BOINC's server side (issue 22): the scheduler and upload handler CGIs, the daemons
# (feeder, transitioner, validators, assimilators, file deleter) and the tools (make_project,
# update_versions, create_work, sign_executable), from upstream's tag of the release Debian's
# client is built from. Debian ships no BOINC server package, and its archive as reached from
# here serves the boinc .dsc but not its tarballs (shared/REFERENCE.md §8), so the source is a
# git directory of BOINC/boinc (its snapshot fetched by the search library, or any clone).
#
#   tests/server/build.sh SRC_GIT_DIR [OUT_DIR]
#
# The built tree (in-tree build: make_project copies from it) is cached as a tarball under
# $PLATFORMD_SERVER_CACHE (default /var/cache/platformd-server), keyed by the tag's commit, this
# script and OUT_DIR (default /tmp/platformd-server/boinc, where it is built: the tools know
# their directory), which gets a fresh copy each time.
# Measured times: docs/boinc-server.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: build.sh SRC_GIT_DIR [OUT_DIR]}
out=${2:-/tmp/platformd-server/boinc}
tag=${PLATFORMD_BOINC_TAG:-client_release/7.20/7.20.5}
cache=${PLATFORMD_SERVER_CACHE:-/var/cache/platformd-server}
log() { printf '[server-build %(%H:%M:%S)T] %s\n' -1 "$*"; }

commit=$(git -C "$src" rev-parse --verify "$tag^{commit}") || { echo "no tag $tag in $src" >&2; exit 1; }
key=$(cat "$0" <(echo "$commit $out") | sha256sum | cut -c1-12)
tarball=$cache/boinc-server-$key.tar.zst
t0=$SECONDS

bash "$here/deps.sh" build

if [ ! -f "$tarball" ]; then
  # Built where it is used: configure writes the build directory into the Python tools'
  # boinc_path_config.py files (make_project imports BOINC's modules through them).
  rm -rf "$out"
  mkdir -p "$(dirname "$out")"
  logs=$(dirname "$out")/build-logs
  mkdir -p "$logs"
  log "building $tag ($commit) in $out"
  git -C "$src" archive --format=tar --prefix="$(basename "$out")/" "$commit" | tar -x -C "$(dirname "$out")"
  cd "$out"
  ./_autosetup >"$logs/autosetup.log" 2>&1 || { tail -30 "$logs/autosetup.log"; exit 1; }
  log "autosetup done ($((SECONDS - t0)) s)"
  # -include ctime: several sched/*.cpp of this tag call time() without <ctime>, an error with
  # GCC 12. --disable-fcgi: fcgi_stdio.h clashes with glibc 2.36; the scheduler and the upload
  # handler run as plain CGIs.
  ./configure --disable-client --disable-manager --enable-server --disable-fcgi --enable-apps \
    --disable-apps-gui --enable-libraries CXXFLAGS="-O2 -include ctime" >"$logs/configure.log" 2>&1 ||
    { tail -30 "$logs/configure.log"; exit 1; }
  log "configure done ($((SECONDS - t0)) s)"
  # The libraries first, one job at a time: lib/Makefile builds some objects of libboinc.la
  # from two targets, and with -j2 two compilers write the same .lo at once ("not a valid
  # libtool object"), as `make -j2` from the top links libboinc.la twice at once.
  make -C lib >"$logs/make.log" 2>&1 || { tail -40 "$logs/make.log"; exit 1; }
  make -j2 >>"$logs/make.log" 2>&1 || { tail -40 "$logs/make.log"; exit 1; }
  log "make done ($((SECONDS - t0)) s)"
  cd /
  mkdir -p "$cache"
  tmp=$(mktemp "$cache/.boinc-server.XXXXXX")
  tar -C "$(dirname "$out")" -c "$(basename "$out")" | zstd -q -T2 -o "$tmp" -f
  mv "$tmp" "$tarball"
  find "$cache" -maxdepth 1 -name 'boinc-server-*.tar.zst' ! -name "$(basename "$tarball")" -delete
else
  rm -rf "$out"
  mkdir -p "$(dirname "$out")"
  zstd -q -d -c "$tarball" | tar -x -C "$(dirname "$out")"
fi
log "server tree at $out ($((SECONDS - t0)) s; cache $tarball)"
