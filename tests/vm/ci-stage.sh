#!/usr/bin/env bash
# VM test tier (issue 13, tests/vm/run.sh), run by .ci/stage-vm.sh: real kernels with systemd
# as PID 1 under qemu-system (TCG), the .deb installed as a user would. Installs what it needs.
# Scenarios: $PLATFORMD_VM_CI_SCENARIOS (default below); the others run on demand and their
# transcripts are committed under docs/vm-transcript-*.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DEBIAN_FRONTEND=noninteractive
# debootstrap: the images; qemu-user-static: the foreign roots' second stage (registered in
# a private binfmt_misc only); qemu-utils: copy-on-write overlays; gcc/openssl/xxd: scenario
# B's x86_64 BOINC app and its code signature; openssh-client and ansible-core: scenario F.
if ! apt-get install -y -q --no-install-recommends debootstrap qemu-system-x86 qemu-system-arm \
  qemu-utils qemu-user-static seabios e2fsprogs gcc libc6-dev openssl xxd dpkg-dev debhelper \
  openssh-client ansible-core \
  >/tmp/platformd-vm-apt.log 2>&1; then
  tail -20 /tmp/platformd-vm-apt.log
  echo "vm stage: could not install qemu-system and debootstrap"
  exit 1
fi
rc=0
# shellcheck disable=SC2086 # a list of scenario names
timeout --signal=TERM --kill-after=60 1500 bash tests/vm/run.sh ${PLATFORMD_VM_CI_SCENARIOS:-A-debian B} || rc=$?
[ "$rc" = 124 ] && echo "vm stage: over its 25-minute budget" >&2
if [ "$rc" = 77 ]; then
  echo "vm stage: skipped (see above): that fails CI"
  exit 1  # a skip is a failure (issue 19)
fi
exit "$rc"
