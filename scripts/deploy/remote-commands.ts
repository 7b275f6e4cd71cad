// Pure builders for the shell snippets the deployer runs on a target over SSH. Each is a POSIX
// sh script plus its arguments; `shCommand` turns them into the one string ssh carries.
import { shCommand } from '../ssh/quote.js';
import { REAL_FN, WAITER_FNS, WAKE_FN } from './shell-wait.js';
import type { DeployTarget } from './types.js';

export const DEFAULT_STATE_DIR = '/run/tappaas-deploy';

export type AgentCommand = 'deploy' | 'rollback' | 'rollback-profile';

export function runDir(target: Pick<DeployTarget, 'stateDir'>, runId: string): string {
  return `${target.stateDir ?? DEFAULT_STATE_DIR}/${runId}`;
}

/** Prints `tappaas-probe`, then the running system, the profile's system and whether systemd runs. */
export function probeCommand(t: Pick<DeployTarget, 'currentSystem' | 'profile'>): string {
  return shCommand(
    [
      'echo tappaas-probe',
      REAL_FN,
      `real "$1"; printf 'current=%s\\n' "$r"`,
      `real "$2"; printf 'profile=%s\\n' "$r"`,
      'if [ -d /run/systemd/system ]; then echo systemd=yes; else echo systemd=no; fi',
    ].join('\n'),
    [t.currentSystem, t.profile],
  );
}

/**
 * Stores the agent (sent on stdin) and its parameter files in the run directory, then starts it
 * detached: a transient systemd unit where systemd runs (nothing in the SSH session's cgroup, as
 * nixos-rebuild does), else `setsid nohup … &` (a new session: the SSH hangup does not reach it).
 * Prints `launcher=systemd-run|nohup`, then, given `wait`, the status once the agent moved on
 * (one connection for what would otherwise take two).
 */
export function launchCommand(
  t: Pick<DeployTarget, 'currentSystem' | 'profile'>,
  dir: string,
  command: AgentCommand,
  unit: string,
  params: Record<string, string>,
  wait?: StatusWait,
): string {
  const script = [
    'set -e',
    'dir=$1; sub=$2; unit=$3; shift 3',
    'umask 022',
    'mkdir -p "$dir"',
    'cat >"$dir/agent.sh"',
    'while [ $# -gt 1 ]; do printf \'%s\\n\' "$2" >"$dir/$1"; shift 2; done',
    // A rollback run reuses the deploy's directory: its pid file is the finished deploy agent's.
    'if [ -e "$dir/pid" ]; then rm -f "$dir/pid"; fi',
    'echo queued >"$dir/state"',
    'if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then',
    '  systemd-run --unit="$unit" --collect --quiet --setenv=PATH="$PATH" /bin/sh "$dir/agent.sh" "$sub" "$dir"',
    '  echo launcher=systemd-run',
    'else',
    '  s=; if command -v setsid >/dev/null 2>&1; then s=setsid; fi',
    '  $s nohup /bin/sh "$dir/agent.sh" "$sub" "$dir" >/dev/null 2>&1 </dev/null &',
    '  echo launcher=nohup',
    'fi',
  ].join('\n');
  const args = [dir, command, unit];
  for (const [k, v] of Object.entries(params)) {
    if (!/^[a-z][a-z0-9-]*$/.test(k)) throw new Error(`agent parameter name ${k} is not a plain file name`);
    if (v.includes('\n')) throw new Error(`agent parameter ${k} must be one line`);
    args.push(k, v);
  }
  const launch = shCommand(script, args);
  return wait ? `${launch} && ${statusCommand(t, dir, wait)}` : launch;
}

const STATUS_KEYS = [
  'state',
  'reason',
  'reason-phase',
  'previous',
  'previous-generation',
  'new-generation',
  'to',
];

/**
 * Prints the run's status as key=value lines. While the state is one of `whileStates`, first
 * waits (up to `maxWaitSeconds`) for it to move on, so that following a run costs few connections.
 * The wait sleeps on a wake-up FIFO (see shell-wait.ts) and reads files with the `read` builtin:
 * a status read forks nothing but the ticker, once a second, and the log's tail after a failure.
 */
function statusScript(): string {
  return [
    'd=$1; cur=$2; prof=$3; while=$4; wait=$5',
    REAL_FN,
    WAITER_FNS,
    'waiting() { s=; { read -r s <"$d/state"; } 2>/dev/null; case " $while " in *" $s "*) return 0 ;; esac; return 1; }',
    'if [ "$wait" -gt 0 ] && waiting; then',
    '  w_start "$wait"',
    '  while waiting && w_next; do :; done',
    '  w_stop',
    'fi',
    `for k in ${STATUS_KEYS.join(' ')}; do`,
    '  v=; if { IFS= read -r v <"$d/$k"; } 2>/dev/null || [ -n "$v" ]; then printf \'%s=%s\\n\' "$k" "$v"; fi',
    'done',
    'real "$cur"; printf \'current=%s\\n\' "$r"',
    'real "$prof"; printf \'profile=%s\\n\' "$r"',
    'pid=; { read -r pid <"$d/pid"; } 2>/dev/null',
    'alive=',
    'if [ -n "$pid" ]; then if kill -0 "$pid" 2>/dev/null; then alive=yes; else alive=no; fi; echo "alive=$alive"; fi',
    // The log explains a failure; a run that is fine needs no `tail`.
    's=; { read -r s <"$d/state"; } 2>/dev/null',
    'case "$s:$alive" in rolled-back:*|rollback-failed:*|busy:*|*:no) log=1 ;; *) log= ;; esac',
    'if [ -n "$log" ] && [ -f "$d/log" ]; then printf \'log=%s\\n\' "$(tail -n 5 "$d/log" | tr \'\\n\' \'\\036\')"; fi',
  ].join('\n');
}

export interface StatusWait {
  /** Keep waiting while the state is one of these. */
  whileStates: readonly string[];
  maxWaitSeconds: number;
}

export function statusCommand(
  t: Pick<DeployTarget, 'currentSystem' | 'profile'>,
  dir: string,
  wait: StatusWait = { whileStates: [], maxWaitSeconds: 0 },
): string {
  return shCommand(statusScript(), [
    dir,
    t.currentSystem,
    t.profile,
    wait.whileStates.join(' '),
    String(wait.maxWaitSeconds),
  ]);
}

/**
 * The dead-man switch's confirmation: a file the waiting agent looks for. The same connection
 * then waits for the agent to acknowledge it and prints the status.
 */
export function confirmCommand(
  t: Pick<DeployTarget, 'currentSystem' | 'profile'>,
  dir: string,
  maxWaitSeconds: number,
): string {
  const confirm = shCommand(`d=$1\n${WAKE_FN}\ntest -d "$d" && : >"$d/confirm" && wake`, [dir]);
  return `${confirm} && ${statusCommand(t, dir, { whileStates: ['waiting-confirm'], maxWaitSeconds })}`;
}
