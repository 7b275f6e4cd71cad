// The fleet deploy's decisions as pure functions over plain data: which hosts change, which
// go first (canaries), when to stop starting hosts, and the exit code of a run.
import type { HostResult } from './types.js';

/** What we know about one selected host before anything on it changes. */
export interface HostFacts {
  name: string;
  tags?: readonly string[];
  /** The running system (`currentSystem` resolved); absent when the host did not answer. */
  current?: string;
  /** The toplevel this checkout builds for it; absent when evaluation or build failed. */
  toplevel?: string;
  /** Why the host cannot be deployed (unreachable, eval or build error). */
  error?: string;
  /** The phase that error came from (`preflight`, `build`). */
  phase?: string;
}

export interface PlanOptions {
  /** `--canary N`: at least N hosts go first; hosts tagged `canary` always do. */
  canary: number;
  parallel: number;
}

export interface DeployPlan {
  /** Deployed first; nothing else starts until all of them succeeded. */
  canary: string[];
  /** Then these, at most `parallel` at a time, in this order. */
  rest: string[];
  parallel: number;
  /** Results known without touching the host: unchanged, or failed before any change. */
  settled: HostResult[];
}

export const CANARY_TAG = 'canary';

/**
 * Hosts whose running system already is the new toplevel are `unchanged` and never touched;
 * hosts that could not be reached or built are `failed` (nothing was tried on them). Canaries
 * are picked among the hosts that will change, so a canary always proves something: tagged
 * hosts first, then more in inventory order up to `canary`.
 */
export function planDeploy(hosts: readonly HostFacts[], opts: PlanOptions): DeployPlan {
  const settled: HostResult[] = [];
  const changing: HostFacts[] = [];
  for (const h of hosts) {
    if (h.error !== undefined || h.toplevel === undefined) {
      settled.push(result(h, 'failed', h.error ?? 'no toplevel was built', h.phase ?? 'build'));
    } else if (h.current === h.toplevel) {
      settled.push(result(h, 'unchanged'));
    } else changing.push(h);
  }
  const tagged = changing.filter((h) => h.tags?.includes(CANARY_TAG)).map((h) => h.name);
  const untagged = changing.filter((h) => !h.tags?.includes(CANARY_TAG)).map((h) => h.name);
  const fill = Math.max(0, opts.canary - tagged.length);
  const canary = [...tagged, ...untagged.slice(0, fill)];
  return { canary, rest: untagged.slice(fill), parallel: Math.max(1, opts.parallel), settled };
}

function result(h: HostFacts, status: HostResult['status'], error?: string, phase?: string): HostResult {
  const r: HostResult = { name: h.name, status };
  if (h.current !== undefined) r.from = h.current;
  if (h.toplevel !== undefined) r.to = h.toplevel;
  if (error !== undefined) r.error = error;
  if (phase !== undefined) r.phase = phase;
  return r;
}

export function isFailure(r: HostResult): boolean {
  return r.status === 'failed' || r.status === 'rolled-back';
}

/**
 * Why no further host may start, given the results of hosts this run tried to change (not
 * the settled ones: an unreachable host says nothing about the new configuration). A failed
 * canary always stops; otherwise `maxFailures` failures or rollbacks do.
 */
export function stopReason(
  tried: readonly HostResult[],
  canary: ReadonlySet<string>,
  maxFailures: number,
): string | undefined {
  const failures = tried.filter(isFailure);
  const canaryFailure = failures.find((r) => canary.has(r.name));
  if (canaryFailure) return `canary ${canaryFailure.name} ${canaryFailure.status}`;
  if (failures.length >= maxFailures)
    return `${failures.length} host${failures.length === 1 ? '' : 's'} failed or rolled back (max-failures ${maxFailures})`;
  return undefined;
}

/** Hosts never started because the run stopped: `skipped`, with the reason as their error. */
export function skippedResults(
  names: readonly string[],
  facts: ReadonlyMap<string, HostFacts>,
  reason: string,
): HostResult[] {
  return names.map((name) => {
    const h = facts.get(name) ?? { name };
    return result(h, 'skipped', `not started: ${reason}`);
  });
}

/**
 * 1 when anything asked for did not happen: a host failed, rolled back, or was skipped for
 * a reason (stopped run, held lock); 0 when every host is deployed or unchanged.
 */
export function exitCodeOf(results: readonly HostResult[]): 0 | 1 {
  return results.some((r) => isFailure(r) || (r.status === 'skipped' && r.error !== undefined)) ? 1 : 0;
}

/** Results in the order of the inventory (the run finishes hosts in any order). */
export function inInventoryOrder(results: readonly HostResult[], order: readonly string[]): HostResult[] {
  const rank = new Map(order.map((n, i) => [n, i]));
  return [...results].sort((a, b) => (rank.get(a.name) ?? 1e9) - (rank.get(b.name) ?? 1e9));
}
