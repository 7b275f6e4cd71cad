// A lint run over paths: collect files, read and check their bytes, serve unchanged files
// from the cache (no parser is even loaded when every file is a hit), lint the rest, on
// worker threads when there is enough of it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, type Stats, statSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { normalizePath } from '../config/fleet.js';
import type { TappaasConfig } from '../config/types.js';
import type { ModuleFacts } from '../module-graph/facts.js';
import { repoPathOf } from '../module-graph/linted-facts.js';
import type { KnownFacts } from '../module-graph/repo-context.js';
import { confirmDeferred, deferredNixChecker, hasDeferredVerdict } from '../nix-ast/deferred.js';
import type { NixFile } from '../nix-ast/file.js';
import { lintRuleSettings } from '../nixos/options-index/locate.js';
import { blobHash, LintCache } from './cache.js';
import type { EngineOptions, lintSource } from './engine.js';
import { collectNixFiles } from './files.js';
import type { PoolJob } from './pool.js';
import { DEFAULT_MAX_FILE_BYTES, decodeSource } from './read-source.js';
import type { Diagnostic, LintResult } from './types.js';

export interface LintRunOptions {
  cwd: string;
  /** Repository root: where the cache lives and relative ignore patterns start. */
  root: string;
  config: TappaasConfig;
  cache: boolean;
  cacheFile?: string;
  onProgress?: (done: number, total: number, file: string) => void;
  /** Run-level notes from the engine (e.g. Nix is missing), each text once. */
  onNote?: (text: string) => void;
  /** Threads to lint on, this one included; default TAPPAAS_LINT_THREADS or every core. */
  threads?: number;
  /** When given, time per rule is added here (and linting stays on this thread). */
  ruleTimes?: Map<string, number>;
  /** The per-file linter; tests wrap the real one to count what is parsed. */
  lintFile?: typeof lintSource;
}

/** What a run did, for tests and the bench: which files were served from the cache. */
export interface LintRunStats {
  /** Files whose bytes were read (the others were known unchanged by their stat). */
  read: number;
  cached: number;
  linted: number;
  threads: number;
}

// Kept beside the decoder (which the hook loads without this module); exported here too.
export { DEFAULT_MAX_FILE_BYTES };
/** Below this much uncached source a worker's start-up (~50 ms) costs more than it saves. */
export const MIN_PARALLEL_CHARS = 512 * 1024;

export function cacheFileFor(root: string): string {
  if (existsSync(join(root, 'node_modules')))
    return join(root, 'node_modules', '.cache', 'tappaas', 'lint.json');
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'tappaas', `lint-${createHash('sha1').update(root).digest('hex').slice(0, 12)}.json`);
}

function defaultThreads(): number {
  const env = Number.parseInt(process.env.TAPPAAS_LINT_THREADS ?? '', 10);
  return env > 0 ? env : Math.min(availableParallelism(), 8);
}

export async function lintPaths(
  paths: string[],
  opts: LintRunOptions,
): Promise<LintResult & { stats: LintRunStats }> {
  const { files, problems } = collectNixFiles(paths, opts.cwd, {
    root: opts.root,
    ignore: opts.config.lint?.ignore,
  });
  const diagnostics: Diagnostic[] = problems.map((p) => ({
    ...fileProblem(p.path, p.message),
    rule: p.rule,
    severity: p.severity,
  }));
  // tappaas.json's rule settings, plus the options index (scripts/nixos/options-index/locate.ts).
  const ruleSettings = lintRuleSettings(opts.root, opts.config);
  const maxBytes = opts.config.lint?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const cache = opts.cache
    ? new LintCache(opts.cacheFile ?? cacheFileFor(opts.root), JSON.stringify([ruleSettings, maxBytes]))
    : undefined;
  const seenNotes = new Set<string>();
  const onNote = (text: string) => {
    if (seenNotes.has(text)) return;
    seenNotes.add(text);
    opts.onNote?.(text);
  };

  // Pass 1 (cheap): read, hash, answer from the cache; only the rest is parsed.
  const jobs: PoolJob[] = [];
  const hashes: string[] = [];
  let chars = 0;
  let done = 0;
  let hits = 0;
  let filesRead = 0;
  for (const file of files) {
    const abs = resolve(opts.cwd, file);
    // As git's index does: a file whose stat is unchanged is not even read again.
    const st = cache ? statOrNothing(abs) : undefined;
    const known = st && cache?.knownHash(abs, st);
    const early = known ? cache?.get(known) : undefined;
    if (early) {
      hits++;
      for (const d of early) diagnostics.push({ file, ...d });
      opts.onProgress?.(done++, files.length, file);
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(abs);
      filesRead++;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      diagnostics.push(
        fileProblem(file, `cannot be read (${code}): not linted. Check the file's permissions.`),
      );
      opts.onProgress?.(done++, files.length, file);
      continue;
    }
    const hash = cache ? blobHash(bytes) : '';
    if (st) cache?.remember(abs, st, hash);
    const hit = cache?.get(hash);
    if (hit) {
      hits++;
      for (const d of hit) diagnostics.push({ file, ...d });
      opts.onProgress?.(done++, files.length, file);
      continue;
    }
    const read = decodeSource(bytes, maxBytes);
    if (!read.ok) {
      const at = { line: read.line, column: read.column, endLine: read.line, endColumn: read.column };
      const found = [{ ...fileProblem(file, read.message), ...at, severity: read.severity }];
      cache?.set(hash, found);
      diagnostics.push(...found);
      opts.onProgress?.(done++, files.length, file);
      continue;
    }
    jobs.push({ file, text: read.text });
    hashes.push(hash);
    chars += read.text.length;
  }

  // Pass 2: lint what the cache did not know, on every core when there is enough of it.
  // The engine (every rule, the parser) loads only when some file missed the cache.
  const lintFile = opts.lintFile ?? (jobs.length > 0 ? (await import('./engine.js')).lintSource : undefined);
  // Typed this way so the run works with engines that do or do not take notes yet.
  const engineOptions: EngineOptions & { onNote?: (text: string) => void } = {
    ruleSettings,
    onNote,
    ruleTimes: opts.ruleTimes,
    // Doubted files are marked, not checked one Nix at a time; see confirmDeferred below.
    nixChecker: deferredNixChecker,
  };
  // Each parsed file's module facts, from the same parse, for the repository context below.
  const factsSetup = {
    root: opts.root,
    cwd: opts.cwd,
    flake: normalizePath(opts.config.fleet?.flake ?? 'flake.nix'),
  };
  const factsOfJob = new Map<PoolJob, ModuleFacts>();
  const { factsOfLinted } =
    jobs.length > 0 && !opts.lintFile
      ? await import('../module-graph/linted-facts.js')
      : { factsOfLinted: undefined };
  const lintHere = (job: PoolJob) =>
    lintFile!(job.file, job.text, {
      ...engineOptions,
      ...(factsOfLinted && {
        onTree: (file: NixFile) => {
          const facts = factsOfLinted(file, factsSetup);
          if (facts) factsOfJob.set(job, facts);
        },
      }),
    });
  const threads = Math.max(1, opts.threads ?? defaultThreads());
  const wanted =
    opts.lintFile || opts.ruleTimes || chars < MIN_PARALLEL_CHARS
      ? 0
      : Math.min(threads - 1, jobs.length - 1);
  // The pool (and node:worker_threads) loads only for a run that will use it.
  const pool = wanted > 0 ? await import('./pool.js') : undefined;
  const workerUrl = pool?.defaultWorkerUrl();
  const workers = workerUrl ? wanted : 0;
  const onDone = (i: number) => opts.onProgress?.(done++, files.length, jobs[i]!.file);
  let results: Diagnostic[][];
  if (pool && workers > 0 && workerUrl) {
    results = await pool.lintInPool(jobs, {
      workers,
      workerUrl,
      setup: { ruleSettings, deferSyntax: true, facts: factsSetup },
      lintHere,
      onDone,
      onNote,
      onFacts: (i, facts) => factsOfJob.set(jobs[i]!, facts),
    });
  } else {
    results = [];
    for (let i = 0; i < jobs.length; i++) {
      results.push(await lintHere(jobs[i]!));
      onDone(i);
    }
  }
  // The files tree-sitter doubted, linted again with Nix's verdicts, asked together.
  await confirmDeferred(results, hasDeferredVerdict, (i, nixChecker) =>
    lintFile!(jobs[i]!.file, jobs[i]!.text, { ...engineOptions, nixChecker }),
  );
  for (let i = 0; i < jobs.length; i++) {
    cache?.set(hashes[i]!, results[i]!);
    diagnostics.push(...results[i]!);
  }
  cache?.save();
  // What kind of file each finding is in, only when some finding depends on it.
  const settled = diagnostics.some(dependsOnContext)
    ? await withRepoContext(diagnostics, opts, maxBytes, linted(jobs, hashes, factsOfJob, factsSetup))
    : diagnostics;
  return {
    files: files.length,
    diagnostics: sortByFile(settled),
    stats: { read: filesRead, cached: hits, linted: jobs.length, threads: workers + 1 },
  };
}

function dependsOnContext(d: Diagnostic): boolean {
  return d.scope !== undefined || d.namespace !== undefined;
}

/** The module facts this run read from its own parses, by repository path (with the blob id when known). */
function linted(
  jobs: PoolJob[],
  hashes: string[],
  factsOfJob: ReadonlyMap<PoolJob, ModuleFacts>,
  at: { root: string; cwd: string },
): Map<string, KnownFacts> {
  const out = new Map<string, KnownFacts>();
  jobs.forEach((job, i) => {
    const facts = factsOfJob.get(job);
    const path = facts && repoPathOf(job.file, at);
    if (facts && path !== undefined) out.set(path, { facts, ...(hashes[i] ? { oid: hashes[i] } : {}) });
  });
  return out;
}

/** The findings settled by the repository's import graph (scripts/module-graph). */
async function withRepoContext(
  diagnostics: Diagnostic[],
  opts: LintRunOptions,
  maxBytes: number,
  known: ReadonlyMap<string, KnownFacts>,
): Promise<Diagnostic[]> {
  const [{ applyRepoContext }, { buildRepoContext, workTreeReader }, { FactsCache }] = await Promise.all([
    import('../module-graph/apply.js'),
    import('../module-graph/repo-context.js'),
    import('../module-graph/facts-cache.js'),
  ]);
  const cacheFile = opts.cache
    ? join(dirname(opts.cacheFile ?? cacheFileFor(opts.root)), 'module-facts.json')
    : undefined;
  const context = await buildRepoContext(workTreeReader(opts.root), {
    flake: normalizePath(opts.config.fleet?.flake ?? 'flake.nix'),
    cache: new FactsCache(cacheFile),
    maxBytes,
    known,
  });
  return applyRepoContext(diagnostics, context, (file) => repoPathOf(file, opts));
}

/** A stat for the memo; when there is none, the read below reports what is wrong. */
function statOrNothing(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function fileProblem(file: string, message: string): Diagnostic {
  return {
    file,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    rule: 'unreadable-file',
    severity: 'error',
    message,
  };
}

function sortByFile(list: Diagnostic[]): Diagnostic[] {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of list) {
    let group = byFile.get(d.file);
    if (!group) byFile.set(d.file, (group = []));
    group.push(d);
  }
  return [...byFile.keys()].sort().flatMap((f) => byFile.get(f)!.sort(byPosition));
}

/** The engine's order within a file (sortDiagnostics), without loading the engine. */
function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule);
}
