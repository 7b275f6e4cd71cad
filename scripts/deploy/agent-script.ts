// The program that runs ON the target, detached from the SSH session that started it, so a
// dropped connection cannot stop an activation halfway. POSIX sh only (NixOS, busybox, dash).
// It is the dead-man switch: after activating it waits for a confirm file that the deployer
// writes over a fresh connection, and rolls back by itself when none comes, for every mode
// (switch, test and boot).
//
//   agent.sh deploy|rollback|rollback-profile RUN_DIR
//
// Parameters are files in RUN_DIR written by the launcher (profile, current, toplevel, mode,
// timeout); progress goes to RUN_DIR/state (one word), RUN_DIR/reason, RUN_DIR/log.
// States: queued → activating → waiting-confirm → confirmed, or → rolling-back →
// rolled-back | rollback-failed; `busy` when another run holds the target's lock.

export const AGENT_SCRIPT = String.raw`#!/bin/sh
set -u
cmd=$1
dir=$2
exec >>"$dir/log" 2>&1 </dev/null
echo $$ >"$dir/pid"

say() { echo "$(date -u +%H:%M:%S) $*"; }
put() { printf '%s\n' "$2" >"$dir/$1.tmp" && mv -f "$dir/$1.tmp" "$dir/$1"; }
get() { cat "$dir/$1" 2>/dev/null || true; }
nap() { sleep 0.2 2>/dev/null || sleep 1; }
gen_of() { readlink "$1" 2>/dev/null | sed -n 's/.*-\([0-9][0-9]*\)-link$/\1/p'; }
real() { if [ -e "$1" ]; then readlink -f "$1"; fi; }

profile=$(get profile)
current=$(get current)
mode=$(get mode)

# One run at a time per target: a lock directory next to the run directories, holding the pid.
lock=$(dirname "$dir")/lock
take_lock() {
  if mkdir "$lock" 2>/dev/null; then echo $$ >"$lock/pid"; return 0; fi
  other=$(cat "$lock/pid" 2>/dev/null || true)
  # No pid yet: its owner is between mkdir and echo; a dead pid: a stale lock.
  if [ -z "$other" ] || kill -0 "$other" 2>/dev/null; then return 1; fi
  rm -rf "$lock"
  mkdir "$lock" 2>/dev/null && echo $$ >"$lock/pid"
}
take_lock || {
  put reason "another tappaas deploy run holds $lock (pid $(cat "$lock/pid" 2>/dev/null))"
  put state busy
  exit 1
}
trap 'rm -rf "$lock"' EXIT
trap 'exit 143' TERM INT HUP

# Back to the recorded previous system: the profile to its old generation (the failed one is
# deleted so that a later rollback does not land on it), then the old switch-to-configuration.
do_rollback() {
  prev=$(get previous)
  pgen=$(get previous-generation)
  ngen=$(get new-generation)
  if [ "$mode" != test ]; then
    if [ -n "$pgen" ]; then
      nix-env -p "$profile" --switch-generation "$pgen" || return 1
    elif [ -n "$prev" ]; then
      nix-env -p "$profile" --set "$prev" || return 1
    fi
    if [ -n "$ngen" ] && [ "$ngen" != "$pgen" ]; then
      nix-env -p "$profile" --delete-generations "$ngen" || say "could not delete generation $ngen"
    fi
  fi
  if [ -z "$prev" ] || [ ! -x "$prev/bin/switch-to-configuration" ]; then
    say "no previous system to activate"
    return 1
  fi
  say "activating previous system $prev ($mode)"
  "$prev/bin/switch-to-configuration" "$mode"
}

roll_back() {
  put reason-phase "$1"
  put reason "$2"
  say "rolling back: $2"
  put state rolling-back
  if do_rollback; then put state rolled-back; say "rolled back"; else put state rollback-failed; say "rollback failed"; fi
}

deploy() {
  toplevel=$(get toplevel)
  timeout=$(get timeout)
  # What a rollback returns to: the running system, or for boot the system booted next.
  if [ "$mode" = boot ]; then put previous "$(real "$profile")"; else put previous "$(real "$current")"; fi
  put previous-generation "$(gen_of "$profile")"
  put state activating
  say "activating $toplevel ($mode), previous $(get previous)"
  if [ "$mode" != test ]; then
    if ! nix-env -p "$profile" --set "$toplevel"; then
      roll_back activate "nix-env -p $profile --set failed"
      return
    fi
    put new-generation "$(gen_of "$profile")"
  fi
  "$toplevel/bin/switch-to-configuration" "$mode"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    roll_back activate "switch-to-configuration $mode exited $rc"
    return
  fi
  put state waiting-confirm
  say "waiting $timeout seconds for confirmation"
  deadline=$(( $(date +%s) + timeout ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ -e "$dir/confirm" ]; then put state confirmed; say "confirmed"; return; fi
    nap
  done
  if [ -e "$dir/confirm" ]; then put state confirmed; say "confirmed"; return; fi
  roll_back confirm "no confirmation within $timeout seconds"
}

# tappaas rollback HOST: the profile's generation before the current one.
rollback_profile() {
  put previous "$(real "$current")"
  put state rolling-back
  if nix-env -p "$profile" --rollback; then
    to=$(real "$profile")
    put to "$to"
    if "$to/bin/switch-to-configuration" "$mode"; then put state rolled-back; return; fi
  fi
  put reason "no older generation of $profile, or its activation failed (see $dir/log)"
  put state rollback-failed
}

case "$cmd" in
  deploy) deploy ;;
  rollback) roll_back "$(get reason-phase)" "$(get reason)" ;;
  rollback-profile) rollback_profile ;;
  *) put reason "unknown agent command $cmd"; put state rollback-failed ;;
esac
`;
