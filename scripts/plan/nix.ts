// The Nix calls a plan makes, through the nixcli adapter: host names, toplevel paths of the
// affected hosts (batched, per-host errors, timeouts and memory stops), builds of changed
// hosts, `nix store diff-closures` and closure sizes (`nix path-info --closure-size`).
import { buildHosts } from '../nixcli/build.js';
import { diffClosures } from '../nixcli/closures.js';
import { evaluateHosts } from '../nixcli/evaluate.js';
import type { FlakeRef } from '../nixcli/flake.js';
import { FlakeError, listHosts } from '../nixcli/hosts.js';
import { runNix } from '../nixcli/run.js';
import type { HostResult } from '../nixcli/types.js';
import { type ClosureDiff, parseClosureSizes, parseDiffClosures } from './closure-diff.js';
import type { Evaluation } from './plan.js';

export interface NixContext {
  flake: FlakeRef;
  /** The flake's folder relative to the repository root: Nix's positions are relative to the flake. */
  flakeDir: string;
  timeoutMs?: number;
  /** Nix processes at a time and hosts per process. */
  jobs: number;
  batch?: number;
  /** Memory budget per Nix process, MiB. */
  maxMemoryMiB?: number;
  hostFile?: (host: string) => string | undefined;
}

export class NixPlanError extends Error {
  constructor(
    readonly what: string,
    readonly detail: string,
    /** The failing place (file:line), repo-relative, when known. */
    readonly at?: string,
  ) {
    super(`${what}: ${detail}`);
    this.name = 'NixPlanError';
  }
}

export async function hostNames(ctx: NixContext): Promise<string[]> {
  try {
    return await listHosts(ctx.flake, { timeoutMs: ctx.timeoutMs });
  } catch (err) {
    if (err instanceof FlakeError) {
      const at = err.trimmed.at?.inRepo
        ? `${repoFile(ctx, err.trimmed.at.file)}:${err.trimmed.at.line}`
        : undefined;
      throw new NixPlanError('cannot list the hosts', err.trimmed.text, at);
    }
    throw err;
  }
}

function repoFile(ctx: NixContext, file: string): string {
  return ctx.flakeDir ? `${ctx.flakeDir}/${file}` : file;
}

/** A host result of the adapter as one side of the plan. */
export function toEvaluation(r: HostResult, flakeDir = ''): Evaluation {
  if (r.status === 'ok' && r.outPath) return { outPath: r.outPath };
  const error = r.error ?? r.message ?? 'evaluation failed';
  if (!r.file) return { error };
  const file = flakeDir ? `${flakeDir}/${r.file}` : r.file;
  return { error, at: `${file}${r.line ? `:${r.line}${r.column ? `:${r.column}` : ''}` : ''}` };
}

export async function evaluateToplevels(
  ctx: NixContext,
  hosts: readonly string[],
): Promise<{ evaluations: Map<string, Evaluation>; results: Map<string, HostResult> }> {
  const results = new Map<string, HostResult>();
  const evaluations = new Map<string, Evaluation>();
  if (hosts.length === 0) return { evaluations, results };
  const out = await evaluateHosts(ctx.flake, hosts, {
    jobs: ctx.jobs,
    batchSize: ctx.batch,
    timeoutMs: ctx.timeoutMs,
    maxMemoryMiB: ctx.maxMemoryMiB,
    hostFile: ctx.hostFile,
  });
  for (const r of out) {
    results.set(r.name, r);
    evaluations.set(r.name, toEvaluation(r, ctx.flakeDir));
  }
  return { evaluations, results };
}

/** Builds the given evaluated hosts; the build error of each host that failed. */
export async function buildToplevels(ctx: NixContext, hosts: HostResult[]): Promise<Map<string, string>> {
  const errors = new Map<string, string>();
  const built = await buildHosts(ctx.flake, hosts, {
    jobs: ctx.jobs,
    timeoutMs: ctx.timeoutMs,
    hostFile: ctx.hostFile,
  });
  for (const b of built) {
    if (b.status !== 'ok')
      errors.set(
        b.name,
        b.file ? `${repoFile(ctx, b.file)}: ${b.message ?? b.error}` : (b.error ?? 'build failed'),
      );
  }
  return errors;
}

/** Package diff and size delta of two built system paths. */
export async function closureDiff(ctx: NixContext, old: string, now: string): Promise<ClosureDiff> {
  const d = await diffClosures(old, now, { timeoutMs: ctx.timeoutMs });
  if (!d.ok) throw new NixPlanError('nix store diff-closures failed', d.error);
  const diff = parseDiffClosures(d.text);
  const s = await runNix(['path-info', '--json', '--closure-size', old, now], { timeoutMs: ctx.timeoutMs });
  if (s.code === 0) {
    const sizes = parseClosureSizes(s.stdout);
    const a = sizes.get(old);
    const b = sizes.get(now);
    if (a !== undefined && b !== undefined) Object.assign(diff, { oldSize: a, newSize: b, sizeDelta: b - a });
  }
  return diff;
}
