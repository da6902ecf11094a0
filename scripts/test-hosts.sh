#!/usr/bin/env bash
# Test hosts on one machine: N Linux network namespaces, each a "host" with one interface
# (eth0, 10.91.0.(i+1)/24) on a switch (a bridge in a namespace of its own), joined by veth pairs,
# with the links shaped by netem. Open MPI runs one rank per host over its TCP transport, its
# daemons started through this script's `agent` (which wraps `ip netns exec`, in place of ssh),
# so every byte between ranks crosses a network interface. Needs root (or CAP_NET_ADMIN and
# CAP_SYS_ADMIN), iproute2 and Open MPI. See docs/DISTRIBUTED.md.
#
#   scripts/test-hosts.sh check                  exit 0 when namespaces can be made here
#   scripts/test-hosts.sh up N [RATE DELAY]      make hosts 0..N-1 (RATE e.g. 1gbit, DELAY e.g. 0.2ms)
#   scripts/test-hosts.sh mpirun N ARGS...       mpirun on the hosts (made beforehand), one rank each
#   scripts/test-hosts.sh run N RATE DELAY ARGS...
#                                                up, mpirun, down (down also when the run fails)
#   scripts/test-hosts.sh link I up|down         set host I's link up or down (a host that vanishes)
#   scripts/test-hosts.sh bytes                  bytes sent so far by each host's eth0, one line each
#   scripts/test-hosts.sh down                   remove every namespace this prefix made
#   scripts/test-hosts.sh agent HOST COMMAND...  (Open MPI's launcher agent: runs COMMAND on HOST)
#
# Shaping: RATE and DELAY are the host-to-host figures. Each host's link is shaped in both
# directions (netem on eth0 for what it sends, on its switch port for what it receives), each
# with DELAY/2, so a message from one host to another waits DELAY one way and is limited to RATE.
#
# Names: namespaces are "$SWIFTMLP_HOSTS-sw" (the switch) and "$SWIFTMLP_HOSTS-h0", ...; the
# prefix defaults to smlp, and a test sets its own so that runs never share hosts.
set -euo pipefail

PREFIX=${SWIFTMLP_HOSTS:-smlp}
SUBNET=10.91.0
SELF=$(readlink -f "$0")

switch_ns() { echo "$PREFIX-sw"; }
host_ns() { echo "$PREFIX-h$1"; }
host_address() { echo "$SUBNET.$(($1 + 1))"; }
# Each host's own temporary folder. Open MPI keeps its session folders under
# $TMPDIR/ompi.HOSTNAME.UID, and every namespace has this machine's host name: with one shared
# /tmp, a daemon creating its folder while another job (on the same or another test host)
# removes the emptied parent dies silently, and mpirun waits for it forever.
host_tmp() { echo "/tmp/$PREFIX-h$1.tmp"; }

fail() { echo "test-hosts: $*" >&2; exit 1; }

# Every namespace of this prefix, the switch last.
namespaces() { ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "^$PREFIX-(h[0-9]+|sw)$" | sort -r || true; }

check() {
  command -v ip >/dev/null || fail "iproute2's ip is not installed (apt-get install iproute2)"
  local probe="$PREFIX-probe$$"
  ip netns add "$probe" 2>/dev/null || fail "cannot create network namespaces here (needs root or CAP_NET_ADMIN)"
  ip netns del "$probe"
  command -v tc >/dev/null || fail "tc is not installed (apt-get install iproute2)"
}

down() {
  local ns
  for ns in $(namespaces); do
    # Processes left in a namespace (a daemon of a failed run) keep its interfaces alive: end them.
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf /tmp/"$PREFIX"-h*.tmp
}

# Whether this kernel has netem (sch_netem): some, such as small virtual machines' kernels, do not.
has_netem() {
  local probe="$PREFIX-netem$$" status=0
  ip netns add "$probe"
  ip netns exec "$probe" tc qdisc replace dev lo root netem delay 1ms 2>/dev/null || status=1
  ip netns del "$probe"
  return $status
}

# shape NAMESPACE DEVICE RATE HALF_DELAY: netem (rate and delay) where the kernel has it;
# otherwise a token bucket (tbf) for the rate alone, the delay being the link's own.
shape() {
  [ -n "$3" ] || return 0
  if [ "$NETEM" = yes ]; then
    # A queue long enough for a full window at RATE x DELAY (netem's default of 1000 packets drops at 10 Gbit/s).
    ip netns exec "$1" tc qdisc replace dev "$2" root netem rate "$3" delay "$4" limit 100000
  else
    # A bucket of one millisecond of traffic (at least 64 kB), so the rate holds at any timer tick.
    local bits; bits=$(tc_rate_bits "$3")
    local burst=$(( bits / 8 / 1000 > 65536 ? bits / 8 / 1000 : 65536 ))
    ip netns exec "$1" tc qdisc replace dev "$2" root tbf rate "$3" burst "$burst" latency 20ms
  fi
}

# tc_rate_bits 1gbit -> 1000000000 (tc's units: kbit, mbit, gbit, bit).
tc_rate_bits() {
  [[ "$1" =~ ^([0-9]+)(bit|kbit|mbit|gbit)$ ]] || fail "rate '$1': expected a whole number with bit, kbit, mbit or gbit"
  case "${BASH_REMATCH[2]}" in
    bit) echo "${BASH_REMATCH[1]}" ;; kbit) echo $(( BASH_REMATCH[1] * 1000 )) ;;
    mbit) echo $(( BASH_REMATCH[1] * 1000000 )) ;; gbit) echo $(( BASH_REMATCH[1] * 1000000000 )) ;;
  esac
}

up() {
  local count=$1 rate=${2:-} delay=${3:-}
  [[ "$count" =~ ^[1-9][0-9]?$ ]] || fail "host count '$count': expected 1 to 99"
  [ -z "$(namespaces)" ] || fail "hosts of prefix $PREFIX exist already (scripts/test-hosts.sh down)"
  local half=""
  NETEM=no
  if [ -n "$rate" ]; then
    tc_rate_bits "$rate" >/dev/null
    [[ "$delay" =~ ^([0-9]+(\.[0-9]+)?)(us|ms)$ ]] || fail "delay '$delay': expected a number with us or ms, e.g. 0.2ms"
    half="$(awk -v d="${BASH_REMATCH[1]}" 'BEGIN { printf "%g", d / 2 }')${BASH_REMATCH[3]}"
    if has_netem; then NETEM=yes; else
      echo "test-hosts: this kernel has no netem (sch_netem): links limited to $rate by tbf, delay not added" >&2
    fi
  fi
  local sw; sw=$(switch_ns)
  ip netns add "$sw"
  ip -n "$sw" link add br0 type bridge
  ip -n "$sw" link set br0 up
  local i ns
  for ((i = 0; i < count; i++)); do
    ns=$(host_ns "$i")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    mkdir -p "$(host_tmp "$i")"
    # A host that vanished is given up within seconds, not TCP's default quarter of an hour: a
    # connection whose data goes unacknowledged fails after 5 retransmissions (about 6 s).
    ip netns exec "$ns" sysctl -qw net.ipv4.tcp_retries2=5
    ip -n "$ns" link add eth0 type veth peer name "p$i" netns "$sw"
    ip -n "$ns" addr add "$(host_address "$i")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$sw" link set "p$i" master br0
    ip -n "$sw" link set "p$i" up
    shape "$ns" eth0 "$rate" "$half"
    shape "$sw" "p$i" "$rate" "$half"
  done
  # Host 0 reaches every other before a rank is started: a TCP connection to a closed port is
  # refused at once by a host that is there, and times out when it is not.
  for ((i = 1; i < count; i++)); do
    local answer
    answer=$(ip netns exec "$(host_ns 0)" timeout 5 bash -c "echo > /dev/tcp/$(host_address "$i")/9" 2>&1 || true)
    [[ "$answer" == *"refused"* ]] || fail "host 0 cannot reach host $i ($answer)"
  done
}

# The hosts made with `up`, in order.
host_count() { namespaces | grep -c -- "-h[0-9]*$" || true; }

run_mpi() {
  local ranks=$1; shift
  local count; count=$(host_count)
  [ "$ranks" -le "$count" ] || fail "$ranks ranks but $count hosts (scripts/test-hosts.sh up N first)"
  local hosts="" i
  for ((i = 0; i < ranks; i++)); do hosts+="${hosts:+,}$(host_address "$i"):1"; done
  # The hosts share this machine's cores, which Open MPI cannot see: each host looks like a node
  # of its own with one slot, so by default every host's daemon binds its rank to core 0 (all
  # ranks on one core: a batch-1024 step of 2 hosts took 14.3 ms instead of 7.4), and ranks
  # busy-poll while they wait, as on a node with a core each (4 hosts on 2 cores: a one-float
  # allreduce took 8 ms, a scheduler time slice, instead of 0.08). So ranks are not bound and
  # yield while they wait, as each would run on a real host of its own.
  # mpirun itself runs on host 0 and starts the other hosts' daemons through `agent`; ranks talk
  # over TCP on the hosts' subnet only (no shared memory, no loopback shortcut between hosts).
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 TMPDIR=$(host_tmp 0) \
  ip netns exec "$(host_ns 0)" mpirun -np "$ranks" --host "$hosts" \
    --mca plm_rsh_agent "$SELF agent" --mca plm_rsh_no_tree_spawn 1 --mca routed direct \
    --mca btl tcp,self --mca btl_tcp_if_include "$SUBNET.0/24" --mca oob_tcp_if_include "$SUBNET.0/24" \
    --mca oob_tcp_keepalive_time 5 --mca oob_tcp_keepalive_intvl 1 --mca oob_tcp_keepalive_probes 3 \
    --mca btl_base_warn_component_unused 0 --bind-to none --mca mpi_yield_when_idle 1 "$@"
}

agent() {
  local host=$1; shift
  local i
  for ((i = 0; i < 100; i++)); do
    if [ "$host" = "$(host_address "$i")" ]; then
      TMPDIR=$(host_tmp "$i") exec ip netns exec "$(host_ns "$i")" /bin/sh -c "$*"
    fi
  done
  fail "agent: $host is not a test host of prefix $PREFIX"
}

bytes() {
  local ns
  for ns in $(namespaces | grep -- "-h[0-9]*$" | sort -t h -k 2 -n); do
    echo "$ns $(ip netns exec "$ns" cat /sys/class/net/eth0/statistics/tx_bytes)"
  done
}

command=${1:-}; shift || true
case "$command" in
  check) check ;;
  up) [ $# -ge 1 ] || fail "usage: up N [RATE DELAY]"; check; up "$@" ;;
  down) down ;;
  mpirun) [ $# -ge 2 ] || fail "usage: mpirun N ARGS..."; run_mpi "$@" ;;
  run)
    [ $# -ge 4 ] || fail "usage: run N RATE DELAY ARGS... (RATE and DELAY may be '-' for unshaped links)"
    n=$1 rate=$2 delay=$3; shift 3
    [ "$rate" = "-" ] && rate="" delay=""
    check
    trap down EXIT INT TERM
    up "$n" "$rate" "$delay"
    run_mpi "$n" "$@"
    ;;
  link)
    [ $# -eq 2 ] && [[ "$2" =~ ^(up|down)$ ]] || fail "usage: link I up|down"
    ip -n "$(host_ns "$1")" link set eth0 "$2"
    ;;
  bytes) bytes ;;
  agent) agent "$@" ;;
  *) sed -n '2,26p' "$SELF" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
