// The fleet side of a deploy, as one async function over typed options: pick the hosts that
// changed, read and evaluate them, build, plan (waves.ts), run the plan (fleet.ts) with the
// per-host engine, record what got deployed as refs/deployed/<host>. It emits FleetEvents and
// returns the result; it prints nothing (cli/deploy.ts and report/ render).
// Order matters for cost and safety: hosts are read (preflight) and evaluated first, so an
// unreachable or unchanged host never costs a build, and only reachable hosts that change get
// built (colmena#227 builds them all).
import { requireCommit } from '../git/revisions.js';
import { deployMessage, headCommit, isDirty, readDeployed, recordDeployed } from './deployed-refs.js';
import { type FleetEngine, type RunEvent, runPlan } from './fleet.js';
import type { FleetContext } from './fleet-context.js';
import { type CliEngine, cliEngine, runningSystems } from './fleet-engine.js';
import type { InventoryHost } from './inventory.js';
import { buildToplevels, evalToplevels, flakeAt, type HostToplevel } from './toplevels.js';
import type { DeployMode, DeployTarget, HostResult } from './types.js';
import { type DeployPlan, type HostFacts, inInventoryOrder, planDeploy } from './waves.js';

export interface DeployFleetOptions {
  ctx: FleetContext;
  /** The hosts asked for, in inventory order (all of them when none were named). */
  hosts: readonly InventoryHost[];
  /** Defaults for the next five: tappaas.json "deploy". */
  mode?: DeployMode;
  parallel?: number;
  canary?: number;
  maxFailures?: number;
  /** Seconds every host waits for confirmation; default each host's own confirmTimeout. */
  confirmTimeout?: number;
  /** Only hosts whose toplevel at this revision differs from the checkout's. */
  changedFrom?: string;
  /** Read the hosts and evaluate, plan; build and change nothing. */
  dryRun?: boolean;
  engine?: FleetEngine & Pick<CliEngine, 'readCurrentSystem'>;
  onEvent?: (e: FleetEvent) => void;
  signal?: AbortSignal;
}

/** The plan, once the hosts are read, evaluated and (unless a dry run) built. */
export interface PlanEvent {
  type: 'plan';
  plan: DeployPlan;
  facts: ReadonlyMap<string, HostFacts>;
  commit: string;
  dirty: boolean;
  mode: DeployMode;
  dryRun: boolean;
  maxFailures: number;
}

/** Everything a deploy reports as it goes, in order; runPlan's host events come between `plan` and `recorded`. */
export type FleetEvent =
  | { type: 'changed-since'; rev: string; changed: string[]; unchanged: string[] }
  | { type: 'build'; hosts: string[] }
  | PlanEvent
  | RunEvent
  | { type: 'recorded'; commit: string; hosts: string[] };

/** The `deploy --json` document. */
export interface DeployOutput {
  commit: string;
  dirty: boolean;
  mode: DeployMode;
  dryRun: boolean;
  stopped?: string;
  /** Hosts left out by --changed-from because their toplevel did not change since REV. */
  unchangedSince?: { rev: string; hosts: string[] };
  hosts: (HostResult & { canary?: boolean; action?: 'deploy' | 'none'; wave?: 'canary' | 'rest' })[];
}

export async function deployFleet(opts: DeployFleetOptions): Promise<DeployOutput> {
  const { ctx, hosts } = opts;
  const s = ctx.inventory.settings;
  const mode = opts.mode ?? s.mode;
  const parallel = opts.parallel ?? s.parallel;
  const maxFailures = opts.maxFailures ?? s.maxFailures;
  const dryRun = opts.dryRun ?? false;
  const emit = opts.onEvent ?? (() => {});
  const commit = await headCommit(ctx.root);
  const dirty = await isDirty(ctx.root);
  const engine = opts.engine ?? cliEngine();

  const out: DeployOutput = { commit, dirty, mode, dryRun, hosts: [] };
  let selected: readonly InventoryHost[] = hosts;
  const here = flakeAt(ctx.root, ctx.flakeDir);
  let evaluated: Map<string, HostToplevel> | undefined;
  if (opts.changedFrom !== undefined) {
    const rev = await requireCommit(ctx.root, opts.changedFrom);
    const names = hosts.map((h) => h.name);
    const [before, after] = await Promise.all([
      evalToplevels(flakeAt(ctx.root, ctx.flakeDir, rev), names),
      evalToplevels(here, names),
    ]);
    evaluated = after;
    // A host that did not evaluate at REV (new, or broken then) counts as changed.
    selected = hosts.filter(
      (h) => !before.get(h.name)?.outPath || before.get(h.name)?.outPath !== after.get(h.name)?.outPath,
    );
    const left = hosts.filter((h) => !selected.includes(h)).map((h) => h.name);
    out.unchangedSince = { rev, hosts: left };
    emit({ type: 'changed-since', rev, changed: selected.map((h) => h.name), unchanged: left });
  }

  const { facts, tops } = await gatherFacts(ctx, selected, engine, evaluated, parallel);
  if (!dryRun) {
    const toBuild = [...facts.values()].filter(
      (f) => f.error === undefined && f.toplevel !== undefined && f.current !== f.toplevel,
    );
    if (toBuild.length > 0) emit({ type: 'build', hosts: toBuild.map((f) => f.name) });
    const failed = await buildToplevels(here, new Map(toBuild.map((f) => [f.name, tops.get(f.name)!])));
    for (const [name, error] of failed) {
      const f = facts.get(name)!;
      f.error = error;
      f.phase = 'build';
      delete f.toplevel;
    }
  }
  const plan = planDeploy([...facts.values()], { canary: opts.canary ?? s.canary, parallel });
  const order = hosts.map((h) => h.name);
  emit({ type: 'plan', plan, facts, commit, dirty, mode, dryRun, maxFailures });
  if (dryRun) {
    out.hosts = dryRunHosts(plan, facts, order);
    return out;
  }

  const targets = new Map<string, DeployTarget>(selected.map((h) => [h.name, h]));
  const byName = new Map(selected.map((h) => [h.name, h]));
  const ran = await runPlan(plan, targets, facts, engine, {
    mode,
    maxFailures,
    confirmTimeout: (h) => opts.confirmTimeout ?? byName.get(h)!.confirmTimeout,
    healthGraceSeconds: s.healthGrace,
    onEvent: (e) => {
      if (e.type === 'stop') out.stopped = e.reason;
      emit(e);
    },
    signal: opts.signal,
  });
  const canaries = new Set(plan.canary);
  out.hosts = inInventoryOrder([...plan.settled, ...ran], order).map((r) =>
    canaries.has(r.name) ? { ...r, canary: true } : r,
  );
  const recorded = await recordRefs(ctx.root, out.hosts, commit, dirty, mode);
  if (recorded.length > 0) emit({ type: 'recorded', commit, hosts: recorded });
  return out;
}

/** Each host's running system (preflight over SSH) and evaluated toplevel, side by side. */
async function gatherFacts(
  ctx: FleetContext,
  hosts: readonly InventoryHost[],
  engine: Pick<CliEngine, 'readCurrentSystem'>,
  evaluated: Map<string, HostToplevel> | undefined,
  parallel: number,
): Promise<{ facts: Map<string, HostFacts>; tops: Map<string, HostToplevel> }> {
  const names = hosts.map((h) => h.name);
  const [current, tops] = await Promise.all([
    // No more SSH sessions at once than the deploys themselves may open.
    runningSystems(engine, hosts, parallel),
    evaluated ?? evalToplevels(flakeAt(ctx.root, ctx.flakeDir), names),
  ]);
  const facts = new Map<string, HostFacts>();
  hosts.forEach((h, i) => {
    const f: HostFacts = { name: h.name };
    if (h.tags) f.tags = h.tags;
    const c = current[i]!;
    const t = tops.get(h.name);
    if (c.path !== undefined) f.current = c.path;
    if (t?.outPath !== undefined) f.toplevel = t.outPath;
    if (c.error !== undefined) {
      f.error = c.error;
      f.phase = 'preflight';
    } else if (t?.error !== undefined || t?.outPath === undefined) {
      f.error = t?.error ?? 'not evaluated';
      f.phase = 'eval';
    }
    facts.set(h.name, f);
  });
  return { facts, tops };
}

function dryRunHosts(
  plan: DeployPlan,
  facts: ReadonlyMap<string, HostFacts>,
  order: string[],
): DeployOutput['hosts'] {
  const planned = [...plan.canary, ...plan.rest].map((name) => {
    const f = facts.get(name)!;
    const r: DeployOutput['hosts'][number] = {
      name,
      status: 'skipped',
      action: 'deploy',
      wave: plan.canary.includes(name) ? 'canary' : 'rest',
    };
    if (f.current !== undefined) r.from = f.current;
    if (f.toplevel !== undefined) r.to = f.toplevel;
    return r;
  });
  const settled = plan.settled.map((r) => ({ ...r, action: 'none' as const }));
  return inInventoryOrder([...settled, ...planned], order);
}

/** refs/deployed/<host> for hosts now running this commit's system (deployed or unchanged); the hosts recorded. */
async function recordRefs(
  root: string,
  hosts: readonly HostResult[],
  commit: string,
  dirty: boolean,
  mode: DeployMode,
): Promise<string[]> {
  // `test` activates without making the system the boot default: it is not "deployed" for good.
  if (dirty || mode === 'test') return [];
  const current = await readDeployed(root);
  // An unchanged host whose ref already names this commit gets no new reflog entry.
  const ok = hosts.filter(
    (h) => h.status === 'deployed' || (h.status === 'unchanged' && current.get(h.name) !== commit),
  );
  for (const h of ok) await recordDeployed(root, h.name, commit, deployMessage(h.status, h.to));
  return ok.map((h) => h.name);
}
