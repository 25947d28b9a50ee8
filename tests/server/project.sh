# A real BOINC project (issue 22), sourced by scripts that run inside a private network, mount,
# IPC and PID namespace (tests/server/run.sh): nothing listens outside it, the feeder's SysV
# shared memory stays in it, and every process ends with it.
#
#   server_up WORK SERVER_TREE   MariaDB, the project (make_project), Apache with the scheduler
#                                and upload handler CGIs and PHP, the apps, the daemons
#   server_sql 'SELECT ...'      a query on the project's database (tab-separated rows)
#   server_down                  the daemons, Apache, MariaDB
#
# The project's host name is "boincserver.test" (make_project needs a name, not an address:
# with 127.0.0.1 it writes <host>127</host> and bin/start starts no daemon). It resolves to the
# namespace's loopback through a private /etc/hosts, and is the namespace's host name (UTS);
# a VM guest maps it to 10.0.2.2, QEMU's
# user-mode route to that same loopback. Everything runs as www-data (Apache refuses root, and
# the scheduler CGI and the daemons share the project's files and the feeder's shared memory).
# Facts behind each step: docs/boinc-server.md.

# The client attaches only to a URL whose host name has a dot (client valid_master_url), and
# make_project keeps the host name's first label as config.xml's <host>, the name bin/start
# looks for: boincserver.test, in a namespace whose host name is boincserver.
SERVER_HOST=boincserver.test
SERVER_NODE=boincserver
PROJECT="test"
SERVER_USER=www-data
DB_USER=boincadm
DB_PASS=boincadm

slog() { printf '[server %(%H:%M:%S)T] %s\n' -1 "$*"; }
as_server() {
  setpriv --reuid="$SERVER_USER" --regid="$SERVER_USER" --init-groups \
    env HOME="$SW/home" USER="$SERVER_USER" PATH="$SW/bin:$PATH" "$@"
}
wait_until() {
  local secs=$1
  shift
  for _ in $(seq 1 $((secs * 10))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

server_sql() {
  mariadb --no-defaults --socket="$SW/db/sock" -uroot -N -B "$PROJECT" -e "$1"
}

server_db_up() {
  mkdir -p "$SW/db/data"
  mariadb-install-db --no-defaults --datadir="$SW/db/data" --user=root --auth-root-authentication-method=normal \
    --skip-test-db >"$SW/db/install.log" 2>&1 || { tail -20 "$SW/db/install.log"; return 1; }
  mariadbd --no-defaults --datadir="$SW/db/data" --user=root --bind-address=127.0.0.1 --port=3306 \
    --socket="$SW/db/sock" --skip-name-resolve --log-error="$SW/db/error.log" --pid-file="$SW/db/pid" \
    </dev/null >/dev/null 2>&1 &
  wait_until 60 mariadb --no-defaults --socket="$SW/db/sock" -uroot -e 'SELECT 1' ||
    { tail -20 "$SW/db/error.log"; return 1; }
  mariadb --no-defaults --socket="$SW/db/sock" -uroot -e \
    "CREATE USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS'; GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'127.0.0.1';"
}

server_apache_up() {
  local proot=$SW/projects/$PROJECT mods=/usr/lib/apache2/modules
  mkdir -p "$SW/apache"
  cat >"$SW/apache/apache2.conf" <<CONF
ServerRoot "$SW/apache"
ServerName $SERVER_HOST
PidFile "$SW/apache/httpd.pid"
Listen 127.0.0.1:80
User $SERVER_USER
Group $SERVER_USER
ErrorLog "$SW/apache/error.log"
LogLevel warn
LoadModule mpm_prefork_module $mods/mod_mpm_prefork.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule mime_module $mods/mod_mime.so
LoadModule dir_module $mods/mod_dir.so
LoadModule alias_module $mods/mod_alias.so
LoadModule cgi_module $mods/mod_cgi.so
LoadModule php_module $mods/libphp8.2.so
TypesConfig /etc/mime.types
DirectoryIndex index.php index.html
LogFormat "%h %t \"%r\" %>s %b" common
CustomLog "$SW/apache/access.log" common
<FilesMatch "\.php$">
  SetHandler application/x-httpd-php
</FilesMatch>
# PHP 8.2's deprecation notices would land inside the RPC replies.
php_admin_flag display_errors off
php_admin_value error_log "$SW/apache/php.log"
DocumentRoot "$proot/html/user"
Include "$proot/$PROJECT.httpd.conf"
CONF
  apache2 -f "$SW/apache/apache2.conf" -k start
  wait_until 30 curl -fsS -o /dev/null "http://$SERVER_HOST/$PROJECT/" || { tail -20 "$SW/apache/error.log"; return 1; }
}

server_up() {
  SW=$1
  local tree=$2 t0=$SECONDS
  mkdir -p "$SW/home" "$SW/bin" "$SW/projects"
  # BOINC's Python tools call `python`; Debian 12 has only python3.
  ln -sf /usr/bin/python3 "$SW/bin/python"
  ip link set lo up
  # bin/start starts the daemons of the config.xml <host> that is this machine's name.
  hostname "$SERVER_NODE"
  cp /etc/hosts "$SW/etc-hosts"
  echo "127.0.0.1 $SERVER_HOST $SERVER_NODE" >>"$SW/etc-hosts"
  mount --bind "$SW/etc-hosts" /etc/hosts
  slog "MariaDB"
  server_db_up
  slog "MariaDB up ($((SECONDS - t0)) s); make_project"
  chown -R "$SERVER_USER:$SERVER_USER" "$SW/home" "$SW/projects"
  (cd "$tree/tools" && as_server ./make_project --no_query --srcdir "$tree" \
    --project_root "$SW/projects/$PROJECT" --project_host "$SERVER_HOST" --url_base "http://$SERVER_HOST/" \
    --db_host 127.0.0.1 --db_user "$DB_USER" --db_passwd "$DB_PASS" --user_name "$SERVER_USER" \
    "$PROJECT" "platformd test project") >"$SW/make_project.log" 2>&1 || { tail -30 "$SW/make_project.log"; return 1; }
  slog "project made ($((SECONDS - t0)) s); Apache"
  server_apache_up
  slog "Apache up ($((SECONDS - t0)) s)"
}

server_down() {
  local proot=$SW/projects/$PROJECT
  if [ -x "$proot/bin/stop" ]; then (cd "$proot" && as_server bin/stop) >/dev/null 2>&1 || true; fi
  if [ -f "$SW/apache/httpd.pid" ]; then apache2 -f "$SW/apache/apache2.conf" -k stop 2>/dev/null || true; fi
  if [ -f "$SW/db/pid" ]; then kill "$(cat "$SW/db/pid")" 2>/dev/null || true; fi
}

# server_apps BUILD_DIR: the apps as a project ships them, published with BOINC's own tools.
#  fpapp (x86_64): two versions, a plain one and one of plan class "avx" (plan_class_spec.xml:
#    the host must report the avx CPU feature), both static;
#  armapp (aarch64): the same kernel built for aarch64, native work for an ARM board.
# update_versions signs each executable with the project's code-signing key (it asks first:
# "y" to each question). Then the validator and assimilator of each app join the daemons.
server_apps() {
  local b=$1 proot=$SW/projects/$PROJECT
  mkdir -p "$b"
  gcc -O2 -static -o "$b/fpapp" "$SERVER_FILES/fpapp.c" -lm
  gcc -O2 -mavx -static -o "$b/fpapp-avx" "$SERVER_FILES/fpapp.c" -lm
  aarch64-linux-gnu-gcc -O2 -static -o "$b/armapp" "$SERVER_FILES/fpapp.c" -lm
  local x=x86_64-pc-linux-gnu a=aarch64-unknown-linux-gnu
  as_server mkdir -p "$proot/apps/fpapp/1.00/$x" "$proot/apps/fpapp/1.00/${x}__avx" "$proot/apps/armapp/1.00/$a"
  install -o "$SERVER_USER" -m 0755 "$b/fpapp" "$proot/apps/fpapp/1.00/$x/fpapp_1.00_$x"
  install -o "$SERVER_USER" -m 0755 "$b/fpapp-avx" "$proot/apps/fpapp/1.00/${x}__avx/fpapp_1.00_${x}__avx"
  install -o "$SERVER_USER" -m 0755 "$b/armapp" "$proot/apps/armapp/1.00/$a/armapp_1.00_$a"
  as_server tee "$proot/project.xml" >/dev/null <<XML
<boinc>
  <platform><name>$x</name><user_friendly_name>Linux on x86_64</user_friendly_name></platform>
  <platform><name>$a</name><user_friendly_name>Linux on ARM64</user_friendly_name></platform>
  <app><name>fpapp</name><user_friendly_name>FP kernel (x86_64 only)</user_friendly_name></app>
  <app><name>armapp</name><user_friendly_name>FP kernel (ARM64)</user_friendly_name></app>
</boinc>
XML
  as_server tee "$proot/plan_class_spec.xml" >/dev/null <<XML
<plan_classes>
  <plan_class>
    <name>avx</name>
    <cpu_feature>avx</cpu_feature>
    <projected_flops_scale>1.1</projected_flops_scale>
  </plan_class>
</plan_classes>
XML
  local app
  for app in fpapp armapp; do
    as_server tee "$proot/templates/${app}_in" >/dev/null <<XML
<file_info>
  <number>0</number>
</file_info>
<workunit>
  <file_ref>
    <file_number>0</file_number>
    <open_name>in</open_name>
    <copy_file/>
  </file_ref>
  <rsc_fpops_est>1e10</rsc_fpops_est>
  <rsc_fpops_bound>1e14</rsc_fpops_bound>
  <rsc_memory_bound>100000000</rsc_memory_bound>
  <rsc_disk_bound>100000000</rsc_disk_bound>
  <delay_bound>86400</delay_bound>
</workunit>
XML
    as_server tee "$proot/templates/${app}_out" >/dev/null <<'XML'
<file_info>
  <name><OUTFILE_0/></name>
  <generated_locally/>
  <upload_when_present/>
  <max_nbytes>65536</max_nbytes>
  <url><UPLOAD_URL/></url>
</file_info>
<result>
  <file_ref>
    <file_name><OUTFILE_0/></file_name>
    <open_name>out</open_name>
    <copy_file/>
  </file_ref>
</result>
XML
  done
  (cd "$proot" && as_server bin/xadd) >"$SW/xadd.log" 2>&1 || { cat "$SW/xadd.log"; return 1; }
  # Answers on stdin ahead of time (`yes` would die of SIGPIPE and fail the pipeline).
  (cd "$proot" && printf 'y\n%.0s' $(seq 1 20) | as_server bin/update_versions) >"$SW/update_versions.log" 2>&1 ||
    { tail -30 "$SW/update_versions.log"; return 1; }
  # The validator and assimilator of each app, started by bin/start with the others.
  python3 - "$proot/config.xml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
# bin/start locks, logs and records the PID of a daemon under its program's name unless told
# otherwise: the second validator (and assimilator) would find the first one's lock and never
# run. Each gets its own.
extra = "".join(f"    <daemon>\n      <cmd>{c} -d 3 --app {a}</cmd>\n      <output>{c}_{a}.log</output>\n"
                f"      <pid_file>{c}_{a}.pid</pid_file>\n    </daemon>\n"
                for a in ("fpapp", "armapp") for c in ("sample_bitwise_validator", "sample_assimilator"))
s = s.replace("</daemons>", extra + "  </daemons>", 1)
# The two replicas of a workunit go to two users (so two hosts), as a project that validates
# by comparison wants them.
s = s.replace("</config>", "  <one_result_per_user_per_wu>1</one_result_per_user_per_wu>\n"
              "    <one_result_per_host_per_wu>1</one_result_per_host_per_wu>\n  </config>", 1)
open(p, "w").write(s)
PY
}

# server_work APP NAME SEED N [QUORUM]: one workunit, min_quorum and target_nresults QUORUM
# (default 2: two replicas, each computed by another host, compared by the bitwise validator).
server_work() {
  local app=$1 name=$2 q=${5:-2} proot=$SW/projects/$PROJECT
  echo "$3 $4" >"$SW/${name}_in"
  install -o "$SERVER_USER" -m 0644 "$SW/${name}_in" "$proot/${name}_in"
  (cd "$proot" && as_server bin/stage_file --copy "${name}_in" &&
    as_server bin/create_work --appname "$app" --wu_name "$name" --wu_template "templates/${app}_in" \
      --result_template "templates/${app}_out" --min_quorum "$q" --target_nresults "$q" "${name}_in")
}

server_start_daemons() {
  (cd "$SW/projects/$PROJECT" && as_server bin/start) || return 1
}
