#!/usr/bin/env bash
# What the BOINC server tier needs (issue 22), from Debian: `deps.sh build` for building the
# server (tests/server/build.sh), `deps.sh run` for running a project (tests/server/project.sh):
# MariaDB's and Apache's binaries only (mariadb-server-core, apache2-bin: no service of theirs
# is installed, enabled or started on the machine), PHP for the project's web pages, MySQLdb for
# BOINC's Python tools, and Debian's BOINC client for the hosts.
set -euo pipefail
case ${1:-run} in
  build) pkgs=(build-essential autoconf automake libtool m4 pkg-config libssl-dev libcurl4-openssl-dev
    libmariadb-dev-compat zlib1g-dev zstd git) ;;
  run) pkgs=(mariadb-server-core mariadb-client-core apache2-bin libapache2-mod-php8.2 php8.2-mysql php8.2-xml
    php8.2-gd python3-mysqldb boinc-client util-linux iproute2 zstd) ;;
  *) echo "usage: deps.sh build|run" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -q update >/dev/null
apt-get -q install -y --no-install-recommends "${missing[@]}" >/dev/null
