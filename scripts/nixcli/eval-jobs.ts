// The nix-eval-jobs path: when it is installed, it evaluates the hosts with its own worker
// processes and memory limit (--workers, --max-memory-size) and streams one JSON line per
// host. Not installed on the machines this was written on, so this path is kept small: the
// argv and the line reading are pure and unit-tested, the run is one call.
import { trimNixError } from './errors.js';
import { failed, positionOf } from './evaluate.js';
import { nixString } from './expressions.js';
import { type FlakeRef, trimOptionsFor } from './flake.js';
import { NixMissingError, runProcess } from './run.js';
import type { EvalEvent, HostResult, NixCallOptions } from './types.js';

export const NIX_EVAL_JOBS = 'nix-eval-jobs';

/**
 * nix-eval-jobs walks an attribute set of derivations; `--flake .#nixosConfigurations` would
 * give it configurations, not derivations, so an expression picks each host's toplevel.
 * `getFlake` of a local path is impure, hence --impure.
 */
export function evalJobsArgv(
  flakeRef: string,
  hosts: readonly string[],
  o: { workers: number; maxMemoryMiB?: number },
): string[] {
  const wanted = hosts.map((h) => `${nixString(h)} = null;`).join(' ');
  const expr = [
    `let cs = (builtins.getFlake ${nixString(flakeRef)}).nixosConfigurations;`,
    `in builtins.mapAttrs (n: c: c.config.system.build.toplevel) (builtins.intersectAttrs { ${wanted} } cs)`,
  ].join(' ');
  return [
    '--extra-experimental-features',
    'nix-command flakes',
    '--impure',
    '--workers',
    String(o.workers),
    ...(o.maxMemoryMiB ? ['--max-memory-size', String(o.maxMemoryMiB)] : []),
    '--expr',
    expr,
  ];
}

export type EvalJobsLine =
  | { host: string; drvPath: string; outPath: string }
  | { host: string; error: string };

export function parseEvalJobsLine(line: string): EvalJobsLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(line) as {
      attr?: string;
      drvPath?: string;
      outputs?: { out?: string };
      error?: string;
    };
    if (typeof v.attr !== 'string') return undefined;
    if (typeof v.error === 'string') return { host: v.attr, error: v.error };
    if (v.drvPath && v.outputs?.out) return { host: v.attr, drvPath: v.drvPath, outPath: v.outputs.out };
  } catch {
    // not one of its lines
  }
  return undefined;
}

let available: Promise<boolean> | undefined;

export function nixEvalJobsAvailable(): Promise<boolean> {
  available ??= runProcess(NIX_EVAL_JOBS, ['--help'], { timeoutMs: 10_000 }).then(
    (r) => r.code === 0,
    (e) => (e instanceof NixMissingError ? false : Promise.reject(e)),
  );
  return available;
}

export async function evaluateWithEvalJobs(
  flake: FlakeRef,
  hosts: readonly string[],
  opts: NixCallOptions & {
    jobs?: number;
    maxMemoryMiB?: number;
    timeoutMs?: number;
    onEvent?: (e: EvalEvent) => void;
    hostFile?: (host: string) => string | undefined;
  },
): Promise<HostResult[]> {
  const workers = Math.max(1, opts.jobs ?? 1);
  // It has no per-host timeout: the run as a whole gets the hosts' share of it.
  const timeoutMs = opts.timeoutMs ? opts.timeoutMs * Math.ceil(hosts.length / workers) : undefined;
  const r = await runProcess(
    NIX_EVAL_JOBS,
    evalJobsArgv(flake.ref, hosts, { workers, maxMemoryMiB: opts.maxMemoryMiB }),
    {
      cwd: flake.dir,
      env: opts.env,
      signal: opts.signal,
      timeoutMs,
    },
  );
  const results = new Map<string, HostResult>();
  for (const line of r.stdout.split('\n')) {
    const l = parseEvalJobsLine(line);
    if (!l || !hosts.includes(l.host)) continue;
    if ('error' in l) {
      const file = opts.hostFile?.(l.host);
      const t = trimNixError(l.error, trimOptionsFor(flake, file ? [file] : []));
      results.set(
        l.host,
        failed(l.host, 'eval-error', 'nix-error', t.text, { ...positionOf(t.at), message: t.message }),
      );
    } else {
      results.set(l.host, {
        name: l.host,
        status: 'ok',
        drvPath: l.drvPath,
        outPath: l.outPath,
        error: null,
      });
    }
    opts.onEvent?.({ type: 'evaluated', result: results.get(l.host)! });
  }
  const why = r.timedOut
    ? failed('', 'eval-error', 'timeout', 'nix-eval-jobs timed out before this host')
    : failed('', 'eval-error', 'nix-error', trimNixError(r.stderr).text || 'nix-eval-jobs gave no result');
  return hosts.map((h) => results.get(h) ?? { ...why, name: h });
}
