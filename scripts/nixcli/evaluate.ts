// Evaluates the toplevel of many hosts: hosts are split into batches, each batch is one Nix
// process (the work hosts share, such as importing nixpkgs, is done once per process), and
// `jobs` processes run at a time. Each process reports every host as it starts and finishes
// it (see batchApply), so a failure, a timeout, a kill or a memory stop lands on the host it
// happened in, the hosts before it keep their results, and the rest go on in a new process.
//
// Memory budget, as nix-eval-jobs' --max-memory-size: after each host, a process whose
// resident memory is over the budget is stopped and the rest of its batch goes on in a
// fresh one. A single host that grows past twice the budget is killed at once; it is tried
// again alone in a fresh process, and fails as `out-of-memory` if it does so there too.

import { mapLimit } from '../util/map-limit.js';
import { trimNixError } from './errors.js';
import { batchArgv, parseProgress, withoutProgress } from './expressions.js';
import { type FlakeRef, trimOptionsFor } from './flake.js';
import { rssMiB, runNix } from './run.js';
import type { EvalEvent, FailureCause, HostResult, NixCallOptions } from './types.js';

export interface EvaluateOptions extends NixCallOptions {
  /** Nix processes at a time (default 1). */
  jobs?: number;
  /** Hosts per process (default: all hosts spread evenly over `jobs` processes). */
  batchSize?: number;
  /** Milliseconds one host may take (the first host of a process also carries the shared work). */
  timeoutMs?: number;
  /** Resident memory budget of one Nix process, MiB. */
  maxMemoryMiB?: number;
  onEvent?: (event: EvalEvent) => void;
  /** Repo-relative file of a host, tried first when looking for a message in the repo. */
  hostFile?: (host: string) => string | undefined;
}

/** Splits hosts into batches: `size` each, or evenly over `jobs`. */
export function batches(hosts: readonly string[], jobs: number, size?: number): string[][] {
  const per = Math.max(1, size ?? Math.ceil(hosts.length / Math.max(1, jobs)));
  const out: string[][] = [];
  for (let i = 0; i < hosts.length; i += per) out.push(hosts.slice(i, i + per));
  return out;
}

export function failed(
  name: string,
  status: 'eval-error' | 'build-error',
  cause: FailureCause,
  message: string,
  extra: Partial<HostResult> = {},
): HostResult {
  return { name, status, drvPath: null, outPath: null, error: message, message, cause, ...extra };
}

interface BatchOutcome {
  /** Hosts still to evaluate, in order. */
  rest: string[];
  /** A host to try again alone before the rest. */
  isolate?: string;
  /** The process was stopped for its memory, not for a host's failure. */
  memory?: boolean;
}

export async function evaluateHosts(
  flake: FlakeRef,
  hosts: readonly string[],
  opts: EvaluateOptions = {},
): Promise<HostResult[]> {
  const results = new Map<string, HostResult>();
  const emit = opts.onEvent ?? (() => {});
  const record = (r: HostResult) => {
    results.set(r.name, r);
    emit({ type: 'evaluated', result: r });
  };
  const trimFor = (host: string | undefined, stderr: string) => {
    const prefer = host ? [opts.hostFile?.(host)].filter((f): f is string => !!f) : [];
    return trimNixError(withoutProgress(stderr), trimOptionsFor(flake, prefer));
  };
  const budget = opts.maxMemoryMiB;

  const runBatch = async (batch: string[], alone: boolean): Promise<BatchOutcome> => {
    const abort = new AbortController();
    const onOuterAbort = () => abort.abort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let current: string | undefined;
    let startedAt = performance.now();
    let timedOutHost: string | undefined;
    let overBudget = false;
    let pid: number | undefined;
    const done = new Set<string>();
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      if (watchdog) clearTimeout(watchdog);
      if (opts.timeoutMs === undefined) return;
      watchdog = setTimeout(() => {
        timedOutHost = current ?? batch.find((h) => !done.has(h));
        abort.abort();
      }, opts.timeoutMs);
    };
    let pending = '';
    const onLine = (line: string) => {
      const p = parseProgress(line);
      if (!p) return;
      if (p.kind === 'start') {
        current = p.host;
        startedAt = performance.now();
        arm();
        emit({ type: 'eval-start', host: p.host });
        return;
      }
      done.add(p.host);
      current = undefined;
      record({
        name: p.host,
        status: 'ok',
        drvPath: p.drvPath,
        outPath: p.outPath,
        error: null,
        evalMs: Math.round(performance.now() - startedAt),
      });
      // Over budget between hosts: stop here, the rest go on in a fresh process.
      if (budget !== undefined && pid !== undefined && done.size < batch.length) {
        const rss = rssMiB(pid);
        if (rss !== undefined && rss > budget) {
          overBudget = true;
          abort.abort();
        }
      }
    };
    arm();
    const r = await runNix(batchArgv(flake.ref, batch, opts.extraArgs), {
      cwd: flake.dir,
      env: opts.env,
      program: opts.program,
      signal: abort.signal,
      maxRssMiB: budget !== undefined ? budget * 2 : undefined,
      onSpawn: (p) => {
        pid = p;
      },
      onStderr: (chunk) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const l of lines) onLine(l);
      },
    });
    if (pending) onLine(pending);
    if (watchdog) clearTimeout(watchdog);
    opts.signal?.removeEventListener('abort', onOuterAbort);

    const rest = batch.filter((h) => !done.has(h));
    if (r.code === 0 && rest.length === 0) return { rest: [] };
    if (opts.signal?.aborted) {
      for (const h of rest) record(failed(h, 'eval-error', 'killed', 'evaluation cancelled'));
      return { rest: [] };
    }
    if (overBudget && !timedOutHost) return { rest, memory: true };
    const blame = current ?? rest[0];
    if (timedOutHost) {
      const secs = ((opts.timeoutMs ?? 0) / 1000).toFixed(opts.timeoutMs! % 1000 ? 1 : 0);
      record(
        failed(timedOutHost, 'eval-error', 'timeout', `evaluation timed out after ${secs} s (--timeout)`),
      );
      return { rest: rest.filter((h) => h !== timedOutHost) };
    }
    if (r.memoryExceeded && blame) {
      if (!alone) return { rest: rest.filter((h) => h !== blame), isolate: blame };
      record(
        failed(
          blame,
          'eval-error',
          'out-of-memory',
          `evaluation used more than ${budget! * 2} MiB (twice the --max-memory budget of ${budget} MiB) and was stopped`,
        ),
      );
      return { rest: rest.filter((h) => h !== blame) };
    }
    if (r.code === null && blame) {
      // Killed from outside (OOM killer, an operator): the host it was on is reported, the
      // rest are evaluated in a new process.
      record(
        failed(
          blame,
          'eval-error',
          'killed',
          `nix was killed by ${r.signal ?? 'a signal'} while evaluating ${blame}`,
        ),
      );
      return { rest: rest.filter((h) => h !== blame) };
    }
    if (r.code === 0) {
      for (const h of rest)
        record(failed(h, 'eval-error', 'nix-error', 'nix eval gave no result for this host'));
      return { rest: [] };
    }
    const trimmed = trimFor(current, r.stderr);
    const extra = positionOf(trimmed.at);
    if (current) {
      record(
        failed(current, 'eval-error', 'nix-error', trimmed.text, { ...extra, message: trimmed.message }),
      );
      return { rest: rest.filter((h) => h !== current) };
    }
    // Nix failed before it reached any host (the flake itself does not evaluate): every host
    // of the batch shares that error.
    for (const h of rest)
      record(failed(h, 'eval-error', 'nix-error', trimmed.text, { ...extra, message: trimmed.message }));
    return { rest: [] };
  };

  // One nix process per batch at a time; a batch restarts without the host that broke it.
  await mapLimit(batches(hosts, opts.jobs ?? 1, opts.batchSize), opts.jobs ?? 1, async (batch) => {
    let next: string[] = batch;
    let reason: 'batch' | 'restart' | 'memory' = 'batch';
    while (next.length > 0 && !opts.signal?.aborted) {
      emit({ type: 'process', hosts: next, reason });
      const out = await runBatch(next, false);
      if (out.isolate) {
        emit({ type: 'process', hosts: [out.isolate], reason: 'isolate' });
        const again = await runBatch([out.isolate], true);
        // A host alone either ends with a result or is recorded as failed.
        if (again.rest.length && !results.has(out.isolate))
          record(failed(out.isolate, 'eval-error', 'nix-error', 'no result'));
      }
      next = out.rest;
      reason = out.memory ? 'memory' : 'restart';
    }
    for (const h of next)
      if (!results.has(h)) record(failed(h, 'eval-error', 'killed', 'evaluation cancelled'));
  });
  return hosts.map((h) => results.get(h) ?? failed(h, 'eval-error', 'nix-error', 'not evaluated'));
}

export function positionOf(
  at: { file: string; line: number; column?: number; inRepo: boolean } | undefined,
): { file?: string; line?: number; column?: number } {
  if (!at?.inRepo) return {};
  const out: { file: string; line: number; column?: number } = { file: at.file, line: at.line };
  if (at.column) out.column = at.column;
  return out;
}
