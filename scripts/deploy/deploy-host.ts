// One host, start to finish: preflight, skip if unchanged, copy, detached activation with a
// dead-man switch, confirmation over a fresh connection, health checks, and on failure a
// rollback that is verified (the old system runs and passes its health checks again). The
// decisions are made here over a TargetHost; SshHost carries them out over SSH.
import { confirmAgent, followAgent, launchOrFind, newRunId } from './agent-client.js';
import { deployStep, isUnchanged, rollbackStep } from './decide.js';
import { DEFAULTS, HostRun, probe, verifyRollback } from './host-run.js';
import { SshHost } from './ssh-host.js';
import type { TargetHost } from './target-host.js';
import type { HostDeployRequest, HostResult } from './types.js';

/** A deploy request without the connection details: those belong to the TargetHost. */
export type DeployJob = Omit<HostDeployRequest, 'target' | 'connectTimeoutSeconds' | 'controlPath'>;

/** Deploys over SSH: `deployTo` on the request's target, sharing the fleet lock's connection when given. */
export function deployHost(req: HostDeployRequest, signal?: AbortSignal): Promise<HostResult> {
  const host = new SshHost(req.target, {
    connectTimeoutSeconds: req.connectTimeoutSeconds,
    signal,
    ...(req.controlPath ? { controlPath: req.controlPath } : {}),
  });
  return deployTo(host, req, signal);
}

/**
 * Deploys `req.toplevel` to `host`. Never throws for a host problem; the result says:
 * - `unchanged`: the host already runs (switch/test) or boots (boot) the toplevel; nothing copied.
 * - `deployed`: activated, confirmed over a fresh connection, health checks passed.
 * - `rolled-back` (phase activate | confirm | health): the new system failed and the host is
 *   verifiably back on the previous one, which passes its health checks again.
 * - `failed` (phase preflight | copy | activate | confirm | rollback | verify): nothing changed
 *   (preflight, copy), or the deployer lost the host, or the rollback could not be verified.
 * Aborting `signal` stops the deployer where it is (`failed`, error `cancelled`); an agent that was
 * started and is left unconfirmed rolls the host back by itself after `confirmTimeoutSeconds`.
 */
export async function deployTo(host: TargetHost, req: DeployJob, signal?: AbortSignal): Promise<HostResult> {
  const t = host.target;
  const h = new HostRun(host, req.onPhase);
  const grace = req.healthGraceSeconds ?? DEFAULTS.healthGraceSeconds;
  const activationMs = (req.activationTimeoutSeconds ?? DEFAULTS.activationTimeoutSeconds) * 1000;
  const to = req.toplevel;
  // The agent counts whole seconds in sh arithmetic; zero would roll back at once.
  const confirmSeconds = Math.max(1, Math.ceil(req.confirmTimeoutSeconds));
  const cancelled = (from?: string) =>
    h.result({ status: 'failed', phase: h.phase, error: 'cancelled', from, to });

  h.enter('preflight');
  const first = req.preflight ? { facts: req.preflight } : await probe(host);
  if ('error' in first) return h.result({ status: 'failed', phase: 'preflight', error: first.error, to });
  const from = first.facts.current;
  if (isUnchanged(req.mode, first.facts, to)) return h.result({ status: 'unchanged', from, to });
  if (signal?.aborted) return cancelled(from);

  h.enter('copy');
  const copyError = await host.copyClosure(
    to,
    (req.copyTimeoutSeconds ?? DEFAULTS.copyTimeoutSeconds) * 1000,
  );
  if (signal?.aborted) return cancelled(from);
  if (copyError) return h.result({ status: 'failed', phase: 'copy', error: copyError, from, to });

  h.enter('activate');
  const runId = req.runId ?? newRunId();
  h.runId = runId;
  const launched = await launchOrFind(
    host,
    runId,
    'deploy',
    {
      profile: t.profile,
      current: t.currentSystem,
      toplevel: to,
      mode: req.mode,
      timeout: String(confirmSeconds),
    },
    ['queued', 'activating'],
    signal,
  );
  if (launched.launcher) h.launcher = launched.launcher;
  if (launched.error)
    return h.result({ status: 'failed', phase: 'activate', error: launched.error, from, to });

  const activated = await followAgent(
    host,
    runId,
    deployStep,
    Date.now() + activationMs,
    signal,
    launched.status,
  );
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
    // The confirmation never uses the shared connection (see SshHost.confirm).
    const confirmed = await confirmAgent(host, runId, window);
    if (signal?.aborted) return cancelled(from);
    const initial = 'status' in confirmed ? confirmed.status : undefined;
    const after = await followAgent(
      host,
      runId,
      deployStep,
      Math.max(window, Date.now()) + activationMs,
      signal,
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
    const problem = await verifyRollback(h, req.mode, previous, grace);
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
  const unhealthy = req.mode === 'boot' ? [] : await host.health(grace);
  if (signal?.aborted) return cancelled(from);
  if (unhealthy.length === 0) return h.result({ status: 'deployed', from, to });

  const healthError = `health checks failed: ${unhealthy.join('; ')}`;
  const reason = healthError.replace(/\s+/g, ' ');
  const rolled = await rollBackRun(h, runId, { 'reason-phase': 'health', reason }, activationMs, signal);
  if (rolled)
    return h.result({ status: 'failed', phase: 'rollback', error: `${healthError}; ${rolled}`, from, to });
  const problem = await verifyRollback(h, req.mode, previous, grace);
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
  runId: string,
  params: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  h.enter('rollback');
  const launched = await launchOrFind(h.host, runId, 'rollback', params, ['queued', 'rolling-back'], signal);
  if (launched.error) return `could not start the rollback: ${launched.error}`;
  const r = await followAgent(h.host, runId, rollbackStep, Date.now() + timeoutMs, signal, launched.status);
  if (!r.ok) return `rollback: ${r.error}`;
  return r.step.kind === 'failed' ? `rollback failed: ${r.step.error}` : undefined;
}
