// `tappaas rollback HOST`: the profile back to its previous generation and that system activated,
// by the same detached agent as a deploy, then verified like a deploy's rollback.
import type { SshRunOptions } from '../ssh/run.js';
import { agentRun, followAgent, newRunId } from './agent-client.js';
import { rollbackStep } from './decide.js';
import { DEFAULTS, HostRun, launchOrFind, probe } from './deploy-host.js';
import { runHealthChecks } from './health.js';
import type { DeployMode, DeployTarget, HostResult } from './types.js';

export interface RollbackOptions {
  /** switch (default) or boot (the previous generation becomes the boot default only). */
  mode?: Exclude<DeployMode, 'test'>;
  healthGraceSeconds?: number;
  activationTimeoutSeconds?: number;
  connectTimeoutSeconds?: number;
  runId?: string;
  onPhase?: (phase: string) => void;
  signal?: AbortSignal;
}

/**
 * Status `rolled-back` when the host now runs (or, for boot, will boot) the previous generation
 * and passes its health checks; `failed` with the phase otherwise. `from`/`to` are the systems
 * before and after.
 */
export async function rollbackHost(target: DeployTarget, opts: RollbackOptions = {}): Promise<HostResult> {
  const mode = opts.mode ?? 'switch';
  const h = new HostRun(target, opts.onPhase);
  const ssh: SshRunOptions = { connectTimeoutSeconds: opts.connectTimeoutSeconds, signal: opts.signal };

  h.enter('preflight');
  const first = await probe(h, ssh);
  if ('error' in first) return h.result({ status: 'failed', phase: 'preflight', error: first.error });
  const from = mode === 'boot' ? first.facts.profile : first.facts.current;

  h.enter('rollback');
  h.runId = opts.runId ?? newRunId();
  const run = agentRun(target, h.runId);
  const launched = await launchOrFind(
    run,
    'rollback-profile',
    { profile: target.profile, current: target.currentSystem, mode },
    ['queued', 'rolling-back'],
    ssh,
  );
  if (launched.launcher) h.launcher = launched.launcher;
  if (launched.error) return h.result({ status: 'failed', phase: 'rollback', error: launched.error, from });
  const timeoutMs = (opts.activationTimeoutSeconds ?? DEFAULTS.activationTimeoutSeconds) * 1000;
  const r = await followAgent(run, rollbackStep, Date.now() + timeoutMs, ssh, launched.status);
  if (!r.ok) return h.result({ status: 'failed', phase: 'rollback', error: r.error, from });
  const to = r.status.to;
  if (r.step.kind === 'failed')
    return h.result({ status: 'failed', phase: 'rollback', error: r.step.error, from, to });

  h.enter('verify');
  const after = await probe(h, ssh);
  if ('error' in after) return h.result({ status: 'failed', phase: 'verify', error: after.error, from, to });
  const now = mode === 'boot' ? after.facts.profile : after.facts.current;
  if (!to || now !== to) {
    return h.result({
      status: 'failed',
      phase: 'verify',
      error: `after the rollback the host is on ${now ?? 'nothing'}, not ${to ?? 'the previous generation'}`,
      from,
      to,
    });
  }
  if (mode !== 'boot') {
    const errors = await runHealthChecks(target, {
      graceSeconds: opts.healthGraceSeconds ?? DEFAULTS.healthGraceSeconds,
      connectTimeoutSeconds: opts.connectTimeoutSeconds,
      signal: opts.signal,
    });
    if (errors.length) {
      return h.result({
        status: 'failed',
        phase: 'health',
        error: `health checks failed: ${errors.join('; ')}`,
        from,
        to,
      });
    }
  }
  return h.result({ status: 'rolled-back', from, to });
}
