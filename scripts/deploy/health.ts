// Health checks after activation (and again after a rollback, to verify the old system).
// Each check is retried until it passes or the grace period ends: services take a moment.

import { shCommand } from '../ssh/quote.js';
import { classifySsh, lastLines, type SshRunOptions, sshRun } from '../ssh/run.js';
import { systemdVerdict } from './decide.js';
import type { DeployTarget, HealthCheck } from './types.js';

export interface HealthOptions {
  /** How long a check may keep failing before it counts as failed. */
  graceSeconds: number;
  /** Pause between attempts (default 1 s). */
  retryMs?: number;
  connectTimeoutSeconds?: number;
  /** Run SSH checks over this connection master (see HostLock). */
  controlPath?: string;
  signal?: AbortSignal;
}

type Attempt = { ok: true; stdout?: string } | { ok: false; error: string; final?: boolean };

export function describeCheck(c: HealthCheck): string {
  if (c.type === 'http') return `http :${c.port}${c.path}`;
  if (c.type === 'command') return `command \`${c.run}\``;
  return 'systemd';
}

export function httpUrl(address: string, c: Extract<HealthCheck, { type: 'http' }>): string {
  const host = address.includes(':') ? `[${address}]` : address;
  const path = c.path.startsWith('/') ? c.path : `/${c.path}`;
  return `http://${host}:${c.port}${path}`;
}

async function httpAttempt(t: DeployTarget, c: Extract<HealthCheck, { type: 'http' }>): Promise<Attempt> {
  const url = httpUrl(t.address, c);
  const expect = c.expectStatus ?? 200;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout((c.timeoutSeconds ?? 5) * 1000) });
    await res.arrayBuffer();
    return res.status === expect ? { ok: true } : { ok: false, error: `GET ${url} answered ${res.status}` };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    return { ok: false, error: `GET ${url} failed: ${cause}` };
  }
}

async function sshAttempt(
  t: DeployTarget,
  command: string,
  what: string,
  opts: SshRunOptions,
): Promise<Attempt> {
  const r = await sshRun(t, command, opts);
  const kind = classifySsh(r);
  if (kind === 'aborted') return { ok: false, error: `${what}: cancelled`, final: true };
  if (kind === 'unreachable')
    return { ok: false, error: `${what}: host unreachable: ${lastLines(r.stderr, 2)}` };
  if (kind === 'timeout') return { ok: false, error: `${what}: timed out` };
  if (kind === 'failed' && !r.stdout.trim())
    return { ok: false, error: `${what}: exit ${r.code}: ${lastLines(r.stderr, 2)}` };
  return { ok: true, stdout: r.stdout };
}

async function attempt(t: DeployTarget, c: HealthCheck, opts: HealthOptions): Promise<Attempt> {
  const ssh = {
    connectTimeoutSeconds: opts.connectTimeoutSeconds,
    signal: opts.signal,
    ...(opts.controlPath ? { controlPath: opts.controlPath } : {}),
  };
  if (c.type === 'http') return httpAttempt(t, c);
  if (c.type === 'command') {
    const r = await sshRun(t, shCommand(c.run), { ...ssh, timeoutMs: (c.timeoutSeconds ?? 30) * 1000 });
    const kind = classifySsh(r);
    if (!kind) return { ok: true };
    const detail = lastLines(r.stderr, 2) || lastLines(r.stdout, 2);
    const error =
      kind === 'failed'
        ? `command \`${c.run}\` exited ${r.code}${detail ? `: ${detail}` : ''}`
        : `command \`${c.run}\`: ${kind}${detail ? `: ${detail}` : ''}`;
    return { ok: false, error, final: kind === 'aborted' };
  }
  const probe = await sshAttempt(
    t,
    shCommand(
      'systemctl is-system-running; echo ---; systemctl list-units --state=failed --no-legend --plain',
    ),
    'systemd',
    { ...ssh, timeoutMs: 30_000 },
  );
  if (!probe.ok) return probe;
  const v = systemdVerdict(probe.stdout ?? '');
  if (v.kind === 'healthy') return { ok: true };
  return { ok: false, error: v.kind === 'starting' ? 'systemd is still starting' : v.error };
}

/** Retries one check until it passes or the grace period is over; the last error, or undefined. */
async function untilHealthy(
  t: DeployTarget,
  c: HealthCheck,
  opts: HealthOptions,
): Promise<string | undefined> {
  const deadline = Date.now() + opts.graceSeconds * 1000;
  for (;;) {
    const a = await attempt(t, c, opts);
    if (a.ok) return undefined;
    if (a.final || opts.signal?.aborted || Date.now() + (opts.retryMs ?? 1000) > deadline) return a.error;
    await new Promise((r) => setTimeout(r, opts.retryMs ?? 1000));
  }
}

/** Runs all checks at once; the failures, one message each (empty: healthy). */
export async function runHealthChecks(t: DeployTarget, opts: HealthOptions): Promise<string[]> {
  const errors = await Promise.all(t.health.map((c) => untilHealthy(t, c, opts)));
  return errors.flatMap((e, i) => (e ? [`${describeCheck(t.health[i]!)}: ${e}`] : []));
}
