// One host, start to finish: preflight, skip if unchanged, copy, detached activation with a
// dead-man switch, confirmation over a fresh connection, health checks, and on failure a
// rollback that is verified (the old system runs and passes its health checks again).
import { SshError, type SshRunOptions } from '../ssh/run.js';
import {
  type AgentRun,
  agentRun,
  confirmAgent,
  followAgent,
  type Launched,
  launchAgent,
  launcherOf,
  newRunId,
} from './agent-client.js';
import { copyClosure } from './copy.js';
import { readCurrentSystem } from './current-system.js';
import {
  type AgentStatus,
  deployStep,
  isUnchanged,
  type ProbeFacts,
  parseKeyValues,
  rollbackProblem,
  rollbackStep,
} from './decide.js';
import { runHealthChecks } from './health.js';
import type { AgentCommand } from './remote-commands.js';
import type { DeployMode, DeployTarget, HostDeployRequest, HostResult } from './types.js';

export const DEFAULTS = {
  healthGraceSeconds: 30,
  activationTimeoutSeconds: 600,
  copyTimeoutSeconds: 1800,
};

/** Phase bookkeeping and the result constructor shared by deploy and rollback. */
export class HostRun {
  readonly phases: string[] = [];
  private readonly started = Date.now();
  launcher: HostResult['launcher'];
  runId: string | undefined;

  constructor(
    readonly target: DeployTarget,
    private readonly onPhase?: (phase: string) => void,
  ) {}

  enter(phase: string): void {
    this.phases.push(phase);
    this.onPhase?.(phase);
  }

  get phase(): string {
    return this.phases[this.phases.length - 1] ?? 'preflight';
  }

  result(r: Omit<HostResult, 'name'>): HostResult {
    const out: HostResult = { name: this.target.name, ...r };
    if (this.launcher) out.launcher = this.launcher;
    if (this.runId) out.runId = this.runId;
    out.phases = [...this.phases];
    out.durationMs = Date.now() - this.started;
    return out;
  }
}

export async function probe(
  h: HostRun,
  ssh: SshRunOptions,
): Promise<{ facts: ProbeFacts } | { error: string }> {
  try {
    return { facts: await readCurrentSystem(h.target, ssh) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * After the target rolled back (by itself or when told to): is it on `previous` again, and does
 * the old system pass the health checks? The problem, or undefined.
 */
export async function verifyRollback(
  h: HostRun,
  mode: DeployMode,
  previous: string | undefined,
  graceSeconds: number,
  ssh: SshRunOptions,
): Promise<string | undefined> {
  h.enter('verify');
  if (!previous) return 'the target recorded no previous system to return to';
  const p = await probe(h, ssh);
  if ('error' in p) return `cannot verify the rollback: ${p.error}`;
  const problem = rollbackProblem(mode, previous, p.facts);
  if (problem) return problem;
  if (mode === 'boot') return undefined; // the running system never changed
  const errors = await runHealthChecks(h.target, {
    graceSeconds,
    connectTimeoutSeconds: ssh.connectTimeoutSeconds,
    signal: ssh.signal,
    ...(ssh.controlPath ? { controlPath: ssh.controlPath } : {}),
  });
  return errors.length ? `the previous system fails its health checks: ${errors.join('; ')}` : undefined;
}

/**
 * Deploys `req.toplevel` to one host. Never throws for a host problem; the result says:
 * - `unchanged`: the host already runs (switch/test) or boots (boot) the toplevel; nothing copied.
 * - `deployed`: activated, confirmed over a fresh connection, health checks passed.
 * - `rolled-back` (phase activate | confirm | health): the new system failed and the host is
 *   verifiably back on the previous one, which passes its health checks again.
 * - `failed` (phase preflight | copy | activate | confirm | rollback | verify): nothing changed
 *   (preflight, copy), or the deployer lost the host, or the rollback could not be verified.
 * Aborting `signal` stops the deployer where it is (`failed`, error `cancelled`); an agent that was
 * started and is left unconfirmed rolls the host back by itself after `confirmTimeoutSeconds`.
 */
export async function deployHost(req: HostDeployRequest, signal?: AbortSignal): Promise<HostResult> {
  const t = req.target;
  const h = new HostRun(t, req.onPhase);
  const ssh: SshRunOptions = {
    connectTimeoutSeconds: req.connectTimeoutSeconds,
    signal,
    ...(req.controlPath ? { controlPath: req.controlPath } : {}),
  };
  const grace = req.healthGraceSeconds ?? DEFAULTS.healthGraceSeconds;
  const activationMs = (req.activationTimeoutSeconds ?? DEFAULTS.activationTimeoutSeconds) * 1000;
  const to = req.toplevel;
  // The agent counts whole seconds in sh arithmetic; zero would roll back at once.
  const confirmSeconds = Math.max(1, Math.ceil(req.confirmTimeoutSeconds));
  const cancelled = (from?: string) =>
    h.result({ status: 'failed', phase: h.phase, error: 'cancelled', from, to });

  h.enter('preflight');
  const first = req.preflight ? { facts: req.preflight } : await probe(h, ssh);
  if ('error' in first) return h.result({ status: 'failed', phase: 'preflight', error: first.error, to });
  const from = first.facts.current;
  if (isUnchanged(req.mode, first.facts, to)) return h.result({ status: 'unchanged', from, to });
  if (signal?.aborted) return cancelled(from);

  h.enter('copy');
  const copyError = await copyClosure(t, to, {
    connectTimeoutSeconds: req.connectTimeoutSeconds,
    ...(req.controlPath ? { controlPath: req.controlPath } : {}),
    timeoutMs: (req.copyTimeoutSeconds ?? DEFAULTS.copyTimeoutSeconds) * 1000,
    signal,
  });
  if (signal?.aborted) return cancelled(from);
  if (copyError) return h.result({ status: 'failed', phase: 'copy', error: copyError, from, to });

  h.enter('activate');
  h.runId = req.runId ?? newRunId();
  const run = agentRun(t, h.runId);
  const launched = await launchOrFind(
    run,
    'deploy',
    {
      profile: t.profile,
      current: t.currentSystem,
      toplevel: to,
      mode: req.mode,
      timeout: String(confirmSeconds),
    },
    ['queued', 'activating'],
    ssh,
  );
  if (launched.launcher) h.launcher = launched.launcher;
  if (launched.error)
    return h.result({ status: 'failed', phase: 'activate', error: launched.error, from, to });

  const activated = await followAgent(run, deployStep, Date.now() + activationMs, ssh, launched.status);
  if (!activated.ok) {
    if (activated.cancelled) return cancelled(from);
    return h.result({ status: 'failed', phase: 'activate', error: activated.error, from, to });
  }
  let step = activated.step;
  let previous = activated.status.previous;

  if (step.kind === 'confirm') {
    h.enter('confirm');
    // The agent's clock started a moment before we saw its state: stay inside its window.
    const window = Date.now() + confirmSeconds * 1000;
    // confirmAgent never uses the shared connection (see there).
    const confirmed = await confirmAgent(run, window, ssh);
    if (signal?.aborted) return cancelled(from);
    const initial = 'status' in confirmed ? confirmed.status : undefined;
    const after = await followAgent(
      run,
      deployStep,
      Math.max(window, Date.now()) + activationMs,
      ssh,
      initial,
    );
    if (!after.ok) {
      if (after.cancelled) return cancelled(from);
      const error =
        'error' in confirmed
          ? `could not confirm (${confirmed.error}); ${after.error}; unconfirmed, the target rolls back by itself`
          : `confirmed, then lost the host: ${after.error}`;
      return h.result({
        status: 'failed',
        phase: 'confirm',
        error,
        from,
        to,
      });
    }
    step = after.step;
    previous = after.status.previous ?? previous;
  }

  if (step.kind === 'failed')
    return h.result({ status: 'failed', phase: step.phase, error: step.error, from, to });
  if (step.kind === 'rolled-back') {
    const problem = await verifyRollback(h, req.mode, previous, grace, ssh);
    if (problem) {
      return h.result({
        status: 'failed',
        phase: 'rollback',
        error: `${step.error}; rollback not verified: ${problem}`,
        from,
        to,
      });
    }
    return h.result({ status: 'rolled-back', phase: step.phase, error: step.error, from, to });
  }
  if (step.kind !== 'confirmed') {
    return h.result({
      status: 'failed',
      phase: h.phase,
      error: `unexpected agent step ${step.kind}`,
      from,
      to,
    });
  }

  h.enter('health');
  // `boot` leaves the old system running: there is nothing new to check until a reboot.
  const unhealthy =
    req.mode === 'boot'
      ? []
      : await runHealthChecks(t, {
          graceSeconds: grace,
          connectTimeoutSeconds: req.connectTimeoutSeconds,
          signal,
          ...(req.controlPath ? { controlPath: req.controlPath } : {}),
        });
  if (signal?.aborted) return cancelled(from);
  if (unhealthy.length === 0) return h.result({ status: 'deployed', from, to });

  const healthError = `health checks failed: ${unhealthy.join('; ')}`;
  const reason = healthError.replace(/\s+/g, ' ');
  const rolled = await rollBackRun(h, run, { 'reason-phase': 'health', reason }, activationMs, ssh);
  if (rolled)
    return h.result({ status: 'failed', phase: 'rollback', error: `${healthError}; ${rolled}`, from, to });
  const problem = await verifyRollback(h, req.mode, previous, grace, ssh);
  if (problem) {
    return h.result({
      status: 'failed',
      phase: 'rollback',
      error: `${healthError}; rollback not verified: ${problem}`,
      from,
      to,
    });
  }
  return h.result({ status: 'rolled-back', phase: 'health', error: healthError, from, to });
}

/** Tells the agent to roll back the run (it uses the run's recorded previous system). */
async function rollBackRun(
  h: HostRun,
  run: AgentRun,
  params: Record<string, string>,
  timeoutMs: number,
  ssh: SshRunOptions,
): Promise<string | undefined> {
  h.enter('rollback');
  const launched = await launchOrFind(run, 'rollback', params, ['queued', 'rolling-back'], ssh);
  if (launched.error) return `could not start the rollback: ${launched.error}`;
  const r = await followAgent(run, rollbackStep, Date.now() + timeoutMs, ssh, launched.status);
  if (!r.ok) return `rollback: ${r.error}`;
  return r.step.kind === 'failed' ? `rollback failed: ${r.step.error}` : undefined;
}

/**
 * Starts the agent. The launch connection stays open a moment to report progress; when it breaks
 * after the agent started (a `launcher=` line came), we simply follow the agent. When it breaks
 * before, a fresh connection finds out whether the agent exists; if it never started, nothing
 * changed on the target.
 */
export async function launchOrFind(
  run: AgentRun,
  command: AgentCommand,
  params: Record<string, string>,
  whileStates: readonly string[],
  ssh: SshRunOptions,
): Promise<{ launcher?: Launched['launcher']; status?: AgentStatus; error?: string }> {
  try {
    return await launchAgent(run, command, params, whileStates, ssh);
  } catch (e) {
    if (!(e instanceof SshError) || e.kind === 'aborted') return { error: (e as Error).message };
    if (parseKeyValues(e.result.stdout).has('launcher')) return { launcher: launcherOf(e.result.stdout) };
    const found = await followAgent(
      run,
      (s) => (s.state ? { kind: 'found' as const } : { kind: 'absent' as const }),
      Date.now() + 60_000,
      ssh,
    );
    if (found.ok && found.step.kind === 'found') return { status: found.status };
    return { error: `${e.message}; the agent did not start` };
  }
}
