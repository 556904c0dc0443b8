#!/usr/bin/env bash
# A single-host Slurm for one test (docs/cluster.md): munged with its own key and socket,
# slurmctld and slurmd with a generated slurm.conf, everything (state, spool, logs, pid files) in
# one folder. No systemd, nothing in /etc touched, nothing listens beyond this machine.
#   tests/slurm/test-slurm.sh up DIR      start; DIR/env holds SLURM_CONF=... (source it)
#   tests/slurm/test-slurm.sh down DIR    stop the daemons by the pids in their pid files
# `up` exits 0 once `sinfo` shows the node idle, else non-zero with the reason on stderr (the
# tests skip with that reason). Needs root (SlurmdUser=root) and Debian's slurm-wlm and munge.
set -euo pipefail

die() { echo "test-slurm: $*" >&2; exit 2; }

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

stop_pidfile() {  # TERM, then KILL after 5 s, by the pid in the file (only if it is still that daemon)
  local file=$1 name=$2 pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 0
  grep -q "$name" "/proc/$pid/comm" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do [ -d "/proc/$pid" ] || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

down() {
  local dir=$1
  stop_pidfile "$dir/slurmd.pid" slurmd
  stop_pidfile "$dir/slurmctld.pid" slurmctld
  stop_pidfile "$dir/munged.pid" munged
}

up() {
  local dir=$1
  [ "$(id -u)" -eq 0 ] || die "needs root (SlurmdUser=root starts the tasks)"
  for p in munged slurmctld slurmd srun sinfo squeue scancel; do
    command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || die "no $p (install the Debian packages slurm-wlm and munge: scripts/install-deps.sh)"
  done
  mkdir -p "$dir"/{state,spool,munge,munge-run}
  local up_dir
  up_dir=$(cd "$dir/.." && pwd -P)
  while [ "$up_dir" != / ]; do  # munged refuses a socket below a folder others cannot search
    [ "$(( $(stat -c '%a' "$up_dir") & 1 ))" -eq 1 ] || die "$up_dir is not searchable by all (chmod o+x), which munged requires above its socket"
    up_dir=$(dirname "$up_dir")
  done
  # munged wants every folder above its socket searchable by all, and its key folder private.
  chmod 0755 "$dir" "$dir/munge-run"
  chmod 0700 "$dir/munge"
  dir=$(cd "$dir" && pwd -P)
  # munged: its own key (1 KiB random, 0400), socket, pid, log and seed files.
  head -c 1024 /dev/urandom > "$dir/munge/munge.key"
  chmod 0400 "$dir/munge/munge.key"
  local sock="$dir/munge-run/munge.socket"
  /usr/sbin/munged --key-file="$dir/munge/munge.key" --socket="$sock" --pid-file="$dir/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" \
    || die "munged did not start: $(tail -c 400 "$dir/munge/munged.log" 2>/dev/null)"
  for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
  [ -S "$sock" ] || die "munged made no socket: $(tail -c 400 "$dir/munge/munged.log" 2>/dev/null)"

  # The node line exactly as slurmd -C prints it (CPUs, sockets, cores, threads, memory).
  local node host
  node=$(/usr/sbin/slurmd -C | head -1)
  host=$(hostname -s)
  [[ $node == NodeName=* ]] || die "slurmd -C printed no node line: $node"
  local ctld_port slurmd_port
  ctld_port=$(free_port); slurmd_port=$(free_port)
  while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
  cat > "$dir/slurm.conf" <<CONF
ClusterName=tailprune-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MessageTimeout=10
KillWait=2
InactiveLimit=0
$node
PartitionName=test Nodes=ALL Default=YES State=UP MaxTime=INFINITE
CONF
  echo "SLURM_CONF=$dir/slurm.conf" > "$dir/env"
  export SLURM_CONF="$dir/slurm.conf"
  /usr/sbin/slurmctld -i || { down "$dir"; die "slurmctld did not start: $(tail -c 600 "$dir/slurmctld.log" 2>/dev/null)"; }
  /usr/sbin/slurmd || { down "$dir"; die "slurmd did not start: $(tail -c 600 "$dir/slurmd.log" 2>/dev/null)"; }
  local state=""
  for _ in $(seq 300); do
    state=$(sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)
    [ "$state" = idle ] && break
    sleep 0.1
  done
  if [ "$state" != idle ]; then
    local why
    why="node state '${state:-none}' after 30 s: $(tail -c 400 "$dir/slurmctld.log" 2>/dev/null) / $(tail -c 400 "$dir/slurmd.log" 2>/dev/null)"
    down "$dir"; die "$why"
  fi
}

case "${1:-}" in
  up) [ -n "${2:-}" ] || die "usage: $0 up DIR"; up "$2" ;;
  down) [ -n "${2:-}" ] || die "usage: $0 down DIR"; down "$2" ;;
  *) die "usage: $0 up|down DIR" ;;
esac
