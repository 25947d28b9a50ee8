#!/usr/bin/env bash
# scripts/build-debs.sh [--out DIR] [--ref REF | --tree] [--suite SUITE] [--deps] [--nocheck] [--no-lintian] [ARCH...]
#
# Builds the platformd .deb for each Debian architecture ARCH (default: this machine's), natively
# or cross-built from this machine (issue 13: amd64, arm64 and armhf from Debian 12 amd64), from
# a copy of the source, so the working tree and everyone's build directories are never touched.
# The copy is `git archive REF` (default HEAD: what is committed, not a shared tree's
# half-done edits), or with --tree the working tree as it is (as tests/package/run.sh does).
# Every package carries all seven probes; its own architecture's is built by its own compiler
# (docs/packaging.md, "Cross-building").
#
#   --out DIR    where the packages go (default /var/cache/platformd-build/debs): DIR/platformd_*_ARCH.deb
#                replaces that architecture's previous one; DIR/ARCH.log and DIR/ARCH.lintian keep
#                the build and lintian output
#   --ref REF    build the commit REF (default HEAD); --tree: the working tree instead
#   --deps       first install what the builds need (as root): dpkg --add-architecture ARCH,
#                apt-get update, crossbuild-essential-ARCH, apt-get build-dep -a ARCH -P cross ./
#   --nocheck    do not build or run the unit tests in a native build (a cross build never does)
#   --no-lintian skip lintian
#   --suite S    build inside a Debian S build root (e.g. trixie: Debian 13's compilers, libraries and
#                lintian, so the package depends on Debian 13's sonames), made with debootstrap the
#                first time in $PLATFORMD_BUILD_ROOTS/S (default /var/cache/platformd-build/roots) and
#                entered with tests/package/nsroot (a private user + mount namespace); implies --deps.
#                The packages get the suite in their name: platformd_*_ARCH.deb goes to DIR/S/
#
# Prints one line per architecture: seconds, package, lintian verdict. Exit 1 if any build or
# lintian run failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=/var/cache/platformd-build/debs
deps=0
ref=HEAD
[ -d "$top/.git" ] || ref=""
suite=""
nocheck=0
lint=1
archs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --deps) deps=1; shift ;;
    --ref) ref=$2; shift 2 ;;
    --tree) ref=""; shift ;;
    --nocheck) nocheck=1; shift ;;
    --no-lintian) lint=0; shift ;;
    --suite) suite=$2; shift 2 ;;
    -h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-debs: unknown option $1" >&2; exit 2 ;;
    *) archs+=("$1"); shift ;;
  esac
done

# --suite: the same script, run again inside a build root of that suite, on an exported copy.
if [ -n "$suite" ]; then
  roots=${PLATFORMD_BUILD_ROOTS:-/var/cache/platformd-build/roots}
  root=$roots/$suite-$(dpkg --print-architecture)
  mirror=${PLATFORMD_MIRROR:-http://deb.debian.org/debian}
  mkdir -p "$out/$suite" "$roots"
  out=$(cd "$out" && pwd)
  if [ ! -f "$root/.complete" ]; then
    echo "build-debs: making the $suite build root $root (debootstrap minbase)"
    rm -rf "$root"
    start=$(date +%s)
    unshare --mount --propagation private -- debootstrap --variant=minbase --merged-usr "$suite" "$root" "$mirror" \
      >"$out/$suite/debootstrap.log" 2>&1 || { tail -20 "$out/$suite/debootstrap.log"; exit 1; }
    printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$suite" "$mirror" "$suite" >"$root/etc/apt/sources.list"
    rm -f "$root"/etc/apt/sources.list.d/*.sources
    printf 'APT::Install-Recommends "false";\nDpkg::Use-Pty "0";\n' >"$root/etc/apt/apt.conf.d/90build"
    echo "build-debs: $suite build root made in $(($(date +%s) - start)) s"
    touch "$root/.complete"
  fi
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  rm -rf "$root/src"
  mkdir -p "$root/src"
  if [ -n "$ref" ]; then
    git -C "$top" archive --format=tar "$ref" | tar -C "$root/src" -xf -
  else
    tar -C "$top" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$root/src" -xf -
  fi
  inner=(--out /out --tree --deps)
  [ "$nocheck" = 0 ] || inner+=(--nocheck)
  [ "$lint" = 1 ] || inner+=(--no-lintian)
  echo "build-debs: $suite: entering $root (source: ${ref:-working tree})"
  exec "$top/tests/package/nsroot" "$root" --bind "$out/$suite:/out" -- /usr/bin/env PLATFORMD_DEB_WORK=/var/tmp/build \
    /bin/bash /src/scripts/build-debs.sh "${inner[@]}" "${archs[@]}"
fi

build_arch=$(dpkg --print-architecture)
[ ${#archs[@]} -gt 0 ] || archs=("$build_arch")
mkdir -p "$out"
out=$(cd "$out" && pwd)
work_root=${PLATFORMD_DEB_WORK:-/var/tmp/platformd-build-debs}
export DEBIAN_FRONTEND=noninteractive

profiles_for() {
  local p=""
  [ "$1" = "$build_arch" ] || p="cross"
  [ "$nocheck" = 0 ] || p="${p:+$p,}nocheck"
  echo "$p"
}

if [ "$deps" = 1 ]; then
  apt_log=$out/deps.log
  : >"$apt_log"
  for a in "${archs[@]}"; do
    [ "$a" = "$build_arch" ] || dpkg --add-architecture "$a"
  done
  apt-get -o DPkg::Lock::Timeout=600 update -q >>"$apt_log" 2>&1 || { tail "$apt_log"; exit 1; }
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends dpkg-dev debhelper lintian \
    >>"$apt_log" 2>&1 || { tail "$apt_log"; exit 1; }
  for a in "${archs[@]}"; do
    p=$(profiles_for "$a")
    # build-dep of a directory reads its debian/control; the profile list decides which
    # compiler lines apply (debian/control explains the cross ones).
    if [ "$a" = "$build_arch" ]; then
      (cd "$top" && apt-get -o DPkg::Lock::Timeout=600 build-dep -y -q ${p:+-P "$p"} ./) >>"$apt_log" 2>&1
    else
      apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "crossbuild-essential-$a" \
        >>"$apt_log" 2>&1 &&
        (cd "$top" && apt-get -o DPkg::Lock::Timeout=600 build-dep -y -q -a "$a" -P "$p" ./) >>"$apt_log" 2>&1
    fi || { tail -20 "$apt_log"; echo "build-debs: could not install the build dependencies for $a (see $apt_log)"; exit 1; }
  done
fi

failed=0
summary=()
for a in "${archs[@]}"; do
  work=$work_root/$a
  rm -rf "$work"
  mkdir -p "$work/src"
  if [ -n "$ref" ]; then
    git -C "$top" archive --format=tar "$ref" | tar -C "$work/src" -xf - || { echo "build-debs: git archive $ref failed"; exit 1; }
    src_desc="git $(git -C "$top" rev-parse --short "$ref")"
  else
    tar -C "$top" --exclude=./.git --exclude='./build*' --exclude=./debian/build --exclude=./debian/platformd \
      --exclude=./debian/platformd-dbgsym --exclude=./debian/.debhelper -cf - . | tar -C "$work/src" -xf -
    src_desc="working tree"
  fi
  p=$(profiles_for "$a")
  opts="parallel=$(nproc)"
  [ "$nocheck" = 0 ] || opts="$opts nocheck"
  cmd=(dpkg-buildpackage -a "$a" -b -us -uc ${p:+-P"$p"})
  echo "build-debs: $a from $src_desc: (cd $work/src && DEB_BUILD_OPTIONS=\"$opts\" ${cmd[*]})"
  start=$(date +%s)
  if (cd "$work/src" && DEB_BUILD_OPTIONS="$opts" "${cmd[@]}") >"$out/$a.log" 2>&1; then
    secs=$(($(date +%s) - start))
    deb=$(ls "$work"/platformd_*_"$a".deb)
    rm -f "$out"/platformd_*_"$a".deb
    cp "$deb" "$out/"
    verdict="lintian skipped"
    if [ "$lint" = 1 ]; then
      if lintian --fail-on error,warning --info "$work"/platformd_*_"$a".changes >"$out/$a.lintian" 2>&1; then
        verdict="lintian clean ($(grep -c . "$out/$a.lintian") lines: $(tr '\n' ' ' <"$out/$a.lintian" | cut -c1-80))"
        [ -s "$out/$a.lintian" ] || verdict="lintian clean (no output)"
      else
        verdict="LINTIAN FAILED (see $out/$a.lintian)"
        failed=1
      fi
    fi
    summary+=("$(printf '%-6s %5ds  %s  %s' "$a" "$secs" "$out/${deb##*/}" "$verdict")")
  else
    secs=$(($(date +%s) - start))
    tail -30 "$out/$a.log"
    summary+=("$(printf '%-6s %5ds  BUILD FAILED (see %s)' "$a" "$secs" "$out/$a.log")")
    failed=1
  fi
done
echo
printf '%s\n' "${summary[@]}"
exit "$failed"
