// What the repository's flake builds for each host, through the eval adapter (scripts/nixcli):
// toplevel out paths by evaluation first (nothing is built, so unchanged and unreachable
// hosts cost no build, colmena#227), then the build of only the hosts that will be deployed:
// one `nix build` for all of them, and only when that fails one per host (the adapter's
// buildHosts) so that each error lands on the host that caused it.
import { relative } from 'node:path';
import { buildInstallable } from '../nixcli/expressions.js';
import { buildHosts, evaluateHosts, type FlakeRef, localFlake, nixVersion, runNix } from '../nixcli/index.js';
import type { HostResult as EvalResult } from '../nixcli/types.js';

export interface HostToplevel {
  outPath?: string;
  drvPath?: string;
  error?: string;
}

/** The flake in the work tree, or at a commit of the repository (read from git, not checked out). */
export function flakeAt(repoRoot: string, flakeDir: string, rev?: string): FlakeRef {
  if (rev === undefined) return localFlake(flakeDir);
  const dir = relative(repoRoot, flakeDir);
  const sub = dir && !dir.startsWith('..') ? `&dir=${encodeURIComponent(dir)}` : '';
  return localFlake(flakeDir, `git+file://${repoRoot}?rev=${rev}${sub}`);
}

export async function evalToplevels(
  flake: FlakeRef,
  hosts: readonly string[],
  jobs = 1,
): Promise<Map<string, HostToplevel>> {
  const out = new Map<string, HostToplevel>();
  if (hosts.length === 0) return out;
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
