// One lint of texts already read: the engine over each, on worker threads when there is enough
// source to share them, and Nix's syntax verdicts for every file tree-sitter doubts asked at
// the end, together (nix-ast/deferred.ts). `tappaas lint` (run.ts) hands it files from disk,
// the server hook (hook/lint-tips.ts) blobs from git. Results are in the jobs' order, however
// many threads linted them.
import type { RuleSetting } from '../config/types.js';
import type { ModuleFacts } from '../module-graph/facts.js';
import type { LintedFileSetup } from '../module-graph/linted-facts.js';
import { confirmDeferred, deferredNixChecker, hasDeferredVerdict } from '../nix-ast/deferred.js';
import type { NixFile } from '../nix-ast/file.js';
import type { EngineOptions, lintSource } from './engine.js';
import type { PoolJob } from './pool.js';
import type { Diagnostic } from './types.js';

export type RuleSettings = Record<string, RuleSetting>;

export interface LintBlobsOptions {
  /**
   * The rule settings of every job, or each job's own. Jobs share worker threads only when
   * they share one settings object (a worker is set up with one).
   */
  ruleSettings: RuleSettings | readonly RuleSettings[];
  /** Threads to lint on, this one included; at most one per job is used. */
  threads: number;
  /** Below this much source (UTF-16 code units) one thread lints: a worker's start costs more. */
  minParallelChars: number;
  /** Source per batch handed to a worker (pool.ts). */
  batchBytes?: number;
  /** Also read each file's module facts from its parse (module-graph/linted-facts.ts). */
  facts?: LintedFileSetup;
  /** Run-level notes from the engine (e.g. Nix is missing). */
  onNote?: (text: string) => void;
  /** When given, time per rule is added here (and linting stays on this thread). */
  ruleTimes?: Map<string, number>;
  /** The per-file linter; tests wrap the real one (linting then stays on this thread). */
  lintFile?: typeof lintSource;
  /** Job `index` is linted (its syntax may still wait for Nix's verdict). */
  onDone?: (index: number) => void;
}

export interface LintedBlobs {
  /** Each job's findings, in the jobs' order. */
  results: Diagnostic[][];
  /** Module facts of the jobs that have them (with `facts`). */
  facts: Map<PoolJob, ModuleFacts>;
  /** Threads that linted, this one included. */
  threads: number;
}

function eachJob(s: LintBlobsOptions['ruleSettings']): s is readonly RuleSettings[] {
  return Array.isArray(s);
}

export async function lintBlobs(jobs: readonly PoolJob[], opts: LintBlobsOptions): Promise<LintedBlobs> {
  const facts = new Map<PoolJob, ModuleFacts>();
  if (jobs.length === 0) return { results: [], facts, threads: 1 };
  const all = opts.ruleSettings;
  const settingsOf = (i: number): RuleSettings => (eachJob(all) ? all[i]! : all);
  const shared = eachJob(all) ? (all.every((s) => s === all[0]) ? all[0] : undefined) : all;
  // The engine (every rule, the parser) loads only for a run that lints.
  const lintFile = opts.lintFile ?? (await import('./engine.js')).lintSource;
  const { factsOfLinted } =
    opts.facts && !opts.lintFile
      ? await import('../module-graph/linted-facts.js')
      : { factsOfLinted: undefined };
  const engine = (ruleSettings: RuleSettings): EngineOptions => ({
    ruleSettings,
    onNote: opts.onNote,
    ruleTimes: opts.ruleTimes,
  });
  const lintHere = (job: PoolJob, ruleSettings: RuleSettings) =>
    lintFile(job.file, job.text, {
      ...engine(ruleSettings),
      // Doubted files are marked, not checked one Nix at a time; see confirmDeferred below.
      nixChecker: deferredNixChecker,
      ...(factsOfLinted && {
        onTree: (file: NixFile) => {
          const found = factsOfLinted(file, opts.facts!);
          if (found) facts.set(job, found);
        },
      }),
    });

  const chars = jobs.reduce((n, job) => n + job.text.length, 0);
  const alone = opts.lintFile !== undefined || opts.ruleTimes !== undefined || shared === undefined;
  const wanted = alone || chars < opts.minParallelChars ? 0 : Math.min(opts.threads, jobs.length) - 1;
  // The pool (and node:worker_threads) loads only for a run that will use it.
  const pool = wanted > 0 ? await import('./pool.js') : undefined;
  const workerUrl = pool?.defaultWorkerUrl();
  const workers = workerUrl ? wanted : 0;
  let results: Diagnostic[][];
  if (pool && workerUrl && workers > 0 && shared) {
    results = await pool.lintInPool(jobs, {
      workers,
      workerUrl,
      setup: { ruleSettings: shared, deferSyntax: true, ...(opts.facts ? { facts: opts.facts } : {}) },
      lintHere: (job) => lintHere(job, shared),
      onDone: opts.onDone,
      onNote: opts.onNote,
      onFacts: (i, found) => facts.set(jobs[i]!, found),
      ...(opts.batchBytes ? { batchBytes: opts.batchBytes } : {}),
    });
  } else {
    results = [];
    for (let i = 0; i < jobs.length; i++) {
      results.push(await lintHere(jobs[i]!, settingsOf(i)));
      opts.onDone?.(i);
    }
  }
  // The files tree-sitter doubted, linted again with Nix's verdicts, asked together.
  await confirmDeferred(results, hasDeferredVerdict, (i, nixChecker) =>
    lintFile(jobs[i]!.file, jobs[i]!.text, { ...engine(settingsOf(i)), nixChecker }),
  );
  return { results, facts, threads: workers + 1 };
}
