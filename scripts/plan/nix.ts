// The Nix calls a plan makes, over the nixcli runner: host names, toplevel paths of many
// hosts in one process (falling back to one process per host to tell which one fails),
// builds, `nix store diff-closures` and closure sizes. Argv builders are pure and exported.
import { type RunNixOptions, type RunNixResult, runNix } from '../nixcli/run.js';
import { type ClosureDiff, parseClosureSizes, parseDiffClosures } from './closure-diff.js';
import type { Evaluation } from './plan.js';

export interface NixContext {
  /** Flake reference of the tree, e.g. `path:/tmp/x`. */
  flake: string;
  timeoutMs?: number;
  /** Stand-in for runNix (tests of the fallback paths). */
  run?: (args: string[], opts: RunNixOptions) => Promise<RunNixResult>;
  /** Maps an error text to a short message and the failing place (file:line). */
  explain?: (stderr: string) => { message: string; at?: string };
}

const OFFLINE = ['--option', 'substituters', ''];

function run(ctx: NixContext, args: string[]): Promise<RunNixResult> {
  return (ctx.run ?? runNix)(args, { timeoutMs: ctx.timeoutMs });
}

/** `cs: { "<h>" = cs."<h>".config.system.build.toplevel.outPath; … }` for the given hosts. */
export function toplevelsApply(hosts: readonly string[]): string {
  return `cs: builtins.listToAttrs (map (n: { name = n; value = cs.\${n}.config.system.build.toplevel.outPath; }) (builtins.fromJSON ${JSON.stringify(JSON.stringify(hosts))}))`;
}

export function hostNamesArgv(flake: string): string[] {
  return ['eval', '--json', ...OFFLINE, `${flake}#nixosConfigurations`, '--apply', 'builtins.attrNames'];
}

export function toplevelsArgv(flake: string, hosts: readonly string[]): string[] {
  return ['eval', '--json', ...OFFLINE, `${flake}#nixosConfigurations`, '--apply', toplevelsApply(hosts)];
}

export function buildArgv(flake: string, hosts: readonly string[]): string[] {
  return [
    'build',
    '--no-link',
    '--keep-going',
    ...OFFLINE,
    ...hosts.map((h) => `${flake}#nixosConfigurations.${JSON.stringify(h)}.config.system.build.toplevel`),
  ];
}

export class NixPlanError extends Error {
  constructor(
    readonly what: string,
    readonly detail: string,
  ) {
    super(`${what}: ${detail}`);
    this.name = 'NixPlanError';
  }
}

function failure(r: RunNixResult, ctx: NixContext): { message: string; at?: string } {
  if (r.timedOut) return { message: `timed out after ${Math.round((ctx.timeoutMs ?? 0) / 1000)} s` };
  if (r.code === null) return { message: `nix was stopped by ${r.signal ?? 'a signal'}` };
  return ctx.explain?.(r.stderr) ?? { message: firstError(r.stderr) };
}

/** The first `error:` line of Nix's output (and the next when the message is on it). */
export function firstError(stderr: string): string {
  const lines = stderr.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\n');
  const i = lines.findIndex((l) => /^\s*error:/.test(l));
  if (i < 0)
    return (
      lines
        .filter((l) => l.trim())
        .slice(-1)[0]
        ?.trim() ?? 'nix failed without a message'
    );
  const head = lines[i]!.replace(/^\s*error:\s*/, '').trim();
  return head || (lines[i + 1]?.trim() ?? 'error');
}

export async function hostNames(ctx: NixContext): Promise<string[]> {
  const r = await run(ctx, hostNamesArgv(ctx.flake));
  if (r.code !== 0) {
    const f = failure(r, ctx);
    throw new NixPlanError(
      `cannot list nixosConfigurations of ${ctx.flake}`,
      f.at ? `${f.message} (${f.at})` : f.message,
    );
  }
  const names = JSON.parse(r.stdout) as unknown;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))
    throw new NixPlanError(`cannot list nixosConfigurations of ${ctx.flake}`, 'not a list of names');
  return names;
}

export interface EvalLimits {
  /** Nix processes at a time. */
  jobs: number;
  /** Hosts per Nix process: they share imports (nixpkgs) but add up in memory. */
  batch: number;
}

/** Hosts split into batches of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
}

function evaluation(r: RunNixResult, host: string, ctx: NixContext): Evaluation {
  if (r.code === 0) {
    const p = (JSON.parse(r.stdout) as Record<string, unknown>)[host];
    return typeof p === 'string' ? { outPath: p } : { error: 'no toplevel path in the output of nix eval' };
  }
  const f = failure(r, ctx);
  return f.at ? { error: f.message, at: f.at } : { error: f.message };
}

/**
 * Toplevel out paths of `hosts`: several hosts per Nix process (shared imports evaluate once),
 * `jobs` processes at a time; a batch that fails is evaluated again one host per process to
 * tell which hosts fail (a batch that timed out is not: each host would take as long).
 */
export async function evaluateToplevels(
  ctx: NixContext,
  hosts: readonly string[],
  limits: EvalLimits = { jobs: 2, batch: 8 },
): Promise<Map<string, Evaluation>> {
  const out = new Map<string, Evaluation>();
  const queue = batches(hosts, limits.batch);
  const worker = async () => {
    for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
      const r = await run(ctx, toplevelsArgv(ctx.flake, group));
      if (r.code === 0 || group.length === 1 || r.timedOut) {
        for (const h of group) out.set(h, evaluation(r, h, ctx));
        continue;
      }
      // Split: the failing hosts come out one by one, the others still evaluate.
      queue.push(...group.map((h) => [h]));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limits.jobs, queue.length)) }, worker));
  return out;
}

/** Builds the toplevels of `hosts` (one process, keep going); the build log's first error when it fails. */
export async function buildToplevels(ctx: NixContext, hosts: readonly string[]): Promise<string | undefined> {
  if (hosts.length === 0) return undefined;
  const r = await run(ctx, buildArgv(ctx.flake, hosts));
  if (r.code === 0) return undefined;
  return failure(r, ctx).message;
}

/** Package diff and size delta of two built system paths. */
export async function closureDiff(ctx: NixContext, old: string, now: string): Promise<ClosureDiff> {
  const d = await run(ctx, ['store', 'diff-closures', old, now]);
  if (d.code !== 0) throw new NixPlanError('nix store diff-closures failed', failure(d, ctx).message);
  const diff = parseDiffClosures(d.stdout);
  const s = await run(ctx, ['path-info', '--json', '--closure-size', old, now]);
  if (s.code === 0) {
    const sizes = parseClosureSizes(s.stdout);
    const a = sizes.get(old);
    const b = sizes.get(now);
    if (a !== undefined && b !== undefined) Object.assign(diff, { oldSize: a, newSize: b, sizeDelta: b - a });
  }
  return diff;
}
