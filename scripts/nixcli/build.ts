// Builds evaluated hosts: one `nix build --json --no-link` per host (a build needs no
// evaluation, so nothing is shared by batching; one process per host keeps each host's
// error its own). Hosts that need the same derivation wait for each other in Nix's locks.

import { mapLimit } from '../util/map-limit.js';
import { trimNixError } from './errors.js';
import { failed, positionOf } from './evaluate.js';
import { buildArgv, buildInstallable, parseBuildJson, parseNixVersion } from './expressions.js';
import { type FlakeRef, trimOptionsFor } from './flake.js';
import { runNix } from './run.js';
import type { EvalEvent, HostResult, NixCallOptions } from './types.js';

export interface BuildOptions extends NixCallOptions {
  jobs?: number;
  /** Milliseconds one host's build may take. */
  timeoutMs?: number;
  onEvent?: (event: EvalEvent) => void;
  hostFile?: (host: string) => string | undefined;
}

const versions = new Map<string, Promise<[number, number] | undefined>>();

/** `nix --version` of a program, asked once per process. */
export function nixVersion(opts: NixCallOptions = {}): Promise<[number, number] | undefined> {
  const program = opts.program ?? 'nix';
  let v = versions.get(program);
  if (!v) {
    v = runNix(['--version'], { program, env: opts.env, timeoutMs: 30_000 }).then((r) =>
      r.code === 0 ? parseNixVersion(r.stdout) : undefined,
    );
    versions.set(program, v);
  }
  return v;
}

export async function buildHost(
  flake: FlakeRef,
  host: HostResult,
  opts: BuildOptions = {},
): Promise<HostResult> {
  if (host.status !== 'ok' || !host.drvPath) return host;
  const installable = buildInstallable(host.drvPath, await nixVersion(opts));
  const t0 = performance.now();
  const r = await runNix(buildArgv(installable, opts.extraArgs), {
    cwd: flake.dir,
    env: opts.env,
    program: opts.program,
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
  });
  const buildMs = Math.round(performance.now() - t0);
  const base = { drvPath: host.drvPath, outPath: host.outPath, evalMs: host.evalMs, buildMs };
  if (r.code === 0) {
    const out = parseBuildJson(r.stdout);
    if (out && out !== host.outPath)
      return failed(
        host.name,
        'build-error',
        'build-failed',
        `built ${out}, but evaluation said ${host.outPath}`,
        base,
      );
    return { ...host, buildMs };
  }
  if (r.timedOut) {
    const secs = ((opts.timeoutMs ?? 0) / 1000).toFixed(0);
    return failed(
      host.name,
      'build-error',
      'timeout',
      `build timed out after ${secs} s (--build-timeout)`,
      base,
    );
  }
  if (r.aborted) return failed(host.name, 'build-error', 'killed', 'build cancelled', base);
  if (r.code === null)
    return failed(
      host.name,
      'build-error',
      'killed',
      `nix build was killed by ${r.signal ?? 'a signal'}`,
      base,
    );
  const file = opts.hostFile?.(host.name);
  const trimmed = trimNixError(r.stderr, trimOptionsFor(flake, file ? [file] : []));
  // No place for the failed package in our files: point at the host's own file.
  const at = positionOf(trimmed.at);
  const where = at.file ? at : file ? { file, line: 1 } : {};
  const text = at.file || !file ? trimmed.text : `${file}:1: ${trimmed.text}`;
  return failed(host.name, 'build-error', 'build-failed', text, {
    ...base,
    ...where,
    message: trimmed.message,
  });
}

/** Builds every evaluated host, `jobs` at a time; failed evaluations pass through. */
export async function buildHosts(
  flake: FlakeRef,
  hosts: HostResult[],
  opts: BuildOptions = {},
): Promise<HostResult[]> {
  const queue = hosts.filter((h) => h.status === 'ok');
  const built = await mapLimit(queue, opts.jobs ?? 1, async (h) => {
    opts.onEvent?.({ type: 'build-start', host: h.name });
    const r = await buildHost(flake, h, opts);
    opts.onEvent?.({ type: 'built', result: r });
    return r;
  });
  const out = new Map(queue.map((h, i) => [h.name, built[i]!]));
  return hosts.map((h) => out.get(h.name) ?? h);
}
