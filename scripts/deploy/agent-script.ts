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
import { GEN_OF_FN, REAL_FN, WAITER_FNS, WAKE_FN } from './shell-wait.js';

export const AGENT_SCRIPT = String.raw`#!/bin/sh
set -u
cmd=$1
dir=$2
d=$dir
exec >>"$dir/log" 2>&1 </dev/null
echo $$ >"$dir/pid"

${REAL_FN}
${WAKE_FN}
${WAITER_FNS}
say() { echo "$(date -u +%H:%M:%S) $*"; }
# The state is renamed into place (a reader never sees it half-written) and wakes the waiters;
# the other files are written before the state that makes them meaningful.
put() {
  if [ "$1" = state ]; then
    printf '%s\n' "$2" >"$dir/state.tmp" && mv -f "$dir/state.tmp" "$dir/state" && wake
  else
    printf '%s\n' "$2" >"$dir/$1"
  fi
}
get() { v=; { IFS= read -r v <"$dir/$1"; } 2>/dev/null || true; }
# The generation number of a profile link (system-42-link), or empty.
${GEN_OF_FN}

get profile; profile=$v
get current; current=$v
get mode; mode=$v

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
# Released before the final state is published, so that a deploy started the moment it is seen
# finds the target free; only ever our own lock.
release_lock() { o=; { read -r o <"$lock/pid"; } 2>/dev/null; if [ "$o" = "$$" ]; then rm -rf "$lock"; fi; }
finish() { release_lock; put state "$1"; }
trap release_lock EXIT
trap 'exit 143' TERM INT HUP

# Back to the recorded previous system: the profile to its old generation (the failed one is
# deleted so that a later rollback does not land on it), then the old switch-to-configuration.
do_rollback() {
  get previous; prev=$v
  get previous-generation; pgen=$v
  get new-generation; ngen=$v
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
  if do_rollback; then say "rolled back"; finish rolled-back; else say "rollback failed"; finish rollback-failed; fi
}

deploy() {
  get toplevel; toplevel=$v
  get timeout; timeout=$v
  # What a rollback returns to: the running system, or for boot the system booted next.
  if [ "$mode" = boot ]; then real "$profile"; else real "$current"; fi
  put previous "$r"
  gen_of "$profile"; put previous-generation "$g"
  put state activating
  say "activating $toplevel ($mode), previous $r"
  if [ "$mode" != test ]; then
    if ! nix-env -p "$profile" --set "$toplevel"; then
      roll_back activate "nix-env -p $profile --set failed"
      return
    fi
    gen_of "$profile"; put new-generation "$g"
  fi
  "$toplevel/bin/switch-to-configuration" "$mode"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    roll_back activate "switch-to-configuration $mode exited $rc"
    return
  fi
  put state waiting-confirm
  say "waiting $timeout seconds for confirmation"
  # The confirm command wakes us (shell-wait.ts).
  w_start "$timeout"
  while [ ! -e "$dir/confirm" ] && w_next; do :; done
  w_stop
  if [ -e "$dir/confirm" ]; then say "confirmed"; finish confirmed; return; fi
  roll_back confirm "no confirmation within $timeout seconds"
}

# tappaas rollback HOST: the profile's generation before the current one.
rollback_profile() {
  real "$current"; put previous "$r"
  put state rolling-back
  if nix-env -p "$profile" --rollback; then
    real "$profile"; to=$r
    put to "$to"
    if "$to/bin/switch-to-configuration" "$mode"; then finish rolled-back; return; fi
  fi
  put reason "no older generation of $profile, or its activation failed (see $dir/log)"
  finish rollback-failed
}

case "$cmd" in
  deploy) deploy ;;
  rollback) get reason-phase; phase=$v; get reason; roll_back "$phase" "$v" ;;
  rollback-profile) rollback_profile ;;
  *) put reason "unknown agent command $cmd"; finish rollback-failed ;;
esac
`;
