// The worker pool: the same diagnostics in the same order as one thread, and a worker that
// dies becomes a clear error naming the files it held, never a hang.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintSource } from '../../../scripts/lint/engine.js';
import { LintWorkerError, lintInPool, type PoolJob } from '../../../scripts/lint/pool.js';
import {
  confirmDeferred,
  deferredNixChecker,
  hasDeferredVerdict,
} from '../../../scripts/nix-ast/deferred.js';
import { generateCorpus } from '../../bench/corpus.js';

// The worker is bundled exactly as `npm run build` does, inside the repo so that its
// packages (web-tree-sitter, the grammar) resolve.
const out = join(process.cwd(), 'node_modules', '.cache', 'tappaas-test', `pool-${process.pid}`);
const tmp = mkdtempSync(join(tmpdir(), 'tappaas-pool-'));
let workerUrl: URL;
let jobs: PoolJob[];

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { 'lint-worker': 'scripts/lint/worker.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: out,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  workerUrl = pathToFileURL(join(out, 'lint-worker.mjs'));
  const corpus = generateCorpus(join(tmp, 'fleet'), 250_000, 5);
  jobs = corpus.files.map((f) => ({ file: f, text: readFileSync(join(corpus.dir, f), 'utf8') }));
  // A finding or two per file somewhere, so order mistakes would show.
  jobs.push({ file: 'bad.nix', text: '{ a = x == true; b = ; }\n' });
});

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

const here = (job: PoolJob) => lintSource(job.file, job.text, {});

/** Fails the test instead of hanging it. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: the pool hangs`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

describe('lintInPool', () => {
  it('gives what one thread gives, file by file, in order', async () => {
    const serial = [];
    for (const job of jobs) serial.push(await here(job));
    for (const workers of [1, 3]) {
      const pooled = await within(
        30_000,
        lintInPool(jobs, {
          workers,
          workerUrl,
          setup: { ruleSettings: {} },
          lintHere: here,
          batchBytes: 8_000,
        }),
      );
      expect(pooled).toEqual(serial);
    }
    expect(serial.flat().length).toBeGreaterThan(0);
  });

  it('with deferSyntax, doubted files come back marked; confirming them gives what one thread gives', async () => {
    const doubted: PoolJob[] = [
      { file: 'gap.nix', text: '{ a, b, }:\n{ c = a == true; d = b; }\n' },
      { file: 'empty.nix', text: '' },
    ];
    const all = [...jobs.slice(0, 40), ...doubted, ...jobs.slice(40)];
    const serial = [];
    for (const job of all) serial.push(await here(job));
    const deferred = (job: PoolJob) => lintSource(job.file, job.text, { nixChecker: deferredNixChecker });
    const pooled = await within(
      30_000,
      lintInPool(all, {
        workers: 1,
        workerUrl,
        setup: { ruleSettings: {}, deferSyntax: true },
        lintHere: deferred,
        batchBytes: 8_000,
      }),
    );
    // bad.nix and the two doubted files, whichever thread linted them.
    expect(pooled.filter(hasDeferredVerdict)).toHaveLength(3);
    await confirmDeferred(pooled, hasDeferredVerdict, (i, nixChecker) =>
      lintSource(all[i]!.file, all[i]!.text, { nixChecker }),
    );
    expect(pooled).toEqual(serial);
  });

  it('reports each file done exactly once', async () => {
    const seen: number[] = [];
    await within(
      30_000,
      lintInPool(jobs, {
        workers: 1,
        workerUrl,
        setup: { ruleSettings: {} },
        lintHere: here,
        onDone: (i) => seen.push(i),
      }),
    );
    expect(seen.sort((a, b) => a - b)).toEqual(jobs.map((_, i) => i));
  });

  const crashing: [string, string, RegExp][] = [
    [
      'exits',
      "import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => process.exit(3));",
      /exited with code 3 while linting/,
    ],
    [
      'throws on load',
      "throw new Error('cannot start: grammar missing');",
      /crashed: Error: cannot start: grammar missing/,
    ],
    [
      'answers with an error',
      "import { parentPort } from 'node:worker_threads'; parentPort.on('message', (m) => parentPort.postMessage({ id: m.id, notes: [], error: { message: 'rule x threw', stack: 'Error: rule x threw' } }));",
      /failed: Error: rule x threw/,
    ],
  ];
  for (const [name, code, message] of crashing) {
    it(`turns a worker that ${name} into a LintWorkerError`, async () => {
      const script = join(tmp, `${name.replace(/\W/g, '-')}.mjs`);
      writeFileSync(script, code);
      const run = lintInPool(jobs, {
        workers: 1,
        workerUrl: pathToFileURL(script),
        setup: { ruleSettings: {} },
        // This thread stays slow so the worker surely holds batches when it dies.
        lintHere: async (job) => {
          await new Promise((r) => setTimeout(r, 5));
          return here(job);
        },
      });
      const err = await within(30_000, run).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LintWorkerError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toMatch(/TAPPAAS_LINT_THREADS=1/);
    });
  }
});
