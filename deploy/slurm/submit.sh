#!/usr/bin/env bash
# Submits an mca campaign as an N-task Slurm array plus a dependent merge job.
#
#   deploy/slurm/submit.sh N OUT_DIR [campaign options...]
#   e.g. MCA="dotnet /opt/mca/mca.dll" deploy/slurm/submit.sh 16 /scratch/fleet \
#          --machines 1000000 --days 365 --seed 7 --policy xen
#
# Task I (0..N-1) writes OUT_DIR/shard-I.mcashard; once all N succeed the merge
# job writes OUT_DIR/campaign.json. Logs go to OUT_DIR/logs/. OUT_DIR must not
# hold shards of an earlier run.
#
# Environment (exported to the jobs):
#   MCA                  command that runs mca (default: mca; must work on the compute nodes)
#   MCA_ARGS             extra campaign options, split on whitespace
#   MERGE_PER_MACHINE=1  merge also writes OUT_DIR/machines.parquet
#   MERGE_PLOT=1         merge also writes OUT_DIR/campaign.svg
#   MERGE_ARGS           extra merge options
# Slurm options (split on whitespace; override the #SBATCH lines):
#   SBATCH_OPTS           for both jobs, e.g. "--partition=batch --account=ras"
#   CAMPAIGN_SBATCH_OPTS  for the array only, e.g. "--cpus-per-task=16 --time=6:00:00"
#   MERGE_SBATCH_OPTS     for the merge only
set -euo pipefail

die() { echo "submit.sh: $*" >&2; exit 2; }

[ "$#" -ge 2 ] || die "usage: submit.sh N OUT_DIR [campaign options...]"
n=$1
out=$2
shift 2
[[ "$n" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, not '$n'"
command -v sbatch >/dev/null || die "sbatch not found"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
shopt -s nullglob
old=("$out"/shard-*.mcashard "$out"/.shard-*.mcashard)
shopt -u nullglob
[ ! -e "$out/campaign.json" ] || old+=("$out/campaign.json")
[ "${#old[@]}" -eq 0 ] || die "$out already holds results of an earlier run (${old[0]}): use an empty OUT_DIR"

export OUT_DIR="$out" SHARDS="$n"
read -r -a common <<<"${SBATCH_OPTS:-}"
read -r -a campaign_opts <<<"${CAMPAIGN_SBATCH_OPTS:-}"
read -r -a merge_opts <<<"${MERGE_SBATCH_OPTS:-}"

array_id=$(sbatch --parsable --array="0-$((n - 1))" --output="$out/logs/shard-%A_%a.out" \
  "${common[@]}" "${campaign_opts[@]}" "$here/campaign.sbatch" "$@")
array_id=${array_id%%;*}   # --parsable prints "id" or "id;cluster"
[[ "$array_id" =~ ^[0-9]+$ ]] || die "sbatch returned '$array_id' for the array, not a job id"

# --kill-on-invalid-dep: if a shard fails, the merge is cancelled instead of pending forever.
if ! merge_id=$(sbatch --parsable --dependency="afterok:$array_id" --kill-on-invalid-dep=yes \
  --output="$out/logs/merge-%j.out" "${common[@]}" "${merge_opts[@]}" "$here/merge.sbatch"); then
  scancel "$array_id" || true
  die "merge submission failed; array job $array_id cancelled"
fi
merge_id=${merge_id%%;*}

echo "submit.sh: array job $array_id ($n shards) -> $out/shard-*.mcashard"
echo "submit.sh: merge job $merge_id (afterok:$array_id) -> $out/campaign.json"
