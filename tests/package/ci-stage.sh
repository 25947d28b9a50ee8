#!/usr/bin/env bash
# CI stage for the Debian package (issue 6): installs what the package build and test need on
# top of scripts/install-deps.sh, then runs tests/package/run.sh. Meant to be called from a
# .ci/stage-package.sh one-liner. A skip (exit 77: not root, kernel < 6.7) fails CI.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
export DEBIAN_FRONTEND=noninteractive

# debhelper + dpkg-dev: dpkg-buildpackage and dh; lintian: the lint stage; debootstrap: the
# test root (only when the weekly cache is cold); zstd: the cache tarball; iproute2: `ip`
# for the test root's private loopback; python3: check-private-binfmt (a minimal Debian 12
# image has none).
if ! apt-get install -y -q --no-install-recommends debhelper dpkg-dev lintian debootstrap zstd iproute2 python3 \
  >/tmp/platformd-pkg-apt.log 2>&1; then
  tail -20 /tmp/platformd-pkg-apt.log
  echo "package stage: could not install the packaging tools"
  exit 1
fi

# nocheck: the package is built without its unit tests (CMake -DBUILD_TESTING=OFF, no
# doctest). They ran twice in the stages before this one (scripts/test.sh, plain and under
# ASan) from the same tree; here they would add about a minute to compile and prove nothing
# new, while this build proves that the package builds without them. `run.sh` alone (a
# developer's run) builds with them and runs them in dh_auto_test.
export DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}"
export DEB_BUILD_PROFILES="nocheck ${DEB_BUILD_PROFILES:-}"

rc=0
bash "$here/run.sh" "$@" || rc=$?
if [ "$rc" = 77 ]; then
  echo "package stage: skipped (see above): that fails CI"
  exit 1  # a skip is a failure (issue 19)
fi
exit "$rc"
