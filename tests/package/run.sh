#!/bin/bash
# tests/package/run.sh [--debs DIR] [--keep] [--no-lintian]
#
# The Debian package test (issue 6). As root:
#   1. builds the package from a copy of the source tree (dpkg-buildpackage -b -us -uc),
#   2. runs lintian on it (errors and warnings fail; overrides are justified in debian/),
#   3. rebuilds it with a higher version (0.1.0-1+pkgtest1, changelog edited in the copy;
#      -nc reuses the compiled tree) for the upgrade test,
#   4. unpacks a Debian 12 root (debootstrap, cached by tests/package/mkroot),
#   5. proves that the namespace runner's binfmt_misc is private (check-private-binfmt),
#   6. runs in-root.sh inside it: install, status, enable/disable, upgrade, trigger,
#      remove with BOINC work, purge, reinstall.
# Nothing reaches the machine's global binfmt_misc table (never mounted, never written).
#
# --debs DIR: skip 1-3 and use DIR's platformd_*.deb (one of them with +pkgtest in its version).
# --keep: keep the work directory (PLATFORMD_PKGTEST_WORK or a new one under /var/tmp).
# Exit 77 (skip) when not root or the kernel lacks per-user-namespace binfmt_misc (< 6.7).
set -uo pipefail

here=$(dirname "$(readlink -f "$0")")
src=$(readlink -f "$here/../..")
debs=""
keep=0
lintian=1
while [ $# -gt 0 ]; do
  case "$1" in
    --debs) debs=$(readlink -f "$2"); shift 2 ;;
    --keep) keep=1; shift ;;
    --no-lintian) lintian=0; shift ;;
    *) echo "usage: $0 [--debs DIR] [--keep] [--no-lintian]" >&2; exit 2 ;;
  esac
done

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok:   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
declare -a timings=()
stage_start=0
stage() { stage_name=$1; stage_start=$(date +%s); echo; echo "##### $1"; }
stage_end() { timings+=("$(printf '%-28s %4ds' "$stage_name" $(($(date +%s) - stage_start)))"); }
finish() {
  echo
  echo "##### timings"
  printf '  %s\n' "${timings[@]}"
  printf '  %-28s %4ds\n' total $(($(date +%s) - t_start))
  echo
  echo "package: $passed passed, $failed failed"
  [ "$failed" = 0 ]
  exit $?
}
t_start=$(date +%s)

if [ "$(id -u)" != 0 ]; then
  echo "package test: needs root (debootstrap root, full-range user namespace map); skipped"
  exit 77
fi
kmaj=$(uname -r | cut -d. -f1)
kmin=$(uname -r | cut -d. -f2)
if [ "$kmaj" -lt 6 ] || { [ "$kmaj" = 6 ] && [ "$kmin" -lt 7 ]; }; then
  echo "package test: kernel $(uname -r) has no per-user-namespace binfmt_misc (needs >= 6.7); skipped"
  exit 77
fi
for c in unshare zstd python3; do
  command -v "$c" >/dev/null || { echo "package test: $c is missing"; exit 1; }
done
host_binfmt_mounts=$(grep -c ' binfmt_misc ' /proc/mounts || true)

work=${PLATFORMD_PKGTEST_WORK:-$(mktemp -d /var/tmp/platformd-pkgtest.XXXXXX)}
mkdir -p "$work"
# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
  if [ "$keep" = 1 ]; then
    echo "work directory kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
echo "work directory: $work"

if [ -z "$debs" ]; then
  for c in dpkg-buildpackage dh; do
    command -v "$c" >/dev/null || { echo "package test: $c is missing (apt-get install dpkg-dev debhelper)"; exit 1; }
  done
  stage "build 0.1.0-1"
  mkdir -p "$work/src"
  # A copy, so the build never writes into the developer's tree (and a dirty tree's build*/
  # directories are not packed).
  tar -C "$src" --exclude=./.git --exclude='./build*' --exclude=./debian/build --exclude=./debian/platformd \
    --exclude=./debian/.debhelper -cf - . | tar -C "$work/src" -xf -
  DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}"
  export DEB_BUILD_OPTIONS
  if (cd "$work/src" && dpkg-buildpackage -b -us -uc) >"$work/build1.log" 2>&1; then
    ok "dpkg-buildpackage -b -us -uc"
  else
    bad "dpkg-buildpackage -b -us -uc (last lines of $work/build1.log follow)"
    tail -40 "$work/build1.log"
    keep=1
    stage_end
    finish
  fi
  stage_end
  # shellcheck disable=SC2012 # names dpkg-buildpackage gave: no odd characters
  deb1=$(ls "$work"/platformd_*.deb | head -n1)
  echo "built ${deb1##*/}; contents:"
  dpkg-deb -c "$deb1" | awk '{print "  " $1, $2, $6, $7, $8}'
  grep -i 'missing' "$work/build1.log" | grep -i probe | sed 's/^/  build: /' || true

  if [ "$lintian" = 1 ] && command -v lintian >/dev/null; then
    stage "lintian"
    # shellcheck disable=SC2012 # names dpkg-buildpackage gave: no odd characters
    changes=$(ls "$work"/platformd_*.changes | head -n1)
    if lintian --fail-on error,warning --info --display-info "$changes" >"$work/lintian.log" 2>&1; then
      ok "lintian (errors and warnings fail; overrides are justified in debian/)"
    else
      bad "lintian"
    fi
    sed 's/^/  /' "$work/lintian.log"
    stage_end
  fi

  stage "rebuild 0.1.0-1+pkgtest1"
  ver=$(cd "$work/src" && dpkg-parsechangelog -S Version)
  {
    printf 'platformd (%s+pkgtest1) unstable; urgency=medium\n\n' "$ver"
    printf '  * Package test: the same source with a higher version, to test upgrades.\n\n'
    printf ' -- platformd package test <pkgtest@localhost.invalid>  %s\n\n' "$(date -R)"
    cat "$work/src/debian/changelog"
  } >"$work/changelog.new"
  mv "$work/changelog.new" "$work/src/debian/changelog"
  mkdir -p "$work/v1"
  mv "$work"/platformd_*"$ver"_* "$work/v1/"
  # noautodbgsym: the upgrade test installs only platformd, and xz takes about 20 s over the
  # 23 MB of debug symbols (lintian checked the first build's dbgsym package).
  if (cd "$work/src" && DEB_BUILD_OPTIONS="$DEB_BUILD_OPTIONS noautodbgsym" dpkg-buildpackage -b -us -uc -nc) \
    >"$work/build2.log" 2>&1; then
    ok "rebuild with a higher version"
  else
    bad "rebuild with a higher version (see $work/build2.log)"
    tail -30 "$work/build2.log"
  fi
  stage_end
  mkdir -p "$work/debs"
  cp "$work"/v1/platformd_*.deb "$work"/platformd_*+pkgtest1*.deb "$work/debs/" 2>/dev/null
  # CI's VM stage installs this very package (.ci/run): the tree is built once per configuration.
  if [ -n "${PLATFORMD_PKG_DEBS_OUT:-}" ]; then
    mkdir -p "$PLATFORMD_PKG_DEBS_OUT"
    cp "$work"/v1/platformd_*.deb "$PLATFORMD_PKG_DEBS_OUT/"
  fi
  debs=$work/debs
fi

stage "test root"
if "$here/mkroot" "$work/root"; then
  ok "Debian 12 root ready"
else
  bad "could not make the Debian 12 root"
  stage_end
  finish
fi
stage_end

stage "private binfmt_misc"
if "$here/check-private-binfmt" "$work/root"; then
  ok "the namespace runner's binfmt_misc is private"
else
  bad "the namespace runner's binfmt_misc is not private; not going on"
  stage_end
  finish
fi
stage_end

stage "install to purge (in the root)"
mkdir -p "$work/pkgtest/debs"
cp "$debs"/platformd_*.deb "$work/pkgtest/debs/"
cp "$here/in-root.sh" "$here/binfmt-check" "$work/pkgtest/"
# --net: the root gets its own loopback, so platformd inside can never talk to a BOINC client
# of the machine (or of a concurrently running integration test) on 127.0.0.1:31416.
"$here/nsroot" --net "$work/root" --bind "$work/pkgtest:/srv/pkgtest" -- /bin/bash /srv/pkgtest/in-root.sh \
  2>&1 | tee "$work/in-root.log"
line=$(grep -E '^in-root: [0-9]+ passed, [0-9]+ failed' "$work/in-root.log" | tail -n1)
if [ -n "$line" ]; then
  p=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  passed=$((passed + p))
  failed=$((failed + f))
else
  bad "in-root.sh did not finish"
fi
stage_end

if [ "$(grep -c ' binfmt_misc ' /proc/mounts || true)" = "$host_binfmt_mounts" ]; then
  ok "the host's binfmt_misc mounts are as before ($host_binfmt_mounts)"
else
  bad "the host's binfmt_misc mounts changed"
fi
finish
