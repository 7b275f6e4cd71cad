#!/usr/bin/env bash
# First-boot self-registration of a VM cloned from the tappaas template (VM 8100).
#
# Reads the host name and role cloud-init was given, writes the VM's hardware config and
# facts, commits exactly `nix/hardware/<host>-hw.nix` and `registrations/<host>.json` to
# `registration/<host>` (on top of the fleet's main branch) and pushes them with the VM's
# registration key. CI turns that branch into an onboarding pull request.
#
# Idempotent: a marker records what was pushed; a run whose files equal the marker's, or the
# tip of the remote branch, pushes nothing. Network failures are retried with exponential
# backoff; a rejection by the server's hook is final (retrying cannot change the verdict).
#
# Every path can be moved with an environment variable, so a test can play the VM in a
# temporary root (TAPPAAS_ROOT). Exit codes: 0 registered or nothing to do, 1 bad input or
# rejected by the server, 75 the server stayed unreachable through every attempt.
set -euo pipefail

ROOT=${TAPPAAS_ROOT:-}
ETC=${TAPPAAS_ETC:-$ROOT/etc}
SYS=${TAPPAAS_SYS:-$ROOT/sys}
PROC=${TAPPAAS_PROC:-$ROOT/proc}
CLOUD_DIR=${TAPPAAS_CLOUD_DIR:-$ROOT/var/lib/cloud/instance}
CLOUD_RUN_DIR=${TAPPAAS_CLOUD_RUN_DIR:-$ROOT/run/cloud-init}
STATE_DIR=${TAPPAAS_STATE_DIR:-$ROOT/var/lib/tappaas}
REPO_DIR=${TAPPAAS_REPO_DIR:-$STATE_DIR/fleet}
REPO_URL=${TAPPAAS_REPO_URL:-}
MAIN=${TAPPAAS_MAIN_BRANCH:-main}
KEY=${TAPPAAS_REGISTRATION_KEY:-$STATE_DIR/registration-key}
KNOWN_HOSTS=${TAPPAAS_KNOWN_HOSTS:-$ETC/tappaas/known_hosts}
HWCONFIG_CMD=${TAPPAAS_HWCONFIG_CMD:-nixos-generate-config --show-hardware-config}
ATTEMPTS=${TAPPAAS_ATTEMPTS:-10}
BACKOFF=${TAPPAAS_BACKOFF_SECONDS:-5}
BACKOFF_MAX=${TAPPAAS_BACKOFF_MAX_SECONDS:-300}
MARKER=$STATE_DIR/registered

EX_REJECTED=1
EX_TEMPFAIL=75

log() { printf 'tappaas-register: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit "$EX_REJECTED"
}

# A top-level scalar `key: value` of cloud-init user-data (quotes and comments dropped). Only
# flat keys are read: that is all the template asks the Proxmox snippet to carry.
user_data() {
  local file=$CLOUD_DIR/user-data.txt
  [ -r "$file" ] || return 0
  sed -n "s/^$1:[[:space:]]*//p" "$file" | head -n 1 |
    sed -e 's/[[:space:]]#.*$//' -e 's/[[:space:]]*$//' -e "s/^['\"]//" -e "s/['\"]\$//"
}

instance_data() {
  local file=$CLOUD_RUN_DIR/instance-data.json
  [ -r "$file" ] || return 0
  jq -r "$1 // empty" "$file" 2>/dev/null || true
}

read_hostname() {
  local name=${TAPPAAS_HOSTNAME:-}
  [ -n "$name" ] || name=$(user_data hostname)
  [ -n "$name" ] || name=$(instance_data '.v1.local_hostname')
  [ -n "$name" ] || { [ -r "$ETC/hostname" ] && name=$(head -n 1 "$ETC/hostname"); }
  name=${name%%.*} # the short name of an FQDN
  printf '%s' "$name" | tr -d '[:space:]'
}

read_role() {
  local role=${TAPPAAS_ROLE:-}
  [ -n "$role" ] || role=$(user_data tappaas_role)
  [ -n "$role" ] || { [ -r "$ETC/tappaas/role" ] && role=$(head -n 1 "$ETC/tappaas/role"); }
  printf '%s' "$role" | tr -d '[:space:]'
}

read_vmid() {
  local id=${TAPPAAS_VMID:-}
  [ -n "$id" ] || id=$(user_data tappaas_vmid)
  printf '%s' "$id" | tr -d '[:space:]'
}

# --- facts, each printed as JSON ---------------------------------------------------------

json_lines() { jq -R . | jq -s 'map(select(length > 0))'; }

macs_json() {
  local dev name mac
  for dev in "$SYS"/class/net/*; do
    [ -e "$dev" ] || continue
    name=${dev##*/}
    # Physical (or VirtIO) cards have a device; lo, bridges and tunnels do not.
    if [ "$name" = lo ] || [ ! -e "$dev/device" ]; then continue; fi
    mac=$(tr '[:upper:]' '[:lower:]' <"$dev/address")
    if [ "$mac" != 00:00:00:00:00:00 ]; then printf '%s\n' "$mac"; fi
  done | json_lines
}

addresses_json() {
  {
    # IPv4: the local addresses of the kernel's routing trie.
    if [ -r "$PROC/net/fib_trie" ]; then
      awk '/\/32 host LOCAL/ { print prev } { prev = $2 }' "$PROC/net/fib_trie" | grep -v '^127\.' || true
    fi
    # IPv6: global scope (00) only, written as eight groups without leading zeros.
    if [ -r "$PROC/net/if_inet6" ]; then
      awk '$4 == "00" && $6 != "lo" { print $1 }' "$PROC/net/if_inet6" |
        sed -e 's/.\{4\}/&:/g' -e 's/:$//' -E -e 's/(^|:)0{1,3}/\1/g'
    fi
  } | sort -u | json_lines
}

cpu_json() {
  local model count
  model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' "$PROC/cpuinfo" | head -n 1)
  count=$(grep -c '^processor' "$PROC/cpuinfo" || true)
  [ "${count:-0}" -ge 1 ] || count=1
  jq -n --arg model "${model:-unknown}" --argjson count "$count" '{model: $model, count: $count}'
}

memory_bytes() {
  local kib
  kib=$(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\) kB$/\1/p' "$PROC/meminfo")
  echo $((${kib:-0} * 1024))
}

disks_json() {
  local dev name sectors model
  for dev in "$SYS"/block/*; do
    [ -e "$dev" ] || continue
    name=${dev##*/}
    case $name in loop* | ram* | zram* | sr* | dm-* | md* | nbd*) continue ;; esac
    [ -e "$dev/device" ] || continue
    sectors=$(cat "$dev/size")
    model=$(sed 's/[[:space:]]*$//' "$dev/device/model" 2>/dev/null || true)
    # /sys/block/*/size counts 512-byte sectors whatever the device's block size.
    jq -n --arg name "$name" --argjson size "$((sectors * 512))" --arg model "$model" \
      '{name: $name, sizeBytes: $size} + (if $model == "" then {} else {model: $model} end)'
  done | jq -s .
}

gpus_json() {
  local dev class vendor device driver
  for dev in "$SYS"/bus/pci/devices/*; do
    [ -e "$dev/class" ] || continue
    class=$(cat "$dev/class")
    case $class in 0x03*) ;; *) continue ;; esac
    vendor=$(sed 's/^0x//' "$dev/vendor")
    device=$(sed 's/^0x//' "$dev/device")
    # QEMU's own display adapters (Bochs VGA, VirtIO GPU, Cirrus, QXL, VMware SVGA) are no GPU.
    case $vendor in 1234 | 1af4 | 1013 | 1b36 | 15ad) continue ;; esac
    driver=
    [ -L "$dev/driver" ] && driver=$(basename "$(readlink "$dev/driver")")
    jq -n --arg addr "${dev##*/}" --arg vendor "$vendor" --arg device "$device" --arg driver "$driver" \
      '{pciAddress: $addr, vendorId: $vendor, deviceId: $device} + (if $driver == "" then {} else {driver: $driver} end)'
  done | jq -s .
}

toolkit_version() {
  local v=${TAPPAAS_VERSION:-}
  [ -n "$v" ] || v=$(tappaas --version 2>/dev/null || true)
  printf '%s' "${v:-unknown}"
}

write_payload() {
  local host=$1 role=$2 vmid=$3 key=$4 out=$5 vmid_json=null
  [ -n "$vmid" ] && vmid_json=$vmid
  jq -n \
    --arg hostname "$host" \
    --arg role "$role" \
    --argjson macs "$(macs_json)" \
    --argjson addresses "$(addresses_json)" \
    --argjson vmid "$vmid_json" \
    --argjson cpu "$(cpu_json)" \
    --argjson memory "$(memory_bytes)" \
    --argjson disks "$(disks_json)" \
    --argjson gpus "$(gpus_json)" \
    --arg key "$key" \
    --arg version "$(toolkit_version)" \
    '{hostname: $hostname, role: $role, macs: $macs, addresses: $addresses, proxmoxVmId: $vmid,
      cpu: $cpu, memoryBytes: $memory, disks: $disks, gpus: $gpus, sshHostKey: $key,
      toolkitVersion: $version}' >"$out"
}

# --- git ---------------------------------------------------------------------------------

git_() { git -C "$REPO_DIR" -c user.name="tappaas first boot" -c user.email="root@$HOST" "$@"; }

ssh_command() {
  local cmd="ssh -i $KEY -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=20"
  # With the server's host key pinned in the template, accept nothing else; without it,
  # trust the first key seen and keep it beside the marker.
  if [ -s "$KNOWN_HOSTS" ]; then
    cmd="$cmd -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$KNOWN_HOSTS"
  else
    cmd="$cmd -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=$STATE_DIR/known_hosts"
  fi
  printf '%s %s' "$cmd" "${TAPPAAS_SSH_OPTIONS:-}"
}

# One attempt: fetch, commit if anything changed, push. Returns 0, EX_REJECTED or EX_TEMPFAIL.
sync_and_push() {
  local branch=registration/$HOST out rc remote_reg main_oid parent tree parent_tree commit cloned=
  if [ ! -e "$REPO_DIR/.git" ] && [ ! -e "$REPO_DIR/HEAD" ]; then
    [ -n "$REPO_URL" ] || die "no fleet clone at $REPO_DIR and TAPPAAS_REPO_URL is not set"
    mkdir -p "$(dirname "$REPO_DIR")"
    if ! out=$(git clone --quiet --no-checkout "$REPO_URL" "$REPO_DIR" 2>&1); then
      log "cannot clone $REPO_URL: $out"
      rm -rf "$REPO_DIR"
      return "$EX_TEMPFAIL"
    fi
    cloned=1 # a fresh clone already tracks every branch of origin
  elif [ -n "$REPO_URL" ]; then
    git_ remote set-url origin "$REPO_URL"
  fi
  # One round trip: main, and this host's registration branch if there is one (the pattern may
  # bring a few other registration branches along; only the exact name is used). --prune drops
  # a tracking ref whose branch is gone (merged and deleted after onboarding).
  if [ -z "$cloned" ] && ! out=$(git_ fetch --quiet --prune --no-tags origin "+refs/heads/$MAIN:refs/remotes/origin/$MAIN" \
    "+refs/heads/$branch*:refs/remotes/origin/$branch*" 2>&1); then
    if printf '%s\n' "$out" | grep -q "couldn't find remote ref"; then
      die "origin has no branch $MAIN to register against"
    fi
    log "cannot fetch from origin: $out"
    return "$EX_TEMPFAIL"
  fi
  main_oid=$(git_ rev-parse --verify -q "refs/remotes/origin/$MAIN^{commit}") ||
    die "origin has no branch $MAIN to register against"
  remote_reg=$(git_ rev-parse --verify -q "refs/remotes/origin/$branch^{commit}" || true)

  # Build the commit in a private index: the clone's work tree and branches stay untouched.
  parent=${remote_reg:-$main_oid}
  # (This function runs where errexit is off: every step checks its own status.)
  local hw_oid json_oid
  if ! {
    hw_oid=$(git_ hash-object -w "$WORK/hw.nix") &&
      json_oid=$(git_ hash-object -w "$WORK/registration.json") &&
      tree=$(
        export GIT_INDEX_FILE=$WORK/index
        rm -f "$GIT_INDEX_FILE" &&
          git_ read-tree "$parent" &&
          git_ update-index --add --cacheinfo "100644,$hw_oid,nix/hardware/$HOST-hw.nix" &&
          git_ update-index --add --cacheinfo "100644,$json_oid,registrations/$HOST.json" &&
          git_ write-tree
      ) &&
      parent_tree=$(git_ rev-parse "$parent^{tree}")
  }; then
    die "cannot build the registration commit in $REPO_DIR"
  fi
  if [ "$tree" = "$parent_tree" ]; then
    log "origin already holds this registration of $HOST ($branch or $MAIN at ${parent:0:12}): nothing to push"
    commit=$parent
  else
    commit=$(git_ commit-tree "$tree" -p "$parent" -m "Register $HOST (role $ROLE)" \
      -m "Written on first boot by the tappaas template: hardware config and facts of $HOST.") ||
      die "cannot commit the registration in $REPO_DIR"
    rc=0
    out=$(git_ push --porcelain origin "$commit:refs/heads/$branch" 2>&1) || rc=$?
    printf '%s\n' "$out" | sed 's/^/  /' >&2
    if [ "$rc" -ne 0 ]; then
      # The hook said no (a rejected ref, or the hook's own message): final.
      if printf '%s\n' "$out" | grep -q -e 'remote rejected' -e 'pre-receive hook declined' -e '^!'; then
        log "error: the server rejected the registration of $HOST (see the remote: lines above)"
        return "$EX_REJECTED"
      fi
      log "push failed: will retry"
      return "$EX_TEMPFAIL"
    fi
    log "pushed $branch at ${commit:0:12}"
  fi
  if ! {
    git_ update-ref "refs/heads/$branch" "$commit" &&
      printf 'host=%s\ncommit=%s\ndigest=%s\n' "$HOST" "$commit" "$DIGEST" >"$MARKER.tmp" &&
      mv "$MARKER.tmp" "$MARKER"
  }; then
    die "pushed, but cannot write the marker $MARKER"
  fi
}

# --- main --------------------------------------------------------------------------------

HOST=$(read_hostname)
ROLE=$(read_role)
VMID=$(read_vmid)
[ -n "$HOST" ] || die "no host name: set hostname in the cloud-init user-data (Proxmox: the VM name)"
[[ $HOST =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]] ||
  die "host name \"$HOST\" is not a lower-case RFC 1123 label (a-z, 0-9 and inner \"-\", at most 63 characters): rename the VM"
[ -n "$ROLE" ] || die "no role for $HOST: add \`tappaas_role: <role>\` to the cloud-init user-data (e.g. tappaas_role: vllm)"
[[ $ROLE =~ ^[a-z][a-z0-9-]{0,62}$ ]] || die "role \"$ROLE\" is not a role module name (lower case, e.g. vllm)"
if [ -n "$VMID" ]; then
  [[ $VMID =~ ^[1-9][0-9]{2,8}$ ]] || die "tappaas_vmid \"$VMID\" is not a Proxmox VM id (100 to 999999999)"
fi
HOST_KEY_FILE=$ETC/ssh/ssh_host_ed25519_key.pub
[ -r "$HOST_KEY_FILE" ] || die "no SSH host key at $HOST_KEY_FILE (sshd creates it on first start)"
HOST_KEY=$(head -n 1 "$HOST_KEY_FILE" | sed 's/[[:space:]]*$//')
[[ $HOST_KEY =~ ^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521))\ [A-Za-z0-9+/]+=*(\ .*)?$ ]] ||
  die "$HOST_KEY_FILE does not hold an SSH public key"
positive() { [[ $2 =~ ^[1-9][0-9]{0,5}$ ]] || die "$1=\"$2\" is not a positive whole number"; }
positive TAPPAAS_ATTEMPTS "$ATTEMPTS"
positive TAPPAAS_BACKOFF_SECONDS "$BACKOFF"
positive TAPPAAS_BACKOFF_MAX_SECONDS "$BACKOFF_MAX"
[ -r "$KEY" ] || die "no registration key at $KEY: place the private key in the template before converting it"

mkdir -p "$STATE_DIR"
exec 9>"$STATE_DIR/register.lock"
flock 9

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tappaas-register.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# An admin-given command line (tests put a fake generator here), hence a shell.
if ! sh -c "$HWCONFIG_CMD" >"$WORK/hw.nix"; then die "\`$HWCONFIG_CMD\` failed"; fi
[ -s "$WORK/hw.nix" ] || die "\`$HWCONFIG_CMD\` printed nothing"
write_payload "$HOST" "$ROLE" "$VMID" "$HOST_KEY" "$WORK/registration.json"
DIGEST=$(cat "$WORK/hw.nix" "$WORK/registration.json" | sha256sum | cut -d ' ' -f 1)

if [ -r "$MARKER" ] && grep -qx "host=$HOST" "$MARKER" && grep -qx "digest=$DIGEST" "$MARKER"; then
  log "$HOST is registered and nothing changed since ($MARKER): nothing to push"
  exit 0
fi

export GIT_SSH_COMMAND
GIT_SSH_COMMAND=$(ssh_command)
export GIT_TERMINAL_PROMPT=0

delay=$BACKOFF
attempt=1
while :; do
  rc=0
  sync_and_push || rc=$?
  [ "$rc" -eq 0 ] && exit 0
  [ "$rc" -eq "$EX_TEMPFAIL" ] || exit "$rc"
  if [ "$attempt" -ge "$ATTEMPTS" ]; then
    log "error: gave up after $attempt attempts; the service runs again at the next boot (or: systemctl start tappaas-register)"
    exit "$EX_TEMPFAIL"
  fi
  log "attempt $attempt of $ATTEMPTS failed; next in ${delay}s"
  sleep "$delay"
  attempt=$((attempt + 1))
  delay=$((delay * 2))
  [ "$delay" -le "$BACKOFF_MAX" ] || delay=$BACKOFF_MAX
done
