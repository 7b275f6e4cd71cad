// A lint run over paths: collect files, read and check their bytes, serve unchanged files
// from the cache, lint the rest.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { blobHash, LintCache } from './cache.js';
import type { TappaasConfig } from './config.js';
import { lintSource, sortDiagnostics } from './engine.js';
import { collectNixFiles } from './files.js';
import { decodeSource } from './read-source.js';
import type { Diagnostic, LintResult } from './types.js';

export interface LintRunOptions {
  cwd: string;
  /** Repository root: where the cache lives and relative ignore patterns start. */
  root: string;
  config: TappaasConfig;
  cache: boolean;
  cacheFile?: string;
  onProgress?: (done: number, total: number, file: string) => void;
}

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

export function cacheFileFor(root: string): string {
  if (existsSync(join(root, 'node_modules')))
    return join(root, 'node_modules', '.cache', 'tappaas', 'lint.json');
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'tappaas', `lint-${createHash('sha1').update(root).digest('hex').slice(0, 12)}.json`);
}

export async function lintPaths(paths: string[], opts: LintRunOptions): Promise<LintResult> {
  const { files, problems } = collectNixFiles(paths, opts.cwd);
  const diagnostics: Diagnostic[] = problems.map((p) => ({
    file: p.path,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    rule: 'unreadable-file',
    severity: 'error',
    message: p.message,
  }));
  const ruleSettings = opts.config.lint?.rules ?? {};
  const maxBytes = opts.config.lint?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const cache = opts.cache
    ? new LintCache(opts.cacheFile ?? cacheFileFor(opts.root), JSON.stringify([ruleSettings, maxBytes]))
    : undefined;

  let done = 0;
  for (const file of files) {
    opts.onProgress?.(done++, files.length, file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(opts.cwd, file));
    } catch (err) {
      diagnostics.push(fileProblem(file, `cannot be read: ${(err as NodeJS.ErrnoException).code ?? err}`));
      continue;
    }
    const hash = cache ? blobHash(bytes) : '';
    const hit = cache?.get(hash);
    if (hit) {
      for (const d of hit) diagnostics.push({ file, ...d });
      continue;
    }
    const read = decodeSource(bytes, maxBytes);
    const found = read.ok
      ? await lintSource(file, read.text, { ruleSettings })
      : [fileProblem(file, read.message)];
    cache?.set(hash, found);
    diagnostics.push(...found);
  }
  cache?.save();
  return { files: files.length, diagnostics: sortByFile(diagnostics) };
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
  return [...byFile.keys()].sort().flatMap((f) => sortDiagnostics(byFile.get(f)!));
}
