// What a deploy and a rollback of one host share: phase bookkeeping, the result they return, the
// probe that never throws, and the check that a rollback really brought the old system back.
import { type ProbeFacts, rollbackProblem } from './decide.js';
import type { TargetHost } from './target-host.js';
import type { DeployMode, HostResult } from './types.js';

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
    readonly host: TargetHost,
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
    const out: HostResult = { name: this.host.target.name, ...r };
    if (this.launcher) out.launcher = this.launcher;
    if (this.runId) out.runId = this.runId;
    out.phases = [...this.phases];
    out.durationMs = Date.now() - this.started;
    return out;
  }
}

export async function probe(host: TargetHost): Promise<{ facts: ProbeFacts } | { error: string }> {
  try {
    return { facts: await host.probe() };
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
): Promise<string | undefined> {
  h.enter('verify');
  if (!previous) return 'the target recorded no previous system to return to';
  const p = await probe(h.host);
  if ('error' in p) return `cannot verify the rollback: ${p.error}`;
  const problem = rollbackProblem(mode, previous, p.facts);
  if (problem) return problem;
  if (mode === 'boot') return undefined; // the running system never changed
  const errors = await h.host.health(graceSeconds);
  return errors.length ? `the previous system fails its health checks: ${errors.join('; ')}` : undefined;
}
