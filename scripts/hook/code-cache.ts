// Runs a CommonJS bundle with V8's code cache kept in a file. Compiling the hook's JavaScript
// (ours, the lint rules and web-tree-sitter's runtime) was a quarter of a typical push's CPU;
// a cache written after one run lets later runs skip it. Node 20 has no compile cache for
// ES modules (module.enableCompileCache came in Node 22), so the hook's code is also built as
// one CommonJS file (`dist/hook-pre-receive.cjs`, see package.json) and compiled here through
// `vm.Script`, which takes and makes cached data. A cache only: a missing, stale or rejected
// file means a normal compile and a new file; a failed write loses nothing but time.

import { isAscii } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { writeFileAtomic } from '../util/write-atomic.js';

export interface CachedBundle<T> {
  exports: T;
  /** Whether V8 took the cached code (false: compiled from source). */
  cacheUsed: boolean;
  /**
   * Writes the cache when it was missing, stale or rejected, or when `richer` (this run
   * compiled code the cached run had not). Call after the work, when the functions that
   * ran are compiled and go into the cache.
   */
  save(richer?: boolean): void;
}

/** Header line: what the cached code was made from; anything else is stale. */
function stampOf(bundle: string): string {
  const s = statSync(bundle);
  return `tappaas-code-cache 1 ${process.version} ${process.arch} ${s.size} ${s.mtimeMs}`;
}

function readCache(file: string, stamp: string): { data: Buffer; rich: boolean } | undefined {
  try {
    const bytes = readFileSync(file);
    const nl = bytes.indexOf(10);
    if (nl < 0) return undefined;
    const [head, rich] = bytes.subarray(0, nl).toString('latin1').split('\t');
    return head === stamp ? { data: bytes.subarray(nl + 1), rich: rich === 'rich' } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads `bundle` (a CommonJS file) as `require` would, with cached code from `cacheFile` when
 * there is a valid one. `restoreFlags` puts back V8 flags the bundle changed while running
 * (V8 keys cached code by the flags: code cached under other flags is rejected at load).
 */
export function loadCachedBundle<T>(
  bundle: string,
  cacheFile: string,
  restoreFlags: (exports: T) => void = () => {},
): CachedBundle<T> {
  const stamp = stampOf(bundle);
  const cached = readCache(cacheFile, stamp);
  const bytes = readFileSync(bundle);
  // esbuild writes ASCII (it escapes the rest): then latin1 is exact and cheaper than UTF-8.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, {
    filename: bundle,
    ...(cached ? { cachedData: cached.data } : {}),
  });
  const cacheUsed = cached !== undefined && script.cachedDataRejected === false;
  // The flags as they are now, to tell at save time whether they are back (see below).
  const probe = new Script('0', { filename: `${bundle}#flags-a` }).createCachedData();
  const module = { exports: {} as T };
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports,
    createRequire(bundle),
    module,
    bundle,
    dirname(bundle),
  );
  return {
    exports: module.exports,
    cacheUsed,
    save(richer = false) {
      if (cacheUsed && !(richer && !cached?.rich)) return;
      try {
        restoreFlags(module.exports);
        // Cached code made under other flags would be rejected by every later run.
        if (new Script('0', { filename: `${bundle}#flags-b`, cachedData: probe }).cachedDataRejected) return;
        const data = script.createCachedData();
        writeFileAtomic(
          cacheFile,
          Buffer.concat([Buffer.from(`${stamp}\t${richer ? 'rich' : ''}\n`, 'latin1'), data]),
        );
      } catch {
        // A read-only repository directory: the next run compiles again.
      }
    },
  };
}
