#!/usr/bin/env bash
# Installs every build and test dependency of platformd on Debian 12 (run as root).
# Service start-up is suppressed while installing: boinc-client's and dbus's postinst must not
# start the machine's own services (tests start their own instances by PID).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

pkgs=(
  build-essential cmake pkg-config ninja-build git clang clang-format
  libsystemd-dev libmount-dev libtinyxml2-dev libfmt-dev libcli11-dev doctest-dev nlohmann-json3-dev
  gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf gcc-i686-linux-gnu gcc-riscv64-linux-gnu
  gcc-powerpc64le-linux-gnu gcc-s390x-linux-gnu
  libc6-dev-arm64-cross libc6-dev-armhf-cross libc6-dev-i386-cross libc6-dev-riscv64-cross
  libc6-dev-ppc64el-cross libc6-dev-s390x-cross
  qemu-user-static boinc-client dbus util-linux file systemd libclang-rt-14-dev iproute2 ccache
  strace time python3 shellcheck  # crash and busy tests (strace, /usr/bin/time), fake peers, CI's lint
  ansible-core  # tests/integration/test-ansible-*.sh: the collection in ansible/, run for real
)

apt-get update
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 0755 "$policy"
  made_policy=1
fi
trap '[ "$made_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get install -y --no-install-recommends "${pkgs[@]}"
