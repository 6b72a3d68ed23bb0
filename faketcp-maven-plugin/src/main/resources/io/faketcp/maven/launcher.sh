#!/bin/sh
# Written by faketcp-maven-plugin (goal prepare) for the <jvm> of Surefire and Failsafe: starts
#   @JAVA@
# in a private network namespace, so that tun devices made by the tests cannot collide with a real
# network and no packet leaves the machine. The ways, tried in this order (FAKETCP_NETNS_WAYS, or the
# plugin's <ways>, restricts and orders them):
#   unshare    unshare --net                                   root or CAP_SYS_ADMIN
#   sudo       sudo -n unshare --net, then back to this user with CAP_NET_ADMIN and CAP_NET_RAW (pcap) as ambient
#              capabilities (setpriv), so that build output is not owned by root
#   userns     unshare --user --map-root-user --net            unprivileged user namespaces allowed
#   container  this container's own network namespace as it is  CAP_NET_ADMIN, may not unshare
# When none works, java starts anyway with -Dfaketcp.netns.error=<each way and its fix>: faketcp's
# tests then fail (or skip, if asked) with that reason. Each start is logged to @LOG@.
# What the namespace reaches of the machine (FAKETCP_NETNS_REACH, or the plugin's <reach>): none,
# loopback (its loopback ports; the default) or all, given by pasta through faketcp-reach beside this
# home's bin (see there); the test JVM finds the outcome in FAKETCP_REACH.
# "--faketcp-probe" as the first argument prints the way and the reach that would be used and exits.
set -u
java='@JAVA@'
java_home='@JAVA_HOME@'
launcher_home='@LAUNCHER_HOME@'
log='@LOG@'
ways=${FAKETCP_NETNS_WAYS:-'@WAYS@'}
reach=${FAKETCP_NETNS_REACH:-'@REACH@'}
reach_script=$launcher_home/faketcp-reach
opts='@OPTIONS@'
probe=
if [ "${1:-}" = --faketcp-probe ]; then
  # The chosen way runs this instead of java: what the test JVM would find.
  probe=1
  java=sh
  opts=
  set -- -c 'echo "way: $FAKETCP_WAY"; echo "reach: ${FAKETCP_REACH:-none: not given}"'
fi
# Surefire points JAVA_HOME at this launcher's home when the build does not set it: give the
# test JVM the JDK it really runs on.
if [ "${JAVA_HOME:-}" = "$launcher_home" ]; then
  JAVA_HOME=$java_home
  export JAVA_HOME
fi

# Inside the new namespaces: /sys showing this namespace's interfaces, loopback up, the namespace
# exported so that faketcp knows it is the private one its launcher made, and /etc/resolv.conf and
# /etc/hosts of its own, naming the fake DNS server of the default subnet (192.168.0.254, or
# $FAKETCP_NAMESERVER): every resolver in the test JVM asks it.
names='d=$(mktemp -d "${TMPDIR:-/tmp}/faketcp-names.XXXXXX" 2>/dev/null) && ns=${FAKETCP_NAMESERVER:-192.168.0.254} && printf "nameserver %s\n" "$ns" >"$d/resolv.conf" && printf "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t%s\n" "$(cat /proc/sys/kernel/hostname 2>/dev/null)" >"$d/hosts" && mount --bind "$d/resolv.conf" /etc/resolv.conf 2>/dev/null && mount --bind "$d/hosts" /etc/hosts 2>/dev/null && FAKETCP_RESOLV_CONF=$ns && export FAKETCP_RESOLV_CONF; [ -n "${d:-}" ] && rm -rf "$d"'
setup="mount -t sysfs sysfs /sys 2>/dev/null || true; ip link set lo up 2>/dev/null || true; $names; "'FAKETCP_NETNS=$(readlink /proc/self/ns/net); export FAKETCP_NETNS'

tried=
fail() { # way, what went wrong and the fix
  tried="$tried${tried:+; }$1: $2"
}
first_line() {
  printf '%s' "$1" | head -n 1
}
used() {
  FAKETCP_WAY=$1
  export FAKETCP_WAY
  [ -n "$probe" ] || { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) pid $$: $1" >>"$log"; } 2>/dev/null || true
}
# Starts faketcp-reach for the namespace about to be made (way: root, sudo or userns) and adds to
# $setup the part that waits for it inside; the outcome goes to the log and to FAKETCP_REACH.
with_reach() {
  answer=$("$reach_script" check "$reach" "$1" 2>&1) || answer="faketcp-reach failed: $answer"
  if [ "$answer" != ok ]; then
    setup="$setup; FAKETCP_REACH='none: $(printf '%s' "$answer" | tr -d "'")'; export FAKETCP_REACH"
  elif dir=$(mktemp -d "${TMPDIR:-/tmp}/faketcp-reach.XXXXXX") && mkfifo "$dir/pid" "$dir/ready"; then
    "$reach_script" serve "$reach" "$1" "$dir" </dev/null >/dev/null 2>&1 &
    setup="$setup; $("$reach_script" inner "$dir")"
  else
    setup="$setup; FAKETCP_REACH='none: no temporary directory for faketcp-reach'; export FAKETCP_REACH"
  fi
  [ -n "$probe" ] || setup="$setup; "'{ [ -w "$0" ] && echo "  reach: $FAKETCP_REACH" >>"$0"; } 2>/dev/null'
}
has_net_admin() {
  caps=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status 2>/dev/null)
  [ -n "$caps" ] && [ $(( 0x$caps >> 12 & 1 )) -eq 1 ]
}
in_container() {
  [ -e /.dockerenv ] || [ -e /run/.containerenv ] || [ -n "${container:-}" ] ||
    grep -qE 'docker|containerd|kubepods|libpod|lxc' /proc/1/cgroup 2>/dev/null
}

for way in $ways; do
  case $way in
    unshare)
      if out=$(unshare --net --mount true 2>&1); then
        used "unshare --net (root or CAP_SYS_ADMIN)"
        with_reach root
        exec unshare --net --mount -- sh -c "$setup; exec \"\$@\"" "$log" "$java" $opts "$@"
      fi
      fail "unshare --net" "$(first_line "$out") (needs root or CAP_SYS_ADMIN)" ;;
    sudo)
      if [ "$(id -u)" -eq 0 ]; then
        fail "sudo -n unshare --net" "already root, sudo adds nothing"
      elif ! command -v sudo >/dev/null 2>&1; then
        fail "sudo -n unshare --net" "sudo is not installed"
      elif ! setpriv --help 2>/dev/null | grep -q -- --ambient-caps; then
        fail "sudo -n unshare --net" "setpriv with --ambient-caps (util-linux 2.32+) is missing"
      elif ! out=$(sudo -n -E unshare --net --mount true 2>&1); then
        fail "sudo -n unshare --net" "$(first_line "$out") (allow passwordless sudo, as on GitHub's runners)"
      elif [ ! -r /dev/net/tun ] || [ ! -w /dev/net/tun ]; then
        fail "sudo -n unshare --net" "/dev/net/tun is not readable and writable by $(id -un) (sudo chmod 0666 /dev/net/tun)"
      else
        used "sudo -n unshare --net, then setpriv back to $(id -un) with CAP_NET_ADMIN and CAP_NET_RAW (ambient)"
        with_reach sudo
        exec sudo -n -E unshare --net --mount -- sh -c "$setup"'; u=$1 g=$2; PATH=$3; HOME=$4; USER=$5; LOGNAME=$5; export PATH HOME USER LOGNAME; shift 5; exec setpriv --reuid="$u" --regid="$g" --init-groups --inh-caps=+net_admin,+net_raw --ambient-caps=+net_admin,+net_raw -- "$@"' \
          "$log" "$(id -u)" "$(id -g)" "$PATH" "${HOME:-/}" "$(id -un)" "$java" $opts "$@"
      fi ;;
    userns)
      if out=$(unshare --user --map-root-user --net --mount true 2>&1); then
        used "unshare --user --map-root-user --net (unprivileged user namespace)"
        with_reach userns
        exec unshare --user --map-root-user --net --mount -- sh -c "$setup; exec \"\$@\"" "$log" "$java" $opts "$@"
      fi
      fail "unshare --user --net" "$(first_line "$out") (allow unprivileged user namespaces: sysctl -w kernel.unprivileged_userns_clone=1 or user.max_user_namespaces=10000; on Ubuntu 24.04 kernel.apparmor_restrict_unprivileged_userns=0)" ;;
    container)
      if ! in_container; then
        fail "container" "not in a container"
      elif ! has_net_admin; then
        fail "container" "no CAP_NET_ADMIN (docker run --cap-add NET_ADMIN --device /dev/net/tun)"
      else
        used "this container's own network namespace (CAP_NET_ADMIN, cannot unshare)"
        FAKETCP_NETNS=$(readlink /proc/self/ns/net)
        FAKETCP_REACH="container: the container's own network, as it is (reach does not apply)"
        export FAKETCP_NETNS FAKETCP_REACH
        exec "$java" $opts "$@"
      fi ;;
    *)
      fail "$way" "unknown way (known: unshare sudo userns container)" ;;
  esac
done

why="no private network namespace for the test JVM (faketcp-maven-plugin launcher) - tried $tried"
if [ -n "$probe" ]; then
  echo "none: $why"
  exit 0
fi
{ echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) pid $$: none: $why" >>"$log"; } 2>/dev/null || true
exec "$java" $opts "-Dfaketcp.netns.error=$why" "$@"
