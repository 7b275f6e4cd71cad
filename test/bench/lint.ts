// Lint speed on a generated fleet: parse only, full lint cold and with a warm cache (in this
// process and as the real CLI), against `nix-instantiate --parse` on the same files.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintPaths } from '../../scripts/lint/run.js';
import { nixParser } from '../../scripts/nix-ast/parser.js';
import { generateCorpus } from './corpus.js';
import { nixParse, type Row, ratio, run, table, timed } from './measure.js';
import { nixosShare, nixosShareLine } from './nixos-share.js';

const CLI = fileURLToPath(new URL('./tappaas.mjs', import.meta.url));
const MB = Number(process.env.BENCH_MB ?? 6);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

export async function lintBench(log: (line: string) => void): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'tappaas-bench-'));
  try {
    const dir = join(tmp, 'fleet');
    const corpus = generateCorpus(dir, MB * 1e6);
    const { files, bytes } = corpus;
    const n = files.length;
    log(`corpus: ${n} files, ${(bytes / 1e6).toFixed(2)} MB of generated NixOS modules in ${dir}`);
    await nixParse(dir, files); // fails fast if the generator ever writes invalid Nix
    log(`each figure is the median of ${RUNS} runs (BENCH_RUNS); corpus size BENCH_MB=${MB}`);
    const rows: Row[] = [];

    // (a) parse only: the grammar's raw speed, sources already in memory, one thread.
    const t0 = performance.now();
    const parser = await nixParser();
    const initMs = performance.now() - t0;
    const sources = files.map((f) => readFileSync(join(dir, f), 'utf8'));
    const parseMs = await timed(RUNS, () => {
      for (const s of sources) parser.parse(s)!.delete();
    });
    rows.push({
      name: 'parse only (tree-sitter, in process)',
      ...parseMs,
      files: n,
      bytes,
      note: '1 thread',
    });

    // (b, c) full lint in this process: collect, read, hash, parse, rules, suppressions.
    const cacheFile = join(tmp, 'cache', 'lint.json');
    const opts = { cwd: dir, root: dir, config: {}, cacheFile };
    let coldFound = 0;
    let coldThreads = 0;
    const coldMs = await timed(RUNS, async () => {
      const r = await lintPaths([dir], { ...opts, cache: false });
      coldFound = r.diagnostics.length;
      coldThreads = r.stats.threads;
    });
    rows.push({
      name: 'full lint cold (in process)',
      ...coldMs,
      files: n,
      bytes,
      note: `${coldThreads} threads`,
    });
    // Where the time goes, rule by rule (one thread, so the clock is not shared).
    const ruleTimes = new Map<string, number>();
    const profiled = await timed(1, () => lintPaths([dir], { ...opts, cache: false, threads: 1, ruleTimes }));
    rows.push({ name: 'full lint cold (in process)', ...profiled, files: n, bytes, note: '1 thread' });
    // The NixOS rules against the rest: with every rule vs with them off, same corpus.
    const share = await nixosShare(dir, files, tmp, RUNS, CLI);
    rmSync(cacheFile, { force: true });
    await lintPaths([dir], { ...opts, cache: true });
    const warmMs = await timed(RUNS, () => lintPaths([dir], { ...opts, cache: true }));
    rows.push({ name: 'full lint warm cache (in process)', ...warmMs, files: n, bytes });

    // (b, c) the real CLI as users run it: whole processes, node start-up included.
    const env = { ...process.env, XDG_CACHE_HOME: join(tmp, 'xdg'), NO_COLOR: '1' };
    mkdirSync(env.XDG_CACHE_HOME, { recursive: true });
    const cli = async (extra: string[], threads?: number) => {
      const r = await run(process.execPath, [CLI, 'lint', '.', '--format', 'json', ...extra], {
        cwd: dir,
        env: threads ? { ...env, TAPPAAS_LINT_THREADS: String(threads) } : env,
        keepStdout: true,
      });
      if (r.code !== 0 && r.code !== 1) throw new Error(`tappaas lint exited ${r.code}:\n${r.stderr}`);
      return JSON.parse(r.stdout) as { files: number; diagnostics: { rule: string }[] };
    };
    let coldOut = '';
    const cliColdMs = await timed(RUNS, async () => {
      coldOut = JSON.stringify(await cli(['--no-cache']));
    });
    rows.push({
      name: 'tappaas lint --no-cache (CLI process)',
      ...cliColdMs,
      files: n,
      bytes,
      note: 'all cores',
    });
    let oneOut = '';
    const cliOneMs = await timed(RUNS, async () => {
      oneOut = JSON.stringify(await cli(['--no-cache'], 1));
    });
    rows.push({
      name: 'tappaas lint --no-cache (CLI process)',
      ...cliOneMs,
      files: n,
      bytes,
      note: '1 thread',
    });
    if (oneOut !== coldOut)
      throw new Error('linting on worker threads reported something else than one thread');
    await cli([]);
    let warmOut = '';
    const cliWarmMs = await timed(RUNS, async () => {
      warmOut = JSON.stringify(await cli([]));
    });
    rows.push({ name: 'tappaas lint, warm cache (CLI process)', ...cliWarmMs, files: n, bytes });
    if (warmOut !== coldOut) throw new Error('the warm-cache run reported something else than the cold run');
    const result = JSON.parse(coldOut) as { files: number; diagnostics: { rule: string }[] };
    const syntax = result.diagnostics.filter((d) => d.rule === 'syntax-error').length;

    // (d) the baseline: nix-instantiate takes many files per process, so the fair way is one
    // process for the whole corpus (argv permitting); also both cores, and one per file.
    const nixMs = await timed(RUNS, () => nixParse(dir, files));
    rows.push({ name: 'nix-instantiate --parse, 1 process', ...nixMs, files: n, bytes, note: 'fair way' });
    const cores = availableParallelism();
    const nixParMs = await timed(RUNS, () => {
      const parts: string[][] = Array.from({ length: cores }, () => []);
      for (const [i, f] of files.entries()) parts[i % cores]!.push(f);
      return Promise.all(parts.map((p) => nixParse(dir, p)));
    });
    rows.push({
      name: `nix-instantiate --parse, ${cores} processes`,
      ...nixParMs,
      files: n,
      bytes,
      note: 'all cores',
    });
    const sample = files.slice(0, 40);
    const sampleBytes = sample.reduce((s, f) => s + Buffer.byteLength(sources[files.indexOf(f)]!), 0);
    const perFileMs = await timed(1, async () => {
      for (const f of sample) await nixParse(dir, [f]);
    });
    rows.push({
      name: 'nix-instantiate --parse, 1 process per file',
      ...perFileMs,
      files: sample.length,
      bytes: sampleBytes,
      note: `${sample.length}-file sample`,
    });

    log(`parser init (wasm runtime + grammar): ${initMs.toFixed(0)} ms`);
    log(table(rows));
    log(
      `findings: ${result.diagnostics.length} (in process: ${coldFound}), syntax-error: ${syntax}; ` +
        'CLI output identical warm, cold and on 1 thread',
    );
    const ruleTotal = [...ruleTimes.values()].reduce((a, b) => a + b, 0);
    log(
      `time in rules, 1 thread: ${ruleTotal.toFixed(0)} ms of ${profiled.ms.toFixed(0)} ms; ` +
        'the rest is reading, parsing, the walk and suppressions. Costliest rules:',
    );
    for (const [id, ms] of [...ruleTimes].sort((a, b) => b[1] - a[1]).slice(0, 8))
      log(`  ${id.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  ${((100 * ms) / profiled.ms).toFixed(1)}%`);
    log(nixosShareLine(share));
    log(ratio('full lint (CLI, cold) vs nix-instantiate (1 process), wall', nixMs.ms / cliColdMs.ms, 0.5));
    log(
      `full lint (CLI, cold) vs nix-instantiate (${cores} processes), wall: ${(nixParMs.ms / cliColdMs.ms).toFixed(2)}x; ` +
        `by CPU time: ${(nixMs.cpuMs / cliColdMs.cpuMs).toFixed(2)}x`,
    );
    log(ratio('warm vs cold (CLI processes), wall', cliColdMs.ms / cliWarmMs.ms, 10));
    log(`warm vs cold (in process), wall: ${(coldMs.ms / warmMs.ms).toFixed(2)}x`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
