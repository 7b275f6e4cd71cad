// The plan of a change, as plain data: one entry per host of base or head with its status,
// decided from the affected set and the toplevel paths evaluated at both sides. Pure.
import type { ClosureDiff } from './closure-diff.js';

export type HostStatus = 'unchanged' | 'changed' | 'added' | 'removed';

/** One side's evaluation of a host: its toplevel path, or why there is none. */
export type Evaluation = { outPath: string } | { error: string; at?: string };

export interface HostPlan {
  name: string;
  status: HostStatus;
  /** Toplevel store path at base (null when not evaluated or absent). */
  old: string | null;
  /** Toplevel store path at head (null when not evaluated or absent). */
  new: string | null;
  /** False for hosts the change cannot affect: unchanged without evaluating them. */
  evaluated: boolean;
  /** Changed files that reach this host (or why all hosts were evaluated). */
  reasons: string[];
  /** Evaluation error at head: the change breaks this host. */
  error?: string;
  /** Where the head error points (file:line), when known. */
  errorAt?: string;
  /** Evaluation error at base (the change may fix it). */
  baseError?: string;
  closure?: ClosureDiff;
  /** Why the closure diff is missing (a build failed). */
  closureError?: string;
}

export interface PlanInput {
  baseHosts: readonly string[];
  headHosts: readonly string[];
  /** Affected hosts with their reasons. */
  affected: ReadonlyMap<string, string[]>;
  base: ReadonlyMap<string, Evaluation>;
  head: ReadonlyMap<string, Evaluation>;
}

/** Hosts to evaluate at base and at head. */
export function hostsToEvaluate(
  baseHosts: readonly string[],
  headHosts: readonly string[],
  affected: ReadonlyMap<string, string[]>,
): { base: string[]; head: string[] } {
  const inBase = new Set(baseHosts);
  const inHead = new Set(headHosts);
  return {
    base: baseHosts.filter((h) => !inHead.has(h) || affected.has(h)),
    head: headHosts.filter((h) => !inBase.has(h) || affected.has(h)),
  };
}

export function planHosts(input: PlanInput): HostPlan[] {
  const inBase = new Set(input.baseHosts);
  const inHead = new Set(input.headHosts);
  const names = [...new Set([...input.baseHosts, ...input.headHosts])].sort();
  return names.map((name) => {
    const b = input.base.get(name);
    const h = input.head.get(name);
    const reasons = input.affected.get(name) ?? [];
    const old = b && 'outPath' in b ? b.outPath : null;
    const now = h && 'outPath' in h ? h.outPath : null;
    const plan: HostPlan = { name, status: 'unchanged', old, new: now, evaluated: Boolean(b || h), reasons };
    if (h && 'error' in h) {
      plan.error = h.error;
      if (h.at) plan.errorAt = h.at;
    }
    if (b && 'error' in b) plan.baseError = b.error;
    if (!inBase.has(name)) plan.status = 'added';
    else if (!inHead.has(name)) plan.status = 'removed';
    // An error on either side means the system is not the same one any more.
    else if (plan.evaluated && (old === null || now === null || old !== now)) plan.status = 'changed';
    return plan;
  });
}

export interface PlanSummary {
  unchanged: number;
  changed: number;
  added: number;
  removed: number;
  /** Hosts that failed to evaluate at head. */
  errors: number;
  /** Hosts evaluated at one side or both. */
  evaluated: number;
}

/** A whole plan, as `plan --json` prints it and every renderer (scripts/report) takes it. */
export interface PlanReport {
  from: string;
  to: string;
  hosts: HostPlan[];
  summary: PlanSummary;
  /** Why every host was evaluated, when a change reached all of them. */
  all?: string;
  /** Changed files that no host uses. */
  ignored: string[];
}

export function summarize(hosts: readonly HostPlan[]): PlanSummary {
  const s: PlanSummary = { unchanged: 0, changed: 0, added: 0, removed: 0, errors: 0, evaluated: 0 };
  for (const h of hosts) {
    s[h.status]++;
    if (h.error !== undefined) s.errors++;
    if (h.evaluated) s.evaluated++;
  }
  return s;
}
