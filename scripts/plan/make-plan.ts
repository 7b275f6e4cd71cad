// Plans a change from one revision to another: the changed files (git), the hosts they can
// affect (import graphs of both trees), the toplevel paths of those hosts at both sides (Nix,
// on clean copies of the two commits) and, for changed hosts, their closure diffs.
// Hosts the change cannot affect are unchanged without evaluating them.
import { posix } from 'node:path';
import { runGit } from '../git/exec.js';
import { type CommitFlake, checkoutFlake, flakeRelative } from '../nixcli/commit-flake.js';
import type { HostResult } from '../nixcli/types.js';
import { affectedHosts, type TreeFacts } from './affected.js';
import { type ChangedFile, parseNameStatus, touchedPaths } from './changes.js';
import { hostGraph } from './import-graph.js';
import {
  buildToplevels,
  closureDiff,
  evaluateToplevels,
  hostNames,
  type NixContext,
  NixPlanError,
} from './nix.js';
import type { PlanReport } from './plan.js';
import { hostsToEvaluate, planHosts, summarize } from './plan.js';
import { type DepsCache, loadTree } from './tree-facts.js';

export interface MakePlanOptions {
  root: string;
  /** Commits (resolved) and how the user named them. */
  from: { commit: string; label: string };
  to: { commit: string; label: string };
  /** The flake's folder relative to the repository root ('' for the root). */
  flakeDir: string;
  /** The fleet folder relative to the repository root (tappaas.json fleet.root). */
  fleetRoot: string;
  /** Build changed hosts at both sides for their closure diffs. */
  closures: boolean;
  timeoutMs?: number;
  /** The hosts folder relative to the repository root (tappaas.json fleet.hosts). */
  hostsDir: string;
  /** Nix processes at a time, hosts per process, memory budget per process (MiB). */
  limits?: { jobs: number; batch?: number; maxMemoryMiB?: number };
  onProgress?: (text: string) => void;
}

export interface MadePlan extends PlanReport {
  changes: ChangedFile[];
}

export async function changedFiles(root: string, from: string, to: string): Promise<ChangedFile[]> {
  const r = await runGit(['diff', '--name-status', '-z', '-M', from, to], { cwd: root });
  return parseNameStatus(r.stdout.toString('utf8'));
}

export async function makePlan(opts: MakePlanOptions): Promise<MadePlan> {
  const progress = opts.onProgress ?? (() => {});
  const flakeFile = opts.flakeDir ? posix.join(opts.flakeDir, 'flake.nix') : 'flake.nix';
  const lockFile = opts.flakeDir ? posix.join(opts.flakeDir, 'flake.lock') : 'flake.lock';
  const changes = await changedFiles(opts.root, opts.from.commit, opts.to.commit);
  const checkouts: CommitFlake[] = [];
  try {
    progress(`checking out ${opts.from.label} and ${opts.to.label}`);
    const made = await Promise.allSettled([
      checkoutFlake({ root: opts.root, commit: opts.from.commit, flake: flakeFile }, 'plan-base'),
      checkoutFlake({ root: opts.root, commit: opts.to.commit, flake: flakeFile }, 'plan-head'),
    ]);
    for (const m of made) if (m.status === 'fulfilled') checkouts.push(m.value);
    for (const m of made) if (m.status === 'rejected') throw m.reason;
    const [baseCheckout, headCheckout] = checkouts as [CommitFlake, CommitFlake];
    // The hosts folder as the flake sees it (tappaas.json paths are repo-relative).
    const hostsInFlake = flakeRelative(opts.flakeDir, opts.hostsDir);
    const ctx = (c: CommitFlake): NixContext => ({
      flake: c.flake,
      flakeDir: opts.flakeDir,
      timeoutMs: opts.timeoutMs,
      jobs: opts.limits?.jobs ?? 2,
      batch: opts.limits?.batch,
      maxMemoryMiB: opts.limits?.maxMemoryMiB,
      hostFile: (h) => `${hostsInFlake}/${h}.nix`,
    });
    const baseCtx = ctx(baseCheckout);
    const headCtx = ctx(headCheckout);
    progress('listing hosts and reading imports');
    // Nix lists the hosts while this process parses the two trees.
    const caught = (err: unknown) => (err instanceof NixPlanError ? err : Promise.reject(err));
    const listed = Promise.all([hostNames(baseCtx).catch(caught), hostNames(headCtx).catch(caught)]);
    listed.catch(() => {});
    const cache: DepsCache = new Map();
    const baseTree = await loadTree(baseCheckout.files, flakeFile, cache);
    const headTree = await loadTree(headCheckout.files, flakeFile, cache);
    const [baseListing, headListing] = await listed;
    if (baseListing instanceof NixPlanError && headListing instanceof NixPlanError) throw headListing;
    if (baseListing instanceof NixPlanError && !(headListing instanceof NixPlanError)) {
      // FROM is broken (the change may fix it): every host of TO is evaluated there alone.
      const head = await evaluateToplevels(headCtx, headListing);
      const why = `${baseListing.what} at ${opts.from.label}`;
      const hosts = planHosts({
        baseHosts: headListing,
        headHosts: headListing,
        affected: new Map(headListing.map((h) => [h, [why]])),
        base: new Map(headListing.map((h) => [h, { error: baseListing.detail }])),
        head: head.evaluations,
      });
      return {
        from: opts.from.label,
        to: opts.to.label,
        hosts,
        summary: summarize(hosts),
        all: `${why}: ${baseListing.detail}`,
        ignored: [],
        changes,
      };
    }
    const baseHosts = baseListing as string[];
    if (headListing instanceof NixPlanError) {
      // The change breaks the flake itself: every host fails at head.
      const hosts = planHosts({
        baseHosts,
        headHosts: baseHosts,
        affected: new Map(baseHosts.map((h) => [h, [headListing.what]])),
        base: new Map(),
        head: new Map(
          baseHosts.map((h) => [
            h,
            { error: headListing.detail, ...(headListing.at ? { at: headListing.at } : {}) },
          ]),
        ),
      });
      return {
        from: opts.from.label,
        to: opts.to.label,
        hosts,
        summary: summarize(hosts),
        all: `${headListing.what}: ${headListing.detail}`,
        ignored: [],
        changes,
      };
    }
    const headHosts = headListing;
    const facts = (hosts: string[], t: Awaited<ReturnType<typeof loadTree>>): TreeFacts => ({
      graph: hostGraph({ tree: t.tree, deps: t.deps, hosts, flake: flakeFile }),
      deps: t.deps,
      hosts,
    });
    const affected = affectedHosts({
      base: facts(baseHosts, baseTree),
      head: facts(headHosts, headTree),
      changed: touchedPaths(changes),
      flake: flakeFile,
      lock: lockFile,
      fleetRoot: opts.fleetRoot,
    });
    const todo = hostsToEvaluate(baseHosts, headHosts, affected.hosts);
    progress(
      `evaluating ${todo.base.length} host(s) at ${opts.from.label} and ${todo.head.length} at ${opts.to.label}`,
    );
    const [base, head] = await Promise.all([
      evaluateToplevels(baseCtx, todo.base),
      evaluateToplevels(headCtx, todo.head),
    ]);
    const hosts = planHosts({
      baseHosts,
      headHosts,
      affected: affected.hosts,
      base: base.evaluations,
      head: head.evaluations,
    });
    const changed = hosts.filter((h) => h.status === 'changed' && h.old && h.new);
    if (opts.closures && changed.length > 0) {
      progress(`building ${changed.length} changed host(s) at both sides for their closure diffs`);
      const pick = (m: Map<string, HostResult>) => changed.map((h) => m.get(h.name)!);
      const [baseBuild, headBuild] = await Promise.all([
        buildToplevels(baseCtx, pick(base.results)),
        buildToplevels(headCtx, pick(head.results)),
      ]);
      for (const h of changed) {
        const failures = [
          baseBuild.has(h.name) && `build at ${opts.from.label} failed: ${baseBuild.get(h.name)}`,
          headBuild.has(h.name) && `build at ${opts.to.label} failed: ${headBuild.get(h.name)}`,
        ].filter((x): x is string => typeof x === 'string');
        if (failures.length) {
          h.closureError = failures.join('; ');
          continue;
        }
        try {
          h.closure = await closureDiff(headCtx, h.old!, h.new!);
        } catch (err) {
          h.closureError = (err as Error).message;
        }
      }
    }
    return {
      from: opts.from.label,
      to: opts.to.label,
      hosts,
      summary: summarize(hosts),
      ...(affected.all ? { all: affected.all } : {}),
      ignored: affected.ignored,
      changes,
    };
  } finally {
    for (const c of checkouts) c.remove();
  }
}
