// Lints on every core: worker threads take batches of files from one queue while this
// thread lints batches too. Results land by index, so output never depends on timing. A
// worker that dies rejects the whole run with the files it held; nothing waits forever.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RuleSetting } from '../config/types.js';
import type { ModuleFacts } from '../module-graph/facts.js';
import type { LintedFileSetup } from '../module-graph/linted-facts.js';
import type { Diagnostic } from './types.js';

export interface PoolJob {
  file: string;
  text: string;
}

export interface WorkerSetup {
  ruleSettings: Record<string, RuleSetting>;
  /** Workers also read each file's module facts from its parse (module-graph/facts.ts). */
  facts?: LintedFileSetup;
  /** Workers mark doubted files instead of asking Nix; the caller confirms them (nix-ast/deferred.ts). */
  deferSyntax?: boolean;
}

export interface BatchRequest {
  id: number;
  jobs: PoolJob[];
}

export type BatchReply = { id: number; notes: string[] } & (
  | { results: Diagnostic[][]; facts?: (ModuleFacts | undefined)[] }
  | { error: { message: string; stack: string } }
);

export class LintWorkerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LintWorkerError';
  }
}

/** The bundled worker beside the bundled CLI; from TypeScript sources there is none. */
export function defaultWorkerUrl(): URL | undefined {
  const url = new URL('./lint-worker.mjs', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

export interface PoolOptions {
  /** Worker threads besides this one. */
  workers: number;
  workerUrl: URL;
  setup: WorkerSetup;
  /** This thread's share of the work. */
  lintHere: (job: PoolJob) => Promise<Diagnostic[]>;
  onDone?: (index: number) => void;
  onNote?: (text: string) => void;
  /** A worker's module facts of job `index` (with `setup.facts`). */
  onFacts?: (index: number, facts: ModuleFacts) => void;
  /** Bytes of source per batch: large enough to amortise a message, small enough to balance. */
  batchBytes?: number;
}

function batchesOf(jobs: PoolJob[], maxBytes: number): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < jobs.length; i++) {
    bytes += jobs[i]!.text.length;
    if (bytes >= maxBytes || i === jobs.length - 1) {
      out.push([start, i + 1]);
      start = i + 1;
      bytes = 0;
    }
  }
  return out;
}

export async function lintInPool(jobs: PoolJob[], opts: PoolOptions): Promise<Diagnostic[][]> {
  const results: Diagnostic[][] = new Array(jobs.length);
  const batches = batchesOf(jobs, opts.batchBytes ?? 48 * 1024);
  let next = 0;
  const take = () => (next < batches.length ? next++ : -1);
  const files = (b: number) => {
    const [s, e] = batches[b]!;
    const names = jobs.slice(s, e).map((j) => j.file);
    return names.length > 3
      ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`
      : names.join(', ');
  };
  const store = (b: number, found: Diagnostic[][]) => {
    const [s] = batches[b]!;
    for (let i = 0; i < found.length; i++) {
      results[s + i] = found[i]!;
      opts.onDone?.(s + i);
    }
  };

  let failed = false;
  const workers: Worker[] = [];
  const idleChecks: (() => void)[] = [];
  const running = Array.from(
    { length: opts.workers },
    (_, w) =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(opts.workerUrl, { workerData: opts.setup });
        workers.push(worker);
        const inFlight = new Set<number>();
        const send = () => {
          const b = failed ? -1 : take();
          if (b < 0) return;
          inFlight.add(b);
          const [s, e] = batches[b]!;
          worker.postMessage({ id: b, jobs: jobs.slice(s, e) } satisfies BatchRequest);
        };
        const fail = (why: string, cause?: unknown) => {
          const held = [...inFlight].map(files).join(', ');
          reject(
            new LintWorkerError(
              `lint worker ${w + 1} ${why}${held ? ` while linting ${held}` : ''}. ` +
                'Run again with TAPPAAS_LINT_THREADS=1 to lint in one thread and see the failure directly.',
              { cause },
            ),
          );
        };
        const idle = () => {
          if (inFlight.size === 0 && (next >= batches.length || failed)) resolve();
        };
        idleChecks.push(idle);
        worker.on('message', (reply: BatchReply) => {
          for (const note of reply.notes) opts.onNote?.(note);
          if ('error' in reply) {
            fail(`failed: ${reply.error.stack}`);
            return;
          }
          inFlight.delete(reply.id);
          store(reply.id, reply.results);
          const [first] = batches[reply.id]!;
          reply.facts?.forEach((f, i) => {
            if (f) opts.onFacts?.(first + i, f);
          });
          send();
          idle();
        });
        worker.on('error', (err) => fail(`crashed: ${err.stack ?? err.message}`, err));
        worker.on('exit', (code) => {
          if (inFlight.size > 0) fail(`exited with code ${code}`);
          else idle();
        });
        // Two batches in flight: the worker never idles while this thread is busy.
        send();
        send();
      }),
  );
  const all = Promise.all(running);
  all.catch(() => {
    failed = true;
  });
  try {
    for (let b = take(); b >= 0 && !failed; b = take()) {
      const [s, e] = batches[b]!;
      const found: Diagnostic[][] = [];
      for (let i = s; i < e; i++) found.push(await opts.lintHere(jobs[i]!));
      store(b, found);
      // Let worker replies in, so their next batches go out without waiting for this thread.
      await new Promise((r) => setImmediate(r));
    }
    for (const idle of idleChecks) idle();
    await all;
    return results;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
