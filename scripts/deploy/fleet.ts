// Runs a DeployPlan (waves.ts decides, this only executes): the canaries first, then the
// rest, at most `parallel` hosts at a time, each under its per-host lock; stops starting
// hosts once stopReason says so. The per-host work is the engine's (deployHost); this file
// knows nothing of SSH or Nix beyond the FleetEngine interface.
import { mapLimit } from '../util/map-limit.js';
import type { HostLock } from './fleet-lock.js';
import { LockBusyError } from './fleet-lock.js';
import type { DeployMode, DeployTarget, HostDeployRequest, HostResult } from './types.js';
import { type DeployPlan, type HostFacts, skippedResults, stopReason } from './waves.js';

export interface FleetEngine {
  deployHost(req: HostDeployRequest, signal?: AbortSignal): Promise<HostResult>;
  acquireLock(target: DeployTarget): Promise<HostLock>;
}

/** What runPlan reports as hosts start, move on and finish, and when the run stops. */
export type RunEvent =
  | { type: 'start'; host: string; canary: boolean }
  | { type: 'phase'; host: string; phase: string }
  | { type: 'done'; result: HostResult }
  | { type: 'stop'; reason: string };

export interface RunOptions {
  mode: DeployMode;
  maxFailures: number;
  /** Seconds per host before the target rolls itself back unconfirmed. */
  confirmTimeout: (host: string) => number;
  /** Seconds health checks may fail after activation before they count (engine default when absent). */
  healthGraceSeconds?: number;
  onEvent?: (e: RunEvent) => void;
  signal?: AbortSignal;
}

export async function runPlan(
  plan: DeployPlan,
  targets: ReadonlyMap<string, DeployTarget>,
  facts: ReadonlyMap<string, HostFacts>,
  engine: FleetEngine,
  opts: RunOptions,
): Promise<HostResult[]> {
  const emit = opts.onEvent ?? (() => {});
  const canary = new Set(plan.canary);
  const tried: HostResult[] = [];
  let reason: string | undefined;
  const stopped = () => {
    if (opts.signal?.aborted) reason ??= 'interrupted';
    return reason !== undefined;
  };

  const deployOne = async (name: string) => {
    const target = targets.get(name)!;
    const toplevel = facts.get(name)!.toplevel!;
    emit({ type: 'start', host: name, canary: canary.has(name) });
    const result = await deployLocked(engine, target, toplevel, opts, (phase) =>
      emit({ type: 'phase', host: name, phase }),
    );
    tried.push(result);
    emit({ type: 'done', result });
    if (reason === undefined) {
      reason = stopReason(tried, canary, opts.maxFailures);
      if (reason !== undefined) emit({ type: 'stop', reason });
    }
    return result;
  };
  /** Deploys a wave, `parallel` at a time, until the run stops; the hosts never started. */
  const wave = async (names: readonly string[]) => {
    const ran = await mapLimit(names, plan.parallel, deployOne, stopped);
    return names.filter((_, i) => ran[i] === undefined);
  };

  const notStarted = await wave(plan.canary);
  // A canary that did not get deployed (its lock was held) proves nothing: stop too.
  if (reason === undefined) {
    const unproven = tried.find(
      (r) => canary.has(r.name) && r.status !== 'deployed' && r.status !== 'unchanged',
    );
    if (unproven) {
      reason = `canary ${unproven.name} ${unproven.status}`;
      emit({ type: 'stop', reason });
    }
  }
  if (reason === undefined) notStarted.push(...(await wave(plan.rest)));
  else notStarted.push(...plan.rest);
  const skipped = reason === undefined ? [] : skippedResults(notStarted, facts, reason);
  for (const r of skipped) emit({ type: 'done', result: r });
  return [...tried, ...skipped];
}

async function deployLocked(
  engine: FleetEngine,
  target: DeployTarget,
  toplevel: string,
  opts: RunOptions,
  onPhase: (phase: string) => void,
): Promise<HostResult> {
  const t0 = Date.now();
  let phase = 'lock';
  onPhase(phase);
  let lock: HostLock;
  try {
    lock = await engine.acquireLock(target);
  } catch (err) {
    const status = err instanceof LockBusyError ? 'skipped' : 'failed';
    return {
      name: target.name,
      status,
      to: toplevel,
      error: (err as Error).message,
      phase,
      durationMs: Date.now() - t0,
    };
  }
  try {
    const result = await engine.deployHost(
      {
        target,
        toplevel,
        mode: opts.mode,
        confirmTimeoutSeconds: opts.confirmTimeout(target.name),
        ...(opts.healthGraceSeconds !== undefined ? { healthGraceSeconds: opts.healthGraceSeconds } : {}),
        ...(lock.facts ? { preflight: lock.facts } : {}),
        ...(lock.controlPath ? { controlPath: lock.controlPath } : {}),
        onPhase: (p) => {
          phase = p;
          onPhase(p);
        },
      },
      opts.signal,
    );
    result.durationMs ??= Date.now() - t0;
    return result;
  } catch (err) {
    return {
      name: target.name,
      status: 'failed',
      to: toplevel,
      error: (err as Error).message,
      phase,
      durationMs: Date.now() - t0,
    };
  } finally {
    await lock.release();
  }
}
