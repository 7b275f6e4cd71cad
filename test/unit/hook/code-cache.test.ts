import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCachedBundle } from '../../../scripts/hook/code-cache.js';

let dir: string;
let n = 0;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tappaas-code-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A CommonJS bundle with a fresh name (V8 also caches compiled scripts in memory by name). */
function bundle(body = 'exports.add = (a, b) => a + b; exports.dir = __dirname;'): string {
  const file = join(dir, `bundle-${++n}.cjs`);
  writeFileSync(file, `'use strict';\n${body}\n`);
  return file;
}

type Add = { add: (a: number, b: number) => number; dir: string };

describe('loadCachedBundle', () => {
  it('runs the bundle as CommonJS, writes the cache once, then loads with it', () => {
    const file = bundle();
    const cache = join(dir, 'cache.bin');
    const first = loadCachedBundle<Add>(file, cache);
    expect(first.exports.add(2, 3)).toBe(5);
    expect(first.exports.dir).toBe(dir);
    expect(first.cacheUsed).toBe(false);
    first.save();
    const written = readFileSync(cache);
    expect(written.subarray(0, written.indexOf(10)).toString()).toContain(process.version);

    const second = loadCachedBundle<Add>(file, cache);
    expect(second.cacheUsed).toBe(true);
    expect(second.exports.add(1, 1)).toBe(2);
    utimesSync(cache, new Date(0), new Date(0));
    second.save(); // nothing new: not rewritten
    expect(statSync(cache).mtimeMs).toBe(0);
    second.save(true); // a run that went further than the cached one: rewritten once
    expect(statSync(cache).mtimeMs).not.toBe(0);
    utimesSync(cache, new Date(0), new Date(0));
    const third = loadCachedBundle<Add>(file, cache);
    third.save(true);
    expect(statSync(cache).mtimeMs).toBe(0);
  });

  it('ignores a cache made from another build of the bundle, or one that is not a cache', () => {
    const file = bundle();
    const cache = join(dir, 'cache.bin');
    loadCachedBundle<Add>(file, cache).save();
    // Same length, other code: the stamp (size and time of the file) tells them apart.
    writeFileSync(file, readFileSync(file, 'utf8').replace('a + b', 'a * b'));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const changed = loadCachedBundle<Add>(file, cache);
    expect(changed.cacheUsed).toBe(false);
    expect(changed.exports.add(2, 3)).toBe(6);

    const other = bundle();
    writeFileSync(cache, 'not a cache at all');
    const garbage = loadCachedBundle<Add>(other, cache);
    expect(garbage.cacheUsed).toBe(false);
    expect(garbage.exports.add(2, 3)).toBe(5);
    garbage.save();
    expect(loadCachedBundle<Add>(other, cache).cacheUsed).toBe(true);
  });

  it('writes no cache under V8 flags other than the ones the run started with', () => {
    const file = bundle();
    const cache = join(dir, 'cache.bin');
    const loaded = loadCachedBundle<Add>(file, cache);
    setFlagsFromString('--no-opt');
    try {
      loaded.save();
      expect(() => statSync(cache)).toThrow();
    } finally {
      setFlagsFromString('--opt');
    }
    const restoring = loadCachedBundle<Add>(bundle(), cache, () => setFlagsFromString('--opt'));
    setFlagsFromString('--no-opt');
    restoring.save();
    expect(statSync(cache).size).toBeGreaterThan(0);
  });

  it('loses nothing but the cache when its directory cannot be written', () => {
    const file = bundle();
    const loaded = loadCachedBundle<Add>(file, join(dir, 'missing', 'cache.bin'));
    expect(() => loaded.save()).not.toThrow();
    expect(loaded.exports.add(1, 2)).toBe(3);
  });
});
