// The deploy engine's decisions, as pure functions over what was observed on the target.
import type { DeployMode } from './types.js';

/** What one probe saw: the running system, the profile's system, whether systemd runs. */
export interface ProbeFacts {
  current?: string;
  profile?: string;
  systemd: boolean;
}

export function parseKeyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/** Parses `probeCommand` output; undefined when the marker is missing (not our shell talking). */
export function parseProbe(stdout: string): ProbeFacts | undefined {
  if (!stdout.includes('tappaas-probe')) return undefined;
  const kv = parseKeyValues(stdout);
  return {
    current: kv.get('current') || undefined,
    profile: kv.get('profile') || undefined,
    systemd: kv.get('systemd') === 'yes',
  };
}

/**
 * Nothing to do when the host already is where the mode would put it: `test` changes only the
 * running system, `boot` only the profile, `switch` both.
 */
export function isUnchanged(mode: DeployMode, facts: ProbeFacts, toplevel: string): boolean {
  const running = facts.current === toplevel;
  const booted = facts.profile === toplevel;
  if (mode === 'test') return running;
  if (mode === 'boot') return booted;
  return running && booted;
}

export type AgentState =
  | 'queued'
  | 'activating'
  | 'waiting-confirm'
  | 'confirmed'
  | 'rolling-back'
  | 'rolled-back'
  | 'rollback-failed'
  | 'busy';

const STATES: readonly string[] = [
  'queued',
  'activating',
  'waiting-confirm',
  'confirmed',
  'rolling-back',
  'rolled-back',
  'rollback-failed',
  'busy',
];

export interface AgentStatus {
  /** undefined when the run directory has no (known) state. */
  state?: AgentState;
  reason?: string;
  reasonPhase?: string;
  previous?: string;
  previousGeneration?: string;
  newGeneration?: string;
  /** For rollback-profile: the system rolled back to. */
  to?: string;
  current?: string;
  profile?: string;
  /** Whether the agent process still runs (undefined before it started). */
  alive?: boolean;
  /** The last lines of the agent's log, joined. */
  log?: string;
}

export function parseAgentStatus(stdout: string): AgentStatus {
  const kv = parseKeyValues(stdout);
  const state = kv.get('state');
  const alive = kv.get('alive');
  const s: AgentStatus = {
    state: state && STATES.includes(state) ? (state as AgentState) : undefined,
    reason: kv.get('reason') || undefined,
    reasonPhase: kv.get('reason-phase') || undefined,
    previous: kv.get('previous') || undefined,
    previousGeneration: kv.get('previous-generation') || undefined,
    newGeneration: kv.get('new-generation') || undefined,
    to: kv.get('to') || undefined,
    current: kv.get('current') || undefined,
    profile: kv.get('profile') || undefined,
    alive: alive === undefined ? undefined : alive === 'yes',
    log:
      kv
        .get('log')
        ?.split('\x1e')
        .filter((l) => l.trim())
        .join(' | ') || undefined,
  };
  return s;
}

const FINAL: readonly (AgentState | undefined)[] = ['confirmed', 'rolled-back', 'rollback-failed', 'busy'];

const NO_STATE = 'the agent run directory has no state (removed, or the host rebooted and /run was emptied)';

/** What the deployer does next, given one status read of a deploy run. */
export type DeployStep =
  | { kind: 'wait' }
  | { kind: 'confirm' }
  | { kind: 'confirmed' }
  | { kind: 'rolled-back'; phase: string; error: string }
  | { kind: 'failed'; phase: string; error: string };

export function deployStep(s: AgentStatus): DeployStep {
  const why = (fallback: string) =>
    [s.reason ?? fallback, s.log && `log: ${s.log}`].filter(Boolean).join('; ');
  switch (s.state) {
    case 'waiting-confirm':
      return { kind: 'confirm' };
    case 'confirmed':
      return { kind: 'confirmed' };
    case 'rolled-back':
      return {
        kind: 'rolled-back',
        phase: s.reasonPhase ?? 'activate',
        error: why('the target rolled back'),
      };
    case 'rollback-failed':
      return {
        kind: 'failed',
        phase: 'rollback',
        error: `rollback failed after: ${why('an activation failure')}`,
      };
    case 'busy':
      return { kind: 'failed', phase: 'activate', error: why('another deploy runs on the target') };
  }
  // The launcher writes `queued` before anything else: no state means the run directory is gone.
  if (!s.state) return { kind: 'failed', phase: 'activate', error: NO_STATE };
  // Not final and the agent is gone: it was killed (reboot, OOM, someone's kill).
  if (s.alive === false && !FINAL.includes(s.state)) {
    return {
      kind: 'failed',
      phase: 'activate',
      error: why(`the deploy agent died in state ${s.state ?? 'unknown'}`),
    };
  }
  return { kind: 'wait' };
}

/** What a rollback run (after failed health checks, or `tappaas rollback`) came to. */
export type RollbackStep = { kind: 'wait' } | { kind: 'done' } | { kind: 'failed'; error: string };

export function rollbackStep(s: AgentStatus): RollbackStep {
  if (s.state === 'rolled-back') return { kind: 'done' };
  if (s.state === 'rollback-failed' || s.state === 'busy') {
    return {
      kind: 'failed',
      error: [s.reason ?? s.state, s.log && `log: ${s.log}`].filter(Boolean).join('; '),
    };
  }
  if (!s.state) return { kind: 'failed', error: NO_STATE };
  if (s.alive === false && s.state !== 'queued') {
    return { kind: 'failed', error: `the rollback agent died in state ${s.state ?? 'unknown'}` };
  }
  return { kind: 'wait' };
}

/**
 * Whether the target is back on `previous` after a rollback: running it (unless `boot`, which
 * does not change the running system) and booting it (unless `test`, which leaves the profile).
 * Returns the problem, or undefined when verified.
 */
export function rollbackProblem(mode: DeployMode, previous: string, facts: ProbeFacts): string | undefined {
  if (mode !== 'boot' && facts.current !== previous) {
    return `the running system is ${facts.current ?? 'unknown'}, not the previous ${previous}`;
  }
  if (mode !== 'test' && facts.profile !== previous) {
    return `the profile points to ${facts.profile ?? 'nothing'}, not the previous ${previous}`;
  }
  return undefined;
}

/** `systemctl is-system-running` then `---` then the failed units, one per line. */
export type SystemdVerdict =
  | { kind: 'healthy' }
  | { kind: 'starting' }
  | { kind: 'unhealthy'; error: string };

export function systemdVerdict(stdout: string): SystemdVerdict {
  const [head = '', rest = ''] = stdout.split('\n---\n');
  const state = head.trim().split('\n').pop()?.trim() ?? '';
  const failed = rest
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((u) => u && u !== '---');
  if (state === 'starting' || state === 'initializing') return { kind: 'starting' };
  if (failed.length > 0) return { kind: 'unhealthy', error: `failed units: ${failed.join(', ')}` };
  if (state === 'running') return { kind: 'healthy' };
  return { kind: 'unhealthy', error: `systemctl is-system-running says ${state || 'nothing'}` };
}
