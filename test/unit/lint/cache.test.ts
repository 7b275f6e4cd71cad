// The lint cache: keyed by git's blob hash, a hit never reaches the parser, and anything
// odd about the cache file (corrupt, other settings, --no-cache) means lint again.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TappaasConfig } from '../../../scripts/config/types.js';
import { blobHash, LintCache } from '../../../scripts/lint/cache.js';
import { lintSource } from '../../../scripts/lint/engine.js';
import { lintPaths } from '../../../scripts/lint/run.js';

const FILES: Record<string, string> = {
  'a.nix': '{ x }: { y = x == true; }\n',
  'b.nix': '{ a = 1; }\n',
  'sub/c.nix': '{ greeting = "grüß dich 🌍"; }\n',
  'sub/empty.nix': '',
};

let dir: string;
let cacheFile: string;
let parsed: string[];

/**
 * The real engine, counted: the files a run parses. A file tree-sitter doubts (sub/empty.nix)
 * is linted twice in a run, the second time with Nix's batched verdict: counted once.
 */
const counting: typeof lintSource = (path, source, opts) => {
  if (!parsed.includes(path)) parsed.push(path);
  return lintSource(path, source, opts);
};

function run(opts: { cache?: boolean; config?: TappaasConfig } = {}) {
  return lintPaths(['.'], {
    cwd: dir,
    root: dir,
    config: opts.config ?? {},
    cache: opts.cache ?? true,
    cacheFile,
    lintFile: counting,
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tappaas-cache-'));
  cacheFile = join(dir, '.cache', 'lint.json');
  parsed = [];
  execFileSync('git', ['init', '-q', dir]);
  for (const [name, text] of Object.entries(FILES)) {
    execFileSync('mkdir', ['-p', join(dir, name, '..')]);
    writeFileSync(join(dir, name), text);
  }
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('blobHash', () => {
  it('is what git hash-object says, for text, unicode, empty and binary bytes', () => {
    const samples = [...Object.values(FILES), '\u0000\u00ff binary\r\n', 'x'.repeat(100_000)];
    for (const [i, text] of samples.entries()) {
      const file = join(dir, `sample${i}`);
      writeFileSync(file, text);
      const git = execFileSync('git', ['hash-object', file], { encoding: 'utf8' }).trim();
      expect(blobHash(readFileSync(file))).toBe(git);
    }
  });
});

describe('lint cache', () => {
  it('serves unchanged files without parsing them again', async () => {
    const cold = await run();
    expect(parsed.sort()).toEqual(Object.keys(FILES).sort());
    expect(cold.stats).toMatchObject({ cached: 0, linted: 4 });
    parsed = [];
    const warm = await run();
    expect(parsed).toEqual([]);
    expect(warm.stats).toMatchObject({ cached: 4, linted: 0 });
    expect(warm.diagnostics).toEqual(cold.diagnostics);
    expect(cold.diagnostics.some((d) => d.rule === 'bool-comparison' && d.file === 'a.nix')).toBe(true);
  });

  it('keys entries by the git blob hash of each file', async () => {
    await run();
    const saved = JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: Record<string, unknown> };
    const hashes = Object.keys(FILES).map((f) =>
      execFileSync('git', ['hash-object', f], { cwd: dir, encoding: 'utf8' }).trim(),
    );
    expect(Object.keys(saved.entries).sort()).toEqual([...new Set(hashes)].sort());
  });

  it('parses only the file that changed', async () => {
    await run();
    parsed = [];
    writeFileSync(join(dir, 'b.nix'), '{ a = 2 == false; }\n');
    const after = await run();
    expect(parsed).toEqual(['b.nix']);
    expect(after.diagnostics.filter((d) => d.file === 'b.nix').map((d) => d.rule)).toEqual([
      'bool-comparison',
    ]);
  });

  it('is bypassed entirely by --no-cache: everything parsed, nothing written', async () => {
    await run();
    const before = statSync(cacheFile).mtimeMs;
    parsed = [];
    const result = await run({ cache: false });
    expect(parsed.length).toBe(4);
    expect(result.stats).toMatchObject({ cached: 0, linted: 4 });
    expect(statSync(cacheFile).mtimeMs).toBe(before);
    rmSync(cacheFile);
    await run({ cache: false });
    expect(existsSync(cacheFile)).toBe(false);
  });

  const corruptions: [string, (good: string) => string][] = [
    ['garbage bytes', () => '\u0000\u0001 not json at all'],
    ['truncated JSON', (good) => good.slice(0, Math.floor(good.length / 2))],
    ['entries of the wrong shape', (good) => good.replace(/"entries":\{.*\}\}$/, '"entries":"oops"}')],
    ['an entry of the wrong shape', (good) => good.replace(/\[[^\]]*\]/, '[{"nope":1}]')],
    ['an empty file', () => ''],
  ];
  for (const [name, corrupt] of corruptions) {
    it(`ignores a cache file with ${name}, lints again and repairs it`, async () => {
      const cold = await run();
      writeFileSync(cacheFile, corrupt(readFileSync(cacheFile, 'utf8')));
      parsed = [];
      const again = await run();
      expect(parsed.length).toBeGreaterThan(0);
      expect(again.diagnostics).toEqual(cold.diagnostics);
      parsed = [];
      await run();
      expect(parsed).toEqual([]);
    });
  }

  it('is invalidated when rule settings change', async () => {
    const before = await run();
    expect(before.diagnostics.find((d) => d.rule === 'bool-comparison')?.severity).toBe('warning');
    parsed = [];
    const config: TappaasConfig = { lint: { rules: { 'bool-comparison': 'error' } } };
    const after = await run({ config });
    expect(parsed.length).toBe(4);
    expect(after.diagnostics.find((d) => d.rule === 'bool-comparison')?.severity).toBe('error');
    parsed = [];
    await run({ config: { lint: { rules: { 'bool-comparison': 'error' }, maxFileBytes: 5 } } });
    // A new size limit invalidates too: all is judged again, only the empty file is under it.
    expect(parsed).toEqual(['sub/empty.nix']);
  });

  it('keeps results of files that could not be read as text, without parsing them', async () => {
    writeFileSync(join(dir, 'bin.nix'), Buffer.from([0, 1, 2, 0xff]));
    const cold = await run();
    parsed = [];
    const warm = await run();
    expect(parsed).toEqual([]);
    expect(warm.diagnostics).toEqual(cold.diagnostics);
    expect(warm.diagnostics.some((d) => d.file === 'bin.nix' && d.rule === 'unreadable-file')).toBe(true);
  });
});

describe('stat memo (git index style)', () => {
  it('reads no file whose stat is unchanged, once the racy window has passed', async () => {
    await new Promise((r) => setTimeout(r, 2_100)); // files now last changed > 2 s ago
    const first = await run();
    expect(first.stats.read).toBe(4);
    const second = await run();
    expect(second.stats).toMatchObject({ read: 0, cached: 4, linted: 0 });
    expect(second.diagnostics).toEqual(first.diagnostics);
  });

  it('does not trust the memo for a file changed just before it was read', async () => {
    await run(); // files were written a moment ago: racily clean, so not trusted
    const again = await run();
    expect(again.stats.read).toBe(4);
    expect(parsed.length).toBe(4); // read again, but the blob hash still hit: parsed once
  });

  it('notices a change that keeps size and mtime (the ctime moves)', async () => {
    await new Promise((r) => setTimeout(r, 2_100));
    await run();
    const file = join(dir, 'b.nix');
    const { atime, mtime, size } = statSync(file);
    writeFileSync(file, '{ a = 2; }\n'); // same length as '{ a = 1; }\n'
    utimesSync(file, atime, mtime);
    expect(statSync(file).size).toBe(size);
    parsed = [];
    const after = await run();
    expect(after.stats.read).toBe(1);
    expect(parsed).toEqual(['b.nix']);
  });
});

describe('LintCache', () => {
  it('drops a cache written under other settings', () => {
    const a = new LintCache(cacheFile, 'settings-a');
    a.set('h', [
      {
        file: 'x.nix',
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 2,
        rule: 'r',
        severity: 'info',
        message: 'm',
      },
    ]);
    a.save();
    expect(new LintCache(cacheFile, 'settings-a').get('h')).toHaveLength(1);
    expect(new LintCache(cacheFile, 'settings-b').get('h')).toBeUndefined();
  });

  it('never stores file names: the same bytes give the same findings anywhere', () => {
    const a = new LintCache(cacheFile, 's');
    a.set('h', [
      {
        file: 'x.nix',
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 2,
        rule: 'r',
        severity: 'info',
        message: 'm',
      },
    ]);
    expect(a.get('h')?.[0]).not.toHaveProperty('file');
  });

  it('keeps no syntax verdict: it may change once Nix is installed or upgraded', () => {
    const a = new LintCache(cacheFile, 's');
    const at = { file: 'x.nix', line: 1, column: 1, endLine: 1, endColumn: 2 };
    a.set('unconfirmed', [
      { ...at, rule: 'syntax-error', severity: 'warning', message: 'valid in Nix but not confirmed' },
    ]);
    a.set('clean', []);
    expect(a.get('unconfirmed')).toBeUndefined();
    expect(a.get('clean')).toEqual([]);
  });
});
