// What the repository's flake builds for each host, through the eval adapter (scripts/nixcli):
// toplevel out paths by evaluation first (nothing is built, so unchanged and unreachable
// hosts cost no build, colmena#227), then the build of only the hosts that will be deployed:
// one `nix build` for all of them, and only when that fails one per host (the adapter's
// buildHosts) so that each error lands on the host that caused it.
import { join, relative } from 'node:path';
import { type CommitFlakeSpec, withCommitFlake } from '../nixcli/commit-flake.js';
import { buildInstallable } from '../nixcli/expressions.js';
import { buildHosts, evaluateHosts, type FlakeRef, localFlake, nixVersion, runNix } from '../nixcli/index.js';
import type { HostResult as EvalResult } from '../nixcli/types.js';

export interface HostToplevel {
  outPath?: string;
  drvPath?: string;
  error?: string;
}

/**
 * The flake in the work tree, or at a commit of the repository (checked out for the
 * evaluation and removed after it, as nixcli/commit-flake.ts hands every commit to Nix).
 */
export function flakeAt(repoRoot: string, flakeDir: string): FlakeRef;
export function flakeAt(
  repoRoot: string,
  flakeDir: string,
  rev: string | undefined,
): FlakeRef | CommitFlakeSpec;
export function flakeAt(repoRoot: string, flakeDir: string, rev?: string): FlakeRef | CommitFlakeSpec {
  if (rev === undefined) return localFlake(flakeDir);
  const file = relative(repoRoot, join(flakeDir, 'flake.nix'));
  return { root: repoRoot, commit: rev, flake: file.startsWith('..') ? 'flake.nix' : file, revision: true };
}

export async function evalToplevels(
  flake: FlakeRef | CommitFlakeSpec,
  hosts: readonly string[],
  jobs = 1,
): Promise<Map<string, HostToplevel>> {
  const out = new Map<string, HostToplevel>();
  if (hosts.length === 0) return out;
  if ('commit' in flake)
    return withCommitFlake(flake, 'deploy-rev', (c) => evalToplevels(c.flake, hosts, jobs));
  for (const r of await evaluateHosts(flake, hosts, { jobs })) out.set(r.name, fromEval(r));
  return out;
}

function fromEval(r: EvalResult): HostToplevel {
  if (r.status === 'ok' && r.outPath)
    return { outPath: r.outPath, ...(r.drvPath ? { drvPath: r.drvPath } : {}) };
  return { error: r.error ?? `${r.name} did not evaluate` };
}

/** Builds the hosts' toplevels into the local store; returns the error of each host that failed. */
export async function buildToplevels(
  flake: FlakeRef,
  hosts: ReadonlyMap<string, HostToplevel>,
  jobs = 2,
): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  const toBuild = [...hosts].filter(([, t]) => t.drvPath && t.outPath);
  if (toBuild.length === 0) return failed;
  const version = await nixVersion();
  const all = await runNix(
    ['build', '--no-link', ...toBuild.map(([, t]) => buildInstallable(t.drvPath!, version))],
    {
      cwd: flake.dir,
    },
  );
  if (all.code === 0) return failed;
  const asEval: EvalResult[] = toBuild.map(([name, t]) => ({
    name,
    status: 'ok',
    drvPath: t.drvPath!,
    outPath: t.outPath!,
    error: null,
  }));
  for (const r of await buildHosts(flake, asEval, { jobs }))
    if (r.status !== 'ok') failed.set(r.name, r.error ?? 'the build failed');
  return failed;
}
