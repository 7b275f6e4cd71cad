// Shell functions shared by the target agent and the deployer's status and confirm commands:
// waiting for a run to change without polling, and resolving links without forking. On a target
// where many runs wait at once (and on a test machine that hosts fifty targets), every forked
// `sleep`, `date` or `cat` costs a few milliseconds of CPU; these keep a wait down to about one
// fork a second and a status read to none.
//
// Wake-ups: a waiter makes a FIFO `wait.<pid>` in the run directory and holds it open
// read-write, so a line written before it reads is kept. Whoever changes the run (the agent's
// state, the confirm file) writes a line to every such FIFO (`wake`). A ticker writes `k` once a
// second, as a safety net for a change made without a wake-up (a hand-made confirm file, an
// older agent), and `t` when the time is up. Without mkfifo the callers fall back to polling.
// The functions expect the run directory in `$d`.

/** `real PATH`: sets `r` to PATH with every link resolved, or empty when it does not exist. */
export const REAL_FN = [
  'real() {',
  '  r=',
  // A directory (a system, a profile): cd -P resolves it with no fork; anything else: readlink.
  '  if [ -d "$1" ]; then',
  '    o=$PWD',
  '    if cd -P "$1" 2>/dev/null; then r=$PWD; cd "$o" 2>/dev/null || cd /; fi',
  '  elif [ -e "$1" ]; then',
  '    r=$(readlink -f "$1")',
  '  fi',
  '}',
].join('\n');

/** `wake`: one line to every waiter's FIFO; opening read-write never blocks. */
export const WAKE_FN = [
  'wake() {',
  '  for w in "$d"/wait.*; do',
  '    if [ -p "$w" ]; then { printf \'\\n\' 1<>"$w"; } 2>/dev/null || true; fi',
  '  done',
  '}',
].join('\n');

/**
 * `w_start SECONDS` registers a waiter; `w_next` blocks until a wake-up or tick and fails once
 * SECONDS have passed; `w_stop` cleans up. Register before checking the condition, so that no
 * change between check and wait is missed. Without mkfifo the same calls poll: a 0.1 s sleep
 * per `w_next`, the clock read once a second.
 */
export const WAITER_FNS = [
  'w_start() {',
  '  wf="$d/wait.$$"',
  '  if mkfifo "$wf" 2>/dev/null; then',
  '    exec 3<>"$wf"',
  // The ticker must not hold the SSH session's output open, or the session outlives the wait.
  '    ( n=0; while [ "$n" -lt "$1" ]; do sleep 1; printf \'k\\n\' >&3; n=$((n + 1)); done',
  "      printf 't\\n' >&3 ) >/dev/null 2>&1 </dev/null &",
  '    wt=$!',
  '  else',
  '    wf=; wend=$(( $(date +%s) + $1 )); wi=0',
  '  fi',
  '}',
  'w_next() {',
  '  if [ -n "$wf" ]; then w=; read -r w <&3 || return 1; [ "$w" != t ]; return; fi',
  '  sleep 0.1 2>/dev/null || { sleep 1; wi=9; }',
  '  wi=$((wi + 1))',
  '  if [ "$wi" -ge 10 ]; then wi=0; [ "$(date +%s)" -lt "$wend" ]; fi',
  '}',
  'w_stop() { if [ -n "$wf" ]; then kill "$wt" 2>/dev/null; exec 3>&-; rm -f "$wf"; fi; }',
].join('\n');

/** `gen_of LINK`: sets `g` to the generation number of a profile link (`system-42-link`), or empty. */
export const GEN_OF_FN = [
  'gen_of() {',
  '  g=$(readlink "$1" 2>/dev/null) || g=',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  '  g=${g%-link}; g=${g##*-}',
  '  case "$g" in \'\'|*[!0-9]*) g= ;; esac',
  '}',
].join('\n');
