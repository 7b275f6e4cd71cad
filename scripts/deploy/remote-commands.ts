// Pure builders for the shell snippets the deployer runs on a target over SSH. Each is a POSIX
// sh script plus its arguments; `shCommand` turns them into the one string ssh carries.
import { shCommand } from '../ssh/quote.js';
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
      'real() { if [ -e "$1" ]; then readlink -f "$1"; fi; }',
      `printf 'current=%s\\n' "$(real "$1")"`,
      `printf 'profile=%s\\n' "$(real "$2")"`,
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
    'rm -f "$dir/pid"',
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
 */
function statusScript(): string {
  return [
    'd=$1; cur=$2; prof=$3; while=$4; wait=$5',
    'real() { if [ -e "$1" ]; then readlink -f "$1"; fi; }',
    // Cheap on the target, where many runs may wait at once: the state is read with the `read`
    // builtin and the clock once a second, so each 0.1 s tick forks only `sleep`.
    'end=$(( $(date +%s) + wait ))',
    'while [ "$(date +%s)" -lt "$end" ]; do',
    '  i=0',
    '  while [ "$i" -lt 10 ]; do',
    '    s=; { read -r s <"$d/state"; } 2>/dev/null',
    '    case " $while " in *" $s "*) ;; *) break 2 ;; esac',
    '    sleep 0.1 2>/dev/null || { sleep 1; i=9; }',
    '    i=$((i + 1))',
    '  done',
    'done',
    `for k in ${STATUS_KEYS.join(' ')}; do`,
    '  if [ -f "$d/$k" ]; then printf \'%s=%s\\n\' "$k" "$(cat "$d/$k")"; fi',
    'done',
    'printf \'current=%s\\n\' "$(real "$cur")"',
    'printf \'profile=%s\\n\' "$(real "$prof")"',
    'pid=$(cat "$d/pid" 2>/dev/null || true)',
    'if [ -n "$pid" ]; then if kill -0 "$pid" 2>/dev/null; then echo alive=yes; else echo alive=no; fi; fi',
    'if [ -f "$d/log" ]; then printf \'log=%s\\n\' "$(tail -n 5 "$d/log" | tr \'\\n\' \'\\036\')"; fi',
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
  const confirm = shCommand('test -d "$1" && : >"$1/confirm"', [dir]);
  return `${confirm} && ${statusCommand(t, dir, { whileStates: ['waiting-confirm'], maxWaitSeconds })}`;
}
