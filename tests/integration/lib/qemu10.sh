# qemu10_dir: prints the directory holding qemu-user 10.x's static binaries (usr/bin/qemu-*)
# from Debian's bookworm-backports, fetched once into a cache outside the clone and unpacked,
# never installed: the machine's qemu-user-static (7.2) stays what it is. A private apt
# configuration lists only bookworm-backports, so the machine's sources and lists are not
# touched. Cache: $PLATFORMD_QEMU10_CACHE, default /var/cache/platformd-test/qemu-user-10.
# Exits 77 (skip) when it cannot be fetched (no network to the Debian mirror).
qemu10_dir() {
  local cache=${PLATFORMD_QEMU10_CACHE:-/var/cache/platformd-test/qemu-user-10}
  if [ ! -x "$cache/root/usr/bin/qemu-x86_64" ]; then
    mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial"
    echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main' \
      >"$cache/apt/sources.list"
    cat >"$cache/apt/apt.conf" <<CONF
Dir::Etc::SourceList "$cache/apt/sources.list";
Dir::Etc::SourceParts "/dev/null";
Dir::State::Lists "$cache/apt/lists";
Dir::Cache "$cache/apt/cache";
CONF
    (
      cd "$cache" &&
        APT_CONFIG=$cache/apt/apt.conf apt-get -qq update &&
        APT_CONFIG=$cache/apt/apt.conf apt-get -qq download qemu-user
    ) >"$cache/fetch.log" 2>&1 || { echo "SKIP: cannot fetch qemu-user from bookworm-backports: $(tail -n 2 "$cache/fetch.log")" >&2; exit 77; }
    rm -rf "$cache/root.new"
    # shellcheck disable=SC2012 # a .deb name Debian gave: no odd characters
    dpkg-deb -x "$(ls "$cache"/qemu-user_*.deb | tail -n 1)" "$cache/root.new"
    rm -rf "$cache/root"
    mv "$cache/root.new" "$cache/root"
  fi
  echo "$cache/root/usr/bin"
}
