// `tappaas rollback HOST`: the profile back to its previous generation and that system activated,
// by the same detached agent as a deploy, then verified like a deploy's rollback.
import { followAgent, launchOrFind, newRunId } from './agent-client.js';
import { rollbackStep } from './decide.js';
import { DEFAULTS, HostRun, probe } from './host-run.js';
import { SshHost } from './ssh-host.js';
import type { TargetHost } from './target-host.js';
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

/** Rolls back over SSH: `rollbackOn` the target, each step a fresh connection. */
export function rollbackHost(target: DeployTarget, opts: RollbackOptions = {}): Promise<HostResult> {
  const host = new SshHost(target, {
    connectTimeoutSeconds: opts.connectTimeoutSeconds,
    signal: opts.signal,
  });
  return rollbackOn(host, opts);
}

/**
 * Status `rolled-back` when the host now runs (or, for boot, will boot) the previous generation
 * and passes its health checks; `failed` with the phase otherwise. `from`/`to` are the systems
 * before and after.
 */
export async function rollbackOn(host: TargetHost, opts: RollbackOptions = {}): Promise<HostResult> {
  const target = host.target;
  const mode = opts.mode ?? 'switch';
  const h = new HostRun(host, opts.onPhase);

  h.enter('preflight');
  const first = await probe(host);
  if ('error' in first) return h.result({ status: 'failed', phase: 'preflight', error: first.error });
  const from = mode === 'boot' ? first.facts.profile : first.facts.current;

  h.enter('rollback');
  const runId = opts.runId ?? newRunId();
  h.runId = runId;
  const launched = await launchOrFind(
    host,
    runId,
    'rollback-profile',
    { profile: target.profile, current: target.currentSystem, mode },
    ['queued', 'rolling-back'],
    opts.signal,
  );
  if (launched.launcher) h.launcher = launched.launcher;
  if (launched.error) return h.result({ status: 'failed', phase: 'rollback', error: launched.error, from });
  const timeoutMs = (opts.activationTimeoutSeconds ?? DEFAULTS.activationTimeoutSeconds) * 1000;
  const r = await followAgent(
    host,
    runId,
    rollbackStep,
    Date.now() + timeoutMs,
    opts.signal,
    launched.status,
  );
  if (!r.ok) return h.result({ status: 'failed', phase: 'rollback', error: r.error, from });
  const to = r.status.to;
  if (r.step.kind === 'failed')
    return h.result({ status: 'failed', phase: 'rollback', error: r.step.error, from, to });

  h.enter('verify');
  const after = await probe(host);
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
    const errors = await host.health(opts.healthGraceSeconds ?? DEFAULTS.healthGraceSeconds);
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
