#!/bin/bash
# in-root.sh: the package test proper, run by run.sh as root inside the throwaway Debian 12
# root (nsroot: private user/mount/pid namespace with its own binfmt_misc). /srv/pkgtest
# holds the two .debs (0.1.0-1 and a rebuilt higher version) and these scripts.
#
# Story, one check per behaviour the package promises (debian/README.Debian):
#  1. Debian's qemu-arm entry is registered first, as systemd-binfmt would at boot.
#  2. install: defaults (aarch64, armhf on amd64) enabled if they verify; armhf adopts
#     qemu-arm (no second handler for its magic), aarch64 gets platformd-aarch64; both
#     alt_platforms in cc_config.xml, whose owner and mode stay.
#  3. platformctl status; enable/disable riscv64 and disable armhf through --direct.
#  4. upgrade to the rebuilt version: the administrator's choice stays.
#  5. dpkg trigger on /usr/bin/qemu-aarch64-static runs reconcile.
#  6. remove while BOINC holds an unfinished aarch64 task: aarch64 kept, with a warning;
#     armhf (no task) withdrawn; qemu-arm untouched.
#  7. purge (through prerm's copy of platformctl): the rest withdrawn; a user's own duplicate
#     of our entry stays; nothing of ours left on disk or in binfmt_misc; the file tree,
#     cc_config.xml and Debian's entry as before the installation.
#  8. install again (a purge forgets the choice: defaults again), remove without BOINC
#     work (all withdrawn), reinstall (choice restored; saved words that are no platform
#     named and skipped), forced removal with BOINC work (PLATFORMD_FORCE_REMOVE=1: all
#     withdrawn), purge.
#  9. install, remove with BOINC work (aarch64 kept), the boinc user re-points the data
#     directory's cc_config.xml link at a root-only file, purge: refused and said, nothing
#     written or quoted, our handler removed all the same.
set -uo pipefail

T=/srv/pkgtest
B=/proc/sys/fs/binfmt_misc
CC=/etc/boinc-client/cc_config.xml
STATE=/var/lib/boinc-client/client_state.xml
export DEBIAN_FRONTEND=noninteractive
passed=0
failed=0
t0=$(date +%s%N)

log() { local ds=$((($(date +%s%N) - t0) / 100000000)); printf '\n=== [%4d.%ds] %s\n' $((ds / 10)) $((ds % 10)) "$*"; }
ok() { passed=$((passed + 1)); echo "ok:   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
  local d=$1
  shift
  if "$@" >/tmp/check.out 2>&1; then ok "$d"; else bad "$d"; sed 's/^/      /' /tmp/check.out; fi
}
run() { echo "\$ $*"; "$@"; }
has_entry() { [ -e "$B/$1" ]; }
no_entry() { [ ! -e "$B/$1" ]; }
has_alt() { grep -q "<alt_platform>$1</alt_platform>" "$CC"; }
no_alt() { ! grep -q "<alt_platform>$1</alt_platform>" "$CC"; }
no_overlap() { "$T/binfmt-check"; }
state_enabled() { platformctl list --enabled | tr '\n' ' '; }
enabled_in_state() { platformctl list --enabled | grep -qx "$1"; }
not_enabled_in_state() { ! enabled_in_state "$1"; }
own_entries() { for e in "$B"/platformd-*; do [ -e "$e" ] && echo "${e##*/}"; done; }
no_own_entries() { [ -z "$(own_entries)" ]; }
owner_mode() { stat -c '%U:%G %a' "$1"; }
# cc_config.xml must be byte-identical to the file before the installation after each purge
# (PLATFORMD_PKGTEST_STRICT_CC=0 turns a difference into a note).
same_cc() {
  if [ "$(sha256sum <"$CC")" = "$cc_before" ]; then
    ok "cc_config.xml byte-identical to before the installation ($1)"
  elif [ "${PLATFORMD_PKGTEST_STRICT_CC:-1}" = 1 ]; then
    bad "cc_config.xml differs from before the installation ($1)"
    diff -u /tmp/cc_config.before "$CC" | sed 's/^/      /'
  else
    echo "note: cc_config.xml differs from before the installation ($1), alt_platforms all gone:"
    diff -u /tmp/cc_config.before "$CC" | sed 's/^/      /'
  fi
}
snapshot() { # every path outside the virtual file systems, with owner and mode
  find / -xdev \( -path /srv/pkgtest -o -path /var/lib/dpkg -o -path /var/log -o -path /var/cache \
    -o -path /var/lib/apt -o -path /etc/ld.so.cache -o -path /var/lib/boinc-client/client_state.xml \) -prune \
    -o -printf '%p %u:%g %m\n' | sort
}
deb1="" deb2=""
for f in "$T"/debs/platformd_*.deb; do
  case "$f" in *+pkgtest*) deb2=$f ;; *) deb1=$f ;; esac
done
pkgver() { dpkg-query -W -f '${Version} ${db:Status-Abbrev}' platformd 2>/dev/null; }

# Installs a local .deb with apt (dependencies from the mirror when the root lacks them).
apt_install() {
  if ! apt-get install -y --no-install-recommends "$@" >/tmp/apt.out 2>&1; then
    if grep -q 'Unable to locate\|has no installation candidate\|unmet dependencies' /tmp/apt.out; then
      apt-get -q update >/dev/null && apt-get install -y --no-install-recommends "$@" >/tmp/apt.out 2>&1
    else
      false
    fi
  fi
  local rc=$?
  cat /tmp/apt.out
  return $rc
}

# An unfinished aarch64 task in the (stopped) client's state file: what platformd reads
# when no client answers on the GUI RPC port.
write_client_state() {
cat >"$STATE" <<'EOF'
<client_state>
<platform_name>x86_64-pc-linux-gnu</platform_name>
<alt_platform>aarch64-unknown-linux-gnu</alt_platform>
<project>
  <master_url>https://pkgtest.invalid/</master_url>
  <project_name>Package Test</project_name>
</project>
<app><name>fakeapp</name></app>
<app_version>
  <app_name>fakeapp</app_name>
  <version_num>100</version_num>
  <platform>aarch64-unknown-linux-gnu</platform>
</app_version>
<workunit><name>wu1</name><app_name>fakeapp</app_name></workunit>
<result>
  <name>wu1_0</name>
  <wu_name>wu1</wu_name>
  <platform>aarch64-unknown-linux-gnu</platform>
  <version_num>100</version_num>
  <state>2</state>
</result>
</client_state>
EOF
chown boinc:boinc "$STATE"
}

log "0. the test root"
echo "host: $(dpkg --print-architecture), kernel $(uname -r); debs: ${deb1##*/} ${deb2##*/}"
check "binfmt_misc is mounted in this namespace" grep -q "binfmt_misc $B binfmt_misc" /proc/mounts
check "qemu-user-static is installed" test -x /usr/bin/qemu-aarch64-static
check "boinc-client's cc_config.xml is there" test -f "$CC"
cc_before=$(sha256sum <"$CC")
cp "$CC" /tmp/cc_config.before
cc_owner=$(owner_mode "$CC")

log "1. Debian's qemu-arm handler, as systemd-binfmt registers it at boot"
grep -v '^#' /usr/lib/binfmt.d/qemu-arm.conf >"$B/register"
check "qemu-arm registered" has_entry qemu-arm
"$T/binfmt-check"
snapshot >/tmp/files.before

log "2. install ${deb1##*/} (first installation)"
run apt_install "$deb1" 2>&1 | tee /tmp/install1.out
# shellcheck disable=SC2016 # expanded by dpkg-query, not by a shell
check "platformd is installed" sh -c 'dpkg-query -W -f "\${db:Status-Abbrev}" platformd | grep -q "^ii"'
check "aarch64 verified and served by platformd-aarch64" has_entry platformd-aarch64
check "armhf adopted Debian's qemu-arm (no platformd-armhf)" no_entry platformd-armhf
check "qemu-arm still registered" has_entry qemu-arm
check "no two handlers match one magic" no_overlap
check "cc_config.xml advertises aarch64" has_alt aarch64-unknown-linux-gnu
check "cc_config.xml advertises armhf" has_alt arm-unknown-linux-gnueabihf
check "cc_config.xml keeps owner and mode ($cc_owner)" test "$(owner_mode "$CC")" = "$cc_owner"
check "the service is enabled for boot (deb-systemd-helper)" test -L /etc/systemd/system/multi-user.target.wants/platformd.service
check "an aarch64 program runs through the handler" sh -c '/usr/lib/platformd/probes/probe-aarch64 | grep -qx "arch aarch64"'

log "3. platformctl status, and enable/disable in direct mode"
run platformctl --direct status
check "platformctl status exits 0" platformctl --direct status
check "platformctl --json status parses" sh -c 'platformctl --direct --json status | python3 -m json.tool >/dev/null'
run platformctl --direct enable riscv64
check "enable riscv64 registered platformd-riscv64" has_entry platformd-riscv64
check "riscv64 is enabled in the state" enabled_in_state riscv64
run platformctl --direct disable riscv64
check "disable riscv64 removed platformd-riscv64" no_entry platformd-riscv64
run platformctl --direct disable armhf
check "disable armhf withdrew its alt_platform" no_alt arm-unknown-linux-gnueabihf
check "disable armhf left Debian's qemu-arm alone" has_entry qemu-arm
check "aarch64 still advertised" has_alt aarch64-unknown-linux-gnu
check "no two handlers match one magic" no_overlap

log "4. upgrade to ${deb2##*/}"
# A platform for BOINC alone (issue 21): the upgrade keeps its scope.
scope_is() {
  platformctl --direct --json status | python3 -c '
import json, sys
p = {x["arch"]: x for x in json.load(sys.stdin)["platforms"]}[sys.argv[1]]
sys.exit(0 if p["enabled"] and p["scope"] == sys.argv[2] else 1)' "$1" "$2"
}
run platformctl --direct enable --scope boinc riscv64
check "riscv64 enabled with scope boinc before the upgrade" scope_is riscv64 boinc
choice_before=$(state_enabled)
run apt_install "$deb2" 2>&1 | tee /tmp/upgrade.out
# shellcheck disable=SC2016 # expanded by dpkg-query, not by a shell
check "upgraded" sh -c 'dpkg-query -W -f "\${Version}" platformd | grep -q pkgtest'
check "aarch64 still enabled after the upgrade" enabled_in_state aarch64
check "armhf stays disabled after the upgrade (choice kept)" not_enabled_in_state armhf
check "armhf not re-advertised" no_alt arm-unknown-linux-gnueabihf
check "platformd-aarch64 registered" has_entry platformd-aarch64
check "the enabled set is unchanged by the upgrade ($choice_before)" test "$(state_enabled)" = "$choice_before"
check "riscv64 keeps scope boinc after the upgrade" scope_is riscv64 boinc
check "...and has no handler in the machine's table" no_entry platformd-riscv64
run platformctl --direct disable --force riscv64

log "5. dpkg trigger: a translator changed"
run dpkg-trigger --no-await /usr/bin/qemu-aarch64-static
run dpkg --triggers-only --pending 2>&1 | tee /tmp/trigger.out
check "platformd's postinst ran for the trigger" grep -q 'Processing triggers for platformd' /tmp/trigger.out
# shellcheck disable=SC2016 # expanded by dpkg-query, not by a shell
check "trigger processed (platformd not left triggers-pending)" sh -c 'dpkg-query -W -f "\${db:Status-Abbrev}" platformd | grep -q "^ii"'
check "platformd-aarch64 registered after the trigger" has_entry platformd-aarch64
check "no two handlers match one magic" no_overlap

log "6. remove while BOINC holds an unfinished aarch64 task (and none of armhf)"
run platformctl --direct enable armhf
check "armhf enabled again before the removal" has_alt arm-unknown-linux-gnueabihf
write_client_state
run apt-get remove -y platformd 2>&1 | tee /tmp/remove1.out
# shellcheck disable=SC2016 # expanded by dpkg-query, not by a shell
check "removed" sh -c 'dpkg-query -W -f "\${db:Status-Abbrev}" platformd 2>/dev/null | grep -q "^rc" || ! dpkg-query -W platformd >/dev/null 2>&1'
check "the removal warned about BOINC work" grep -q 'BOINC still holds unfinished tasks' /tmp/remove1.out
check "platformctl named the kept platform and its task" grep -q 'warning: aarch64: kept.*wu1_0' /tmp/remove1.out
check "one platformctl call withdrew what it could (no failure reported)" sh -c '! grep -q "could not withdraw" /tmp/remove1.out'
check "aarch64 handler kept for the task" has_entry platformd-aarch64
check "aarch64 alt_platform kept for the task" has_alt aarch64-unknown-linux-gnu
check "armhf (no task) withdrawn all the same" no_alt arm-unknown-linux-gnueabihf
check "Debian's qemu-arm untouched" has_entry qemu-arm
check "the state file stays until purge" test -f /var/lib/platformd/state.json
check "a copy of platformctl waits for the purge, root's alone" test \
  "$(stat -c '%U %a' /var/lib/platformd/purge /var/lib/platformd/purge/platformctl | tr '\n' ' ')" = "root 700 root 700 "
# The user writes their own aarch64 entry next to the one platformd keeps for the task: it must
# survive the purge (the old postrm's sed deleted every line naming the platform).
user_line="    <alt_platform>aarch64-unknown-linux-gnu</alt_platform><!-- mine -->"
python3 - "$CC" "$user_line" <<'PY'
import sys
p, line = sys.argv[1], sys.argv[2]
t = open(p).read()
i = t.index("</options>")
open(p, "w").write(t[:i] + line.strip() + "\n" + t[i:])
PY
check "setup: two aarch64 entries, ours and the user's" test "$(grep -c '<alt_platform>aarch64-unknown-linux-gnu' "$CC")" = 2

log "7. purge"
run apt-get purge -y platformd 2>&1 | tee /tmp/purge1.out
check "the purge went through platformctl (it names what it removed)" grep -q 'removed handler platformd-aarch64' /tmp/purge1.out
check "the user's own aarch64 entry stays, ours is gone" sh -c \
  "test \"\$(grep -c '<alt_platform>aarch64-unknown-linux-gnu' $CC)\" = 1 && grep -q 'aarch64-unknown-linux-gnu</alt_platform><!-- mine -->' $CC"
python3 - "$CC" <<'PY'
import sys
p = sys.argv[1]
t = open(p).read()
t = t.replace("<alt_platform>aarch64-unknown-linux-gnu</alt_platform><!-- mine -->\n", "")
# The <options> platformd had created stayed at purge, since it held the user's entry; the user,
# taking their entry out, takes the element they leave empty out too.
t = t.replace("  <options>\n  </options>\n", "")
open(p, "w").write(t)
PY
# shellcheck disable=SC2016 # expanded by dpkg-query, not by a shell
check "purged" sh -c '! dpkg-query -W -f "\${db:Status-Abbrev}" platformd 2>/dev/null | grep -q .'
check "no platformd-* entry left" no_own_entries
check "Debian's qemu-arm untouched" has_entry qemu-arm
check "no alt_platform left in cc_config.xml" sh -c "! grep -q '<alt_platform>' $CC"
check "cc_config.xml is well-formed" python3 -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" "$CC"
same_cc "after purge"
check "cc_config.xml keeps owner and mode" test "$(owner_mode "$CC")" = "$cc_owner"
check "/var/lib/platformd gone" test ! -e /var/lib/platformd
rm -f "$STATE"
snapshot >/tmp/files.after
check "no file of ours left (file tree as before the installation)" diff -u /tmp/files.before /tmp/files.after
check "nothing named platformd left on disk" sh -c '! find / -xdev -path /srv/pkgtest -prune -o -name "*platformd*" -print | grep -v "^/var/lib/dpkg/\|^/var/log/" | grep .'

log "8. install again, remove without BOINC work, reinstall, forced removal with BOINC work, purge"
run apt_install "$deb2" 2>&1 | tee /tmp/install2.out
check "after a purge the defaults are enabled again (aarch64)" has_alt aarch64-unknown-linux-gnu
check "after a purge the defaults are enabled again (armhf)" has_alt arm-unknown-linux-gnueabihf
run platformctl --direct enable --scope boinc riscv64  # for BOINC alone: its scope survives the removal
run apt-get remove -y platformd 2>&1 | tee /tmp/remove2.out
check "removal withdrew every platformd-* entry" no_own_entries
check "removal withdrew our alt_platforms" sh -c "! grep -q '<alt_platform>' $CC"
check "Debian's qemu-arm untouched" has_entry qemu-arm
# Words that are no platform before the valid ones (issue 20): they are skipped and named.
saved=/var/lib/platformd/enabled-before-removal
{ printf -- '--take-over\nbogus*\n'; cat "$saved"; } >/tmp/saved && cat /tmp/saved >"$saved"
run apt_install "$deb2" 2>&1 | tee /tmp/install3.out
check "a reinstallation after removal restores the choice (aarch64)" has_alt aarch64-unknown-linux-gnu
check "a reinstallation after removal restores the choice (armhf)" has_alt arm-unknown-linux-gnueabihf
check "...and riscv64 with its scope boinc" scope_is riscv64 boinc
check "...no riscv64 handler in the machine's table" no_entry platformd-riscv64
check "the saved words that are no platform were named and skipped" \
  grep -q 'not enabling again what is not a platform name.*: --take-over bogus\*' /tmp/install3.out
check "the purge copy is gone after the reinstallation" test ! -e /var/lib/platformd/purge
write_client_state
echo "\$ PLATFORMD_FORCE_REMOVE=1 apt-get remove -y platformd"
PLATFORMD_FORCE_REMOVE=1 apt-get remove -y platformd 2>&1 | tee /tmp/remove3.out
check "a forced removal withdraws aarch64 despite the task" no_entry platformd-aarch64
check "a forced removal withdraws its alt_platform" no_alt aarch64-unknown-linux-gnu
rm -f "$STATE"
run apt-get purge -y platformd 2>&1 | tee /tmp/purge2.out
check "purged again: no platformd-* entry" no_own_entries
check "purged again: no alt_platform left in cc_config.xml" sh -c "! grep -q '<alt_platform>' $CC"
check "purged again: Debian's qemu-arm untouched" has_entry qemu-arm
same_cc "after the second purge"
snapshot >/tmp/files.after2
check "purged again: file tree as before the installation" diff -u /tmp/files.before /tmp/files.after2

log "9. the boinc user swaps cc_config.xml between the removal and the purge"
run apt_install "$deb2" 2>&1 | tee /tmp/install4.out
write_client_state
run apt-get remove -y platformd 2>&1 | tee /tmp/remove4.out
check "aarch64 kept for the task, its entry still ours" has_alt aarch64-unknown-linux-gnu
rm -f "$STATE"
# The boinc user's move at purge (issue 20; the old postrm's readlink-then-sed left a root-owned
# copy of such a file): the data directory's cc_config.xml, a symlink they own, re-pointed at a
# root-only file. The purge must neither write nor quote that file.
link=/var/lib/boinc-client/cc_config.xml
link_target=$(readlink "$link")
mkdir -m 0700 /root/secret && echo '<cc_config><x>hunter2-secret</x></cc_config>' >/root/secret/cc.xml
cp /root/secret/cc.xml /tmp/secret.orig
setpriv --reuid boinc --regid boinc --clear-groups sh -c "ln -sfn /root/secret/cc.xml $link.new && mv -T $link.new $link"
check "setup: the data directory's cc_config.xml now leads to the root-only file" test "$(readlink "$link")" = /root/secret/cc.xml
run apt-get purge -y platformd 2>&1 | tee /tmp/purge3.out
# shellcheck disable=SC2016 # expanded by dpkg-query, not by a shell
check "purged all the same" sh -c '! dpkg-query -W -f "\${db:Status-Abbrev}" platformd 2>/dev/null | grep -q .'
check "the swapped link was refused, and said so" grep -q 'cc_config.xml is a symlink to /root/secret/cc.xml' /tmp/purge3.out
check "the root-only file is unchanged" cmp /root/secret/cc.xml /tmp/secret.orig
check "its content was not quoted" sh -c '! grep -q hunter2 /tmp/purge3.out'
check "the link is still the boinc user's link" test "$(stat -c '%F %U' "$link")" = "symbolic link boinc"
check "our handler went all the same" no_own_entries
check "the real file, which the purge could not reach through the link, still holds our entry" has_alt aarch64-unknown-linux-gnu
rm -rf /root/secret
ln -sfn "$link_target" "$link" && chown -h boinc:boinc "$link"
"$T/binfmt-check"

log "done"
echo
echo "in-root: $passed passed, $failed failed"
[ "$failed" = 0 ]
