#!/usr/bin/env bash
# Self-contained Slurm smoke test for deploy/slurm: brings up a private one-node
# Slurm cluster (own munged, slurmctld and slurmd, everything under one temp dir,
# non-default ports), runs a small campaign unsharded and as a 4-task array job
# plus the dependent merge (via submit.sh), and checks that the merged digest
# equals the unsharded one. Tears everything down on exit, pass or fail.
#
# Run as root:  deploy/slurm/smoke-test.sh
# Environment:
#   MCA                   command that runs mca (default: dotnet <repo>/Cli/bin/Release/net10.0/mca.dll,
#                         built with dotnet build if absent)
#   SLURM_SMOKE_STANDIN=1 self-test of the cluster part only: mca is replaced by a stand-in
#                         script (shards record their I/N, merge checks and lists them); no
#                         dotnet, no digest check
#   SLURM_SMOKE_TIMEOUT   seconds to wait for the jobs (default 300)
#   SLURM_SMOKE_PORT      slurmctld port; slurmd uses the next one (default 26817)
#   SLURM_SMOKE_KEEP=1    keep the temp dir (logs, config, outputs) after the run
# Installs munge, slurmctld, slurmd and slurm-client with apt-get if they are missing.
# Exit status 0 only on PASS.
set -euo pipefail

PATH=$PATH:/usr/sbin:/sbin
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
job_timeout=${SLURM_SMOKE_TIMEOUT:-300}
standin=${SLURM_SMOKE_STANDIN:-0}
ctld_port=${SLURM_SMOKE_PORT:-26817}
slurmd_port=$((ctld_port + 1))
shards=4
campaign_args=(--machines 400 --days 60 --seed 3 --batch-size 64)

say() { echo "slurm-smoke: $*"; }
fail() { say "FAIL: $*"; failed_reported=1; exit 1; }

phase=start
result=FAIL
failed_reported=0
cleaned=0
tmp=
started=$SECONDS

# ---------------------------------------------------------------- teardown

alive() { # PID: running and not a zombie
  local state
  state=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

stop_daemon() { # NAME: stop our NAME by the pid files in $tmp/run, bounded
  local name=$1 f pid pids=() i
  for f in "$tmp/run/$name.pid" "$tmp/run/$name.spid"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    # The pid files are in our own fresh temp dir; also require the process to
    # still be that program, so a recycled pid is never signalled.
    [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = "$name" ] || continue
    [[ " ${pids[*]} " == *" $pid "* ]] || pids+=("$pid")
  done
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || continue
    for ((i = 0; i < 100; i++)); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      say "$name ($pid) still running 10 s after SIGTERM: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 30; i++)); do alive "$pid" || break; sleep 0.1; done
    fi
  done
}

show_logs() {
  local f
  for f in "$tmp"/log/* "$tmp"/out/logs/*; do
    [ -f "$f" ] || continue
    # a daemon's stderr (.out) repeats its log file; show it only if there is no log
    case $f in *.out) [ ! -s "${f%.out}.log" ] || continue ;; esac
    echo "slurm-smoke: ---- tail of $f ----"
    tail -n 25 "$f" || true
  done
}

cleanup() {
  local rc=$?
  [ "$cleaned" = 1 ] && return
  cleaned=1
  set +e
  cd /
  trap '' INT TERM
  if [ "$result" != PASS ]; then
    [ "$failed_reported" = 1 ] || say "FAIL: $phase (exit status $rc)"
    [ -n "$tmp" ] && show_logs
    [ "$rc" -ne 0 ] || rc=1
  fi
  if [ -n "$tmp" ] && [ -d "$tmp" ]; then
    say "teardown: cancelling jobs, stopping slurmd, slurmctld, munged"
    if [ -f "$tmp/run/slurmctld.spid" ] && alive "$(cat "$tmp/run/slurmctld.spid")"; then
      timeout 10 scancel --quiet --user=root >/dev/null 2>&1
      local i
      for ((i = 0; i < 30; i++)); do
        [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null)" ] && break
        sleep 0.5
      done
    fi
    stop_daemon slurmd
    stop_daemon slurmctld
    stop_daemon munged
    if [ "${SLURM_SMOKE_KEEP:-0}" = 1 ]; then
      say "kept $tmp"
    else
      rm -rf "$tmp"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- setup

[ "$(id -u)" -eq 0 ] || fail "must run as root (it starts munged, slurmctld and slurmd)"
tmp=$(mktemp -d /tmp/slurm-smoke.XXXXXX)
mkdir -p "$tmp"/{munge,munge-key,run,log,state,spool,out}
# munged wants its socket directory (and the path to it) searchable by all, the
# key private.
chmod 711 "$tmp"
chmod 755 "$tmp/munge"
chmod 700 "$tmp/munge-key"

phase="install packages"
need=()
command -v munged >/dev/null || need+=(munge)
command -v slurmctld >/dev/null || need+=(slurmctld)
command -v slurmd >/dev/null || need+=(slurmd)
command -v sbatch >/dev/null || need+=(slurm-client)
if [ "${#need[@]}" -gt 0 ]; then
  say "installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt_install() { timeout 900 apt-get install -y -q --no-install-recommends "${need[@]}" >>"$tmp/log/apt.log" 2>&1; }
  if ! apt_install; then
    timeout 300 apt-get update -q >>"$tmp/log/apt.log" 2>&1 || true
    apt_install || fail "apt-get install ${need[*]} failed (see $tmp/log/apt.log above)"
  fi
fi
rm -f "$tmp/log/apt.log"
say "$(slurmctld -V), munge $(munged --version 2>&1 | sed -n 's/^munge-\([^ ]*\).*/\1/p')"

port_free() { ! timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
if ! port_free "$ctld_port" || ! port_free "$slurmd_port"; then
  fail "port $ctld_port or $slurmd_port is in use; set SLURM_SMOKE_PORT to a free pair"
fi

# ---------------------------------------------------------------- mca

phase="locate mca"
if [ "$standin" = 1 ]; then
  # Stand-in for mca: checks the options each job passes and records them, so
  # the cluster part (array, shard numbering, threads, dependency, merge) is
  # tested without mca's campaign --shard / merge.
  cat >"$tmp/mca-standin" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
cmd=$1; shift
case $cmd in
  campaign)
    shard='' out='' threads='' rest=()
    while [ $# -gt 0 ]; do
      case $1 in
        --shard) shard=$2; shift ;;
        --shard-out) out=$2; shift ;;
        --threads) threads=$2; shift ;;
        *) rest+=("$1") ;;
      esac
      shift
    done
    [ -n "$shard" ] && [ -n "$out" ] && [ -n "$threads" ] || { echo "mca-standin: campaign needs --shard, --shard-out, --threads" >&2; exit 2; }
    echo "$shard|$threads|${rest[*]}" >"$out"
    echo "mca-standin: campaign shard $shard, $threads threads, ${rest[*]}"
    ;;
  merge)
    json='' files=()
    while [ $# -gt 0 ]; do
      case $1 in
        --json) json=$2; shift ;;
        --*) shift ;;
        *) files+=("$1") ;;
      esac
      shift
    done
    [ -n "$json" ] && [ "${#files[@]}" -gt 0 ] || { echo "mca-standin: merge needs shards and --json" >&2; exit 2; }
    list=$(cut -d'|' -f1 "${files[@]}" | sort -t/ -k1,1n | tr '\n' ' ')
    opts=$(cut -d'|' -f2- "${files[@]}" | sort -u)
    [ "$(wc -l <<<"$opts")" -eq 1 ] || { echo "mca-standin: shards ran with different options: $opts" >&2; exit 3; }
    printf '{\n  "standin": "%s",\n  "shards": "%s",\n  "digest": "%s"\n}\n' \
      "$opts" "${list% }" "$(cat "${files[@]}" | md5sum | cut -c1-32)" >"$json"
    echo "mca-standin: merged ${#files[@]} shards"
    ;;
  *) echo "mca-standin: unknown command $cmd" >&2; exit 2 ;;
esac
EOF
  chmod 755 "$tmp/mca-standin"
  MCA="$tmp/mca-standin"
  say "mca: stand-in $MCA (SLURM_SMOKE_STANDIN=1: cluster self-test, no digest check)"
elif [ -n "${MCA:-}" ]; then
  say "mca: $MCA (from MCA)"
else
  dll=$repo/Cli/bin/Release/net10.0/mca.dll
  command -v dotnet >/dev/null || fail "dotnet not found and MCA not set"
  if [ ! -f "$dll" ]; then
    say "building $dll"
    timeout 1200 dotnet build "$repo/Cli/Mca.Cli.csproj" -c Release -nologo -v q >"$tmp/log/build.log" 2>&1 ||
      fail "dotnet build Cli/Mca.Cli.csproj failed (see build.log above)"
  fi
  MCA="dotnet $dll"
  say "mca: $MCA"
fi
export MCA
read -r -a mca <<<"$MCA"

if [ "$standin" != 1 ]; then
  phase="unsharded campaign"
  timeout 600 "${mca[@]}" campaign "${campaign_args[@]}" --quiet --json "$tmp/whole.json" \
    >"$tmp/log/whole.out" 2>&1 || fail "unsharded campaign failed (see whole.out above)"
  whole=$(sed -n '/"digest": *"/{s/.*"digest": *"\([0-9a-fA-F]*\)".*/\1/p;q}' "$tmp/whole.json")
  [ -n "$whole" ] || fail "no digest in $tmp/whole.json"
  rm -f "$tmp/log/whole.out"
  say "unsharded campaign ${campaign_args[*]}: digest $whole"
fi

# ---------------------------------------------------------------- cluster

phase="start munged"
sock=$tmp/munge/munge.socket
key=$tmp/munge-key/munge.key
if [ ! -s "$key" ]; then
  if command -v mungekey >/dev/null; then
    mungekey --create --keyfile="$key" >/dev/null
  else
    dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
  fi
fi
chmod 600 "$key"
munged --foreground --socket="$sock" --key-file="$key" --pid-file="$tmp/run/munged.pid" \
  --log-file="$tmp/log/munged.log" --seed-file="$tmp/munge/munged.seed" \
  </dev/null >>"$tmp/log/munged.out" 2>&1 &
echo $! >"$tmp/run/munged.spid"
for ((i = 0; ; i++)); do
  if [ -S "$sock" ] && munge -n -S "$sock" 2>/dev/null | unmunge -S "$sock" >/dev/null 2>&1; then break; fi
  alive "$(cat "$tmp/run/munged.spid")" || fail "munged exited"
  [ "$i" -lt 150 ] || fail "munged not answering on $sock after 15 s"
  sleep 0.1
done
say "munged up ($sock)"

phase="write slurm.conf"
node=$(hostname -s)
# "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105"
hw=$(slurmd -C | sed -n '1s/^NodeName=[^ ]* //p')
[[ "$hw" == *CPUs=* && "$hw" == *RealMemory=* ]] || fail "cannot read the node's hardware from slurmd -C: $(slurmd -C 2>&1 | head -n1)"
conf=$tmp/slurm.conf
cat >"$conf" <<EOF
# Private one-node cluster of deploy/slurm/smoke-test.sh
ClusterName=mcasmoke
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
MailProg=/bin/true
MinJobAge=600
KillWait=5
InactiveLimit=0
NodeName=$node NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=smoke Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$conf

phase="start slurmctld and slurmd"
slurmctld -D -f "$conf" </dev/null >>"$tmp/log/slurmctld.out" 2>&1 &
echo $! >"$tmp/run/slurmctld.spid"
for ((i = 0; ; i++)); do
  timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP' && break
  alive "$(cat "$tmp/run/slurmctld.spid")" || fail "slurmctld exited"
  [ "$i" -lt 60 ] || fail "slurmctld not answering after 30 s"
  sleep 0.5
done
slurmd -D -f "$conf" -N "$node" </dev/null >>"$tmp/log/slurmd.out" 2>&1 &
echo $! >"$tmp/run/slurmd.spid"
for ((i = 0; ; i++)); do
  state=$(timeout 5 sinfo -h -n "$node" -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  alive "$(cat "$tmp/run/slurmd.spid")" || fail "slurmd exited"
  [ "$i" -lt 120 ] || fail "node $node is '${state:-?}', not idle, after 60 s"
  sleep 0.5
done
say "cluster up: node $node idle ($hw), slurmctld :$ctld_port, slurmd :$slurmd_port"

# ---------------------------------------------------------------- jobs

phase="submit"
cd "$tmp"
# Small requests so that the 4 shards fit any 1-core, 1 GB node (they queue if fewer cores).
export CAMPAIGN_SBATCH_OPTS="--cpus-per-task=1 --mem-per-cpu=200M --time=10"
export MERGE_SBATCH_OPTS="--mem=200M --time=10"
unset SBATCH_OPTS MCA_ARGS MERGE_ARGS MERGE_PER_MACHINE MERGE_PLOT
submitted=$(timeout 60 "$here/submit.sh" "$shards" "$tmp/out" "${campaign_args[@]}")
echo "$submitted"
array_id=$(sed -n 's/^submit.sh: array job \([0-9]*\) .*/\1/p' <<<"$submitted")
merge_id=$(sed -n 's/^submit.sh: merge job \([0-9]*\) .*/\1/p' <<<"$submitted")
if [ -z "$array_id" ] || [ -z "$merge_id" ]; then fail "cannot read the job ids from submit.sh"; fi

phase="wait for jobs $array_id (array) and $merge_id (merge)"
states() { timeout 10 scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
final='^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE)$'
deadline=$((SECONDS + job_timeout))
while :; do
  a=$(states "$array_id" || true)
  m=$(states "$merge_id" || true)
  if [ -n "$a" ] && [ -n "$m" ] && ! grep -qvE "$final" <<<"$a"$'\n'"$m"; then break; fi
  [ "$SECONDS" -lt "$deadline" ] ||
    fail "jobs not finished after ${job_timeout} s: array [${a//$'\n'/ }], merge [${m//$'\n'/ }]"
  sleep 1
done
a_done=$(grep -c '^COMPLETED$' <<<"$a" || true)
if [ "$a_done" -ne "$shards" ] || [ "$(grep -c . <<<"$a")" -ne "$shards" ]; then
  fail "array job $array_id: $a_done of $shards tasks COMPLETED (states: ${a//$'\n'/ })"
fi
[ "$m" = COMPLETED ] || fail "merge job $merge_id ended $m, not COMPLETED"
say "array job $array_id: $shards tasks COMPLETED; merge job $merge_id COMPLETED ($((SECONDS - deadline + job_timeout)) s)"

phase="check merged result"
merged_json=$tmp/out/campaign.json
[ -s "$merged_json" ] || fail "merge wrote no $merged_json"
merged=$(sed -n '/"digest": *"/{s/.*"digest": *"\([0-9a-fA-F]*\)".*/\1/p;q}' "$merged_json")
[ -n "$merged" ] || fail "no digest in $merged_json"

if [ "$standin" = 1 ]; then
  want=$(for ((i = 0; i < shards; i++)); do printf '%s ' "$i/$shards"; done)
  grep -qF "\"shards\": \"${want% }\"" "$merged_json" ||
    fail "stand-in merge saw shards $(sed -n 's/.*"shards": "\(.*\)".*/\1/p' "$merged_json"), want ${want% }"
  grep -qF "\"standin\": \"1|${campaign_args[*]} --quiet\"" "$merged_json" ||
    fail "stand-in shards ran with $(sed -n 's/.*"standin": "\(.*\)".*/\1/p' "$merged_json"), want 1 thread and ${campaign_args[*]}"
  result=PASS
  say "PASS (stand-in, cluster part only): shards ${want% } with --threads 1 and the campaign options, merged after the array, in $((SECONDS - started)) s"
elif [ "$merged" = "$whole" ]; then
  result=PASS
  say "PASS: merged digest of $shards shards $merged = unsharded digest, in $((SECONDS - started)) s"
else
  fail "merged digest $merged != unsharded digest $whole"
fi
