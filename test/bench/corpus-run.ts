// `npm run bench -- corpus DIR...`: the lint on real fleets checked out elsewhere. For each
// DIR: what it found (per rule, each error listed for a human to judge), whether it linted
// every .nix file there, and its wall time against `nix-instantiate --parse` on the same
// files in the same run, both as whole processes. Counting and tables: corpus-report.ts.
import { spawnSync } from 'node:child_process';
import { type Dirent, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../scripts/config/file.js';
import { repoRoot } from '../../scripts/git/repo-root.js';
import { collectNixFiles } from '../../scripts/lint/files.js';
import {
  compareFiles,
  errorLines,
  isLintOutput,
  type LintOutput,
  type NixRejection,
  nixMessage,
  type RepoRow,
  rejectedIndex,
  ruleTable,
  speedRatio,
  summaryTable,
  type Tally,
  tally,
} from './corpus-report.js';
import { chunks, nixParse, ratio, run, type Timing, timed } from './measure.js';

const CLI = fileURLToPath(new URL('./tappaas.mjs', import.meta.url));
const RUNS = Math.max(1, Math.floor(Number(process.env.BENCH_RUNS ?? 1)) || 1);
/** Errors listed per repository; the rest are counted. */
const MAX_ERRORS = 30;
/**
 * Speed targets by repository name. home-manager is big enough (3,500 files) that node's
 * start-up does not decide the figure; on a fleet of a few dozen files it would.
 */
const TARGETS: [RegExp, number][] = [[/home-manager/, 0.5]];

export const corpusUsage = `Usage: npm run bench -- corpus DIR...

Lints each DIR (a Nix repository checked out outside this one) with the built CLI, lists
its findings per rule and every error, and times the lint against nix-instantiate --parse
on the same files. Relative DIRs are taken from where npm was run.

The expected corpus: the public fleets NixOS/infra, Misterio77/nix-config,
nix-community/infra and nix-community/srvos, and nix-community/home-manager (the speed
target: ratio >= 0.5); also Mic92/dotfiles, mitchellh/nixos-config, ryan4yin/nix-config.
BENCH_RUNS=N times each process N times (median; default 1).`;

/** Every .nix file under `dir` as `find -name '*.nix'` sees it (bar .git), relative, sorted. */
export function findNixFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch {
      return; // an unreadable folder: the lint reports it; the count shows the gap
    }
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== '.git') walk(path);
      } else if (e.name.endsWith('.nix') && (e.isFile() || isFileLink(join(dir, path)))) out.push(path);
    }
  };
  walk('');
  return out.sort();
}

function isFileLink(abs: string): boolean {
  try {
    return statSync(abs).isFile();
  } catch {
    return false;
  }
}

/**
 * Which files Nix rejects, found before any timing (the pass also warms the page cache for
 * both contenders). nix-instantiate stops at the first bad file, so the rest of its batch
 * is parsed again without it.
 */
async function nixCheck(cwd: string, files: string[]): Promise<{ ok: string[]; rejected: NixRejection[] }> {
  const ok: string[] = [];
  const rejected: NixRejection[] = [];
  const one = async (file: string) => {
    const r = await run('nix-instantiate', ['--parse', file], { cwd });
    if (r.code === 0) ok.push(file);
    else rejected.push({ file, ...rejectedIndex(r.stderr, cwd, [file]), message: nixMessage(r.stderr) });
  };
  for (const part of chunks(files)) {
    let rest = part;
    while (rest.length > 0) {
      const r = await run('nix-instantiate', ['--parse', ...rest], { cwd });
      if (r.code === 0) {
        ok.push(...rest);
        break;
      }
      const { index, at } = rejectedIndex(r.stderr, cwd, rest);
      if (index < 0) {
        for (const f of rest) await one(f);
        break;
      }
      ok.push(...rest.slice(0, index));
      rejected.push({ file: rest[index]!, at, message: nixMessage(r.stderr) });
      rest = rest.slice(index + 1);
    }
  }
  return { ok, rejected };
}

class BenchProblem extends Error {}

/** One `tappaas lint` process: cold (`--no-cache`), or with its cache in `cacheHome`. */
async function lintProcess(cwd: string, cacheHome?: string): Promise<string> {
  const args = [CLI, 'lint', '.', '--format', 'json', ...(cacheHome ? [] : ['--no-cache'])];
  const r = await run(process.execPath, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...(cacheHome ? { XDG_CACHE_HOME: cacheHome } : {}) },
    keepStdout: true,
  });
  if (r.code !== 0 && r.code !== 1)
    throw new BenchProblem(
      `tappaas lint exited ${r.code} (0 or 1 expected); its stderr:\n${r.stderr.trim() || '(empty)'}`,
    );
  return r.stdout;
}

interface RepoResult extends RepoRow {
  dir: string;
  lintCpuMs: number;
  rejected: NixRejection[];
}

/** Lints and times one DIR; logs its block; throws BenchProblem when it cannot be measured. */
async function benchRepo(dir: string, log: (line: string) => void, problems: string[]): Promise<RepoResult> {
  const say = (text: string) => {
    problems.push(`${dir}: ${text}`);
    log(`PROBLEM: ${text}`);
  };
  const found = findNixFiles(dir);
  if (found.length === 0) throw new BenchProblem('no .nix files in this folder; give a Nix repository');
  let ignore: string[] | undefined;
  try {
    ignore = loadConfig(dir).config.lint?.ignore;
  } catch (err) {
    throw new BenchProblem(`its tappaas.json cannot be used: ${(err as Error).message}`);
  }
  const linted = collectNixFiles(['.'], dir, { root: repoRoot(dir), ignore }).files;

  const { ok, rejected } = await nixCheck(dir, linted);
  let stdout = '';
  const lint: Timing = await timed(RUNS, async () => {
    stdout = await lintProcess(dir);
  });
  const nix: Timing = ok.length > 0 ? await timed(RUNS, () => nixParse(dir, ok)) : { ms: 0, cpuMs: 0 };
  // Warm: what a second run (CI with its cache, a developer's next lint) costs; a private
  // cache folder, filled once, so nothing of the user's is touched.
  const cacheHome = mkdtempSync(join(tmpdir(), 'tappaas-corpus-cache-'));
  let warmOut = '';
  let warm: Timing;
  try {
    await lintProcess(dir, cacheHome);
    warm = await timed(RUNS, async () => {
      warmOut = await lintProcess(dir, cacheHome);
    });
  } finally {
    rmSync(cacheHome, { recursive: true, force: true });
  }
  let output: LintOutput;
  try {
    const parsed: unknown = JSON.parse(stdout);
    if (!isLintOutput(parsed)) throw new Error('not {files, diagnostics[]}');
    output = parsed;
  } catch (err) {
    throw new BenchProblem(`tappaas lint printed no JSON report (${(err as Error).message})`);
  }
  const t = tally(output.diagnostics);
  const name = basename(dir);
  const target = TARGETS.find(([re]) => re.test(name))?.[1];

  log(`files: ${found.length} .nix found, ${output.files} linted`);
  const real = (f: string) => {
    try {
      return realpathSync(join(dir, f));
    } catch {
      return join(dir, f);
    }
  };
  const { notLinted, notFound } = compareFiles(found, linted, real);
  if (output.files !== linted.length)
    say(`the CLI linted ${output.files} files, the file walk lists ${linted.length}: they should agree`);
  for (const [list, what] of [
    [notLinted, 'found but not linted'],
    [notFound, 'linted but not found by the walk'],
  ] as const) {
    if (list.length === 0) continue;
    log(`  ${list.length} ${what}: ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', ...' : ''}`);
  }
  const r = speedRatio(nix.ms, lint.ms);
  // The floor under any lint built on the grammar: tree-sitter's parse alone, every file once,
  // in this process on one thread (the rules, the walk and start-up come on top of it).
  const parseMs = target === undefined ? undefined : await parseOnlyMs(dir, linted);
  log(
    `lint ${lint.ms.toFixed(0)} ms wall (cpu ${lint.cpuMs.toFixed(0)} ms); ` +
      `nix-instantiate --parse ${nix.ms.toFixed(0)} ms wall (cpu ${nix.cpuMs.toFixed(0)} ms), ` +
      `${chunks(ok).length} process(es), ${ok.length} files`,
  );
  // CPU time too: on a shared machine the wall clock carries the neighbours' load.
  const byCpu = `by CPU time: ${speedRatio(nix.cpuMs, lint.cpuMs).toFixed(2)}x`;
  log(
    target === undefined
      ? `lint vs nix-instantiate --parse, wall: ${r.toFixed(2)}x (no target here: node start-up weighs on a small fleet); ${byCpu}`
      : `${ratio('lint vs nix-instantiate --parse, wall', r, target)}; ${byCpu}`,
  );
  log(
    `warm (cache filled by a first run): lint ${warm.ms.toFixed(0)} ms wall, ${speedRatio(nix.ms, warm.ms).toFixed(2)}x ` +
      `nix-instantiate --parse${warmOut === stdout ? ', same findings as cold' : ''}`,
  );
  if (warmOut !== stdout) say('the warm run reported something else than the cold run');
  if (parseMs !== undefined) {
    const cores = availableParallelism();
    log(
      `tree-sitter parse alone (in process, 1 thread): ${parseMs.toFixed(0)} ms; even a lint that did nothing else ` +
        `on all ${cores} cores would reach at most ${speedRatio(nix.ms, parseMs / cores).toFixed(2)}x`,
    );
  }
  log(
    `findings: ${count(t.counts.error, 'error')} in ${count(t.filesWithError, 'file')}, ` +
      `${count(t.counts.warning, 'warning')}, ${t.counts.info} info`,
  );
  if (t.errors.length > 0) {
    log(`errors${t.errors.length > MAX_ERRORS ? ` (first ${MAX_ERRORS} of ${t.errors.length})` : ''}:`);
    for (const line of errorLines(t.errors, MAX_ERRORS)) log(`  ${line}`);
  }
  // A file this Nix rejects is a fact about the corpus, not a failure of the bench: it is
  // named (with what the lint says there) so a person can judge it, and timed without it.
  for (const x of rejected) {
    const own = t.errors.filter((e) => e.file === x.file).map((e) => `${e.line} ${e.rule}`);
    log(
      `NIX REJECTS ${x.file}${x.at ? `:${x.at}` : ''}: ${x.message} ` +
        `(left out of the baseline; the lint's errors there: ${own.length ? own.join(', ') : 'none'})`,
    );
  }
  const result: RepoResult = {
    name,
    dir,
    found: found.length,
    linted: output.files,
    tally: t,
    lintMs: lint.ms,
    lintCpuMs: lint.cpuMs,
    nixMs: nix.ms,
    target,
    rejected,
    nixLeftOut: rejected.length,
  };
  log(`json: ${JSON.stringify(summaryJson(result))}`);
  return result;
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function summaryJson(r: RepoResult) {
  return {
    repo: r.name,
    dir: r.dir,
    nixFiles: r.found,
    linted: r.linted,
    filesWithError: r.tally.filesWithError,
    ...r.tally.counts,
    lintMs: Math.round(r.lintMs),
    lintCpuMs: Math.round(r.lintCpuMs),
    nixMs: Math.round(r.nixMs),
    ratio: Number(speedRatio(r.nixMs, r.lintMs).toFixed(3)),
    target: r.target ?? null,
    runs: RUNS,
    rules: Object.fromEntries([...r.tally.byRule].sort(([a], [b]) => a.localeCompare(b))),
    nixRejects: r.rejected.map((x) => x.file),
  };
}

/** The section: 0 when every DIR was measured cleanly, 2 on any bad input (said plainly). */
export async function corpusBench(log: (line: string) => void, args: string[]): Promise<number> {
  const base = process.env.INIT_CWD ?? process.cwd(); // npm runs scripts from the package root
  const nix = spawnSync('nix-instantiate', ['--version'], { encoding: 'utf8' });
  if (nix.status !== 0) {
    log('PROBLEM: nix-instantiate cannot be run, so there is no baseline; install Nix and try again');
    return 2;
  }
  const problems: string[] = [];
  const results: RepoResult[] = [];
  log(
    `lint: node dist/tappaas.mjs lint . --format json --no-cache (cwd DIR); ` +
      `baseline: nix-instantiate --parse, same files; median of ${RUNS} run(s) (BENCH_RUNS)`,
  );
  for (const arg of args) {
    const dir = resolve(base, arg);
    log(`\n-- ${basename(dir)} (${dir})`);
    try {
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
        throw new BenchProblem('no such folder; give the path of a checked-out Nix repository');
      results.push(await benchRepo(dir, log, problems));
    } catch (err) {
      if (!(err instanceof BenchProblem)) throw err;
      problems.push(`${dir}: ${err.message}`);
      log(`PROBLEM: ${err.message}`);
    }
  }
  if (results.length > 0) {
    log(`\n-- summary (ratio: nix ms / lint ms, wall)`);
    log(summaryTable(results));
    if (results.some((r) => r.rejected.length > 0))
      log(
        "* Nix rejects some files there (see NIX REJECTS above): its time leaves them out, the lint's does not",
      );
    log(`\n-- findings per rule (N errors, Nw warnings, Ni info; columns numbered as above)`);
    log(ruleTable(results.map((r): Tally => r.tally)));
  }
  if (problems.length === 0) return 0;
  log(`\n${problems.length} problem(s), so the section exits 2:`);
  for (const p of problems) log(`  ${p}`);
  return 2;
}

/** Milliseconds tree-sitter takes to parse every file once (the parser loaded beforehand). */
async function parseOnlyMs(dir: string, files: readonly string[]): Promise<number> {
  const { parseNix } = await import('../../scripts/nix-ast/parser.js');
  const texts = files.map((f) => readFileSync(join(dir, f), 'utf8'));
  (await parseNix('{ }')).delete();
  const t0 = performance.now();
  for (const text of texts) (await parseNix(text)).delete();
  return performance.now() - t0;
}
