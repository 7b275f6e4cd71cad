// Finds where a string literal is written in the repo's Nix files: the place of a `throw`
// whose message Nix 2.8 prints without a position, or of the package a failed build was
// (`pname = "broken-tool";`). A heuristic for when Nix gives no place; exact matches only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { nixString } from './expressions.js';

const SKIP_DIRS = new Set(['node_modules', 'dist', 'result']);
const MAX_FILES = 5000;
const MAX_BYTES = 1024 * 1024;

function nixFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= MAX_FILES) return;
      if (e.name.startsWith('.') || SKIP_DIRS.has(e.name) || e.name.startsWith('result-')) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && e.name.endsWith('.nix')) out.push(relative(root, path));
    }
  };
  walk(root);
  return out;
}

/** The literal as it is written between double quotes in Nix. */
export function nixQuoted(literal: string): string {
  return nixString(literal);
}

/** 1-based line and column of `index` in `text`. */
export function lineColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

export type LiteralLocator = (literal: string) => { file: string; line: number; column: number } | undefined;

/** A locator over the `.nix` files under `root`, trying `prefer` (repo-relative) first. */
export function literalLocator(root: string, prefer: string[] = []): LiteralLocator {
  let files: string[] | undefined;
  const texts = new Map<string, string | undefined>();
  const read = (rel: string) => {
    if (!texts.has(rel)) {
      try {
        const abs = join(root, rel);
        texts.set(rel, statSync(abs).size <= MAX_BYTES ? readFileSync(abs, 'utf8') : undefined);
      } catch {
        texts.set(rel, undefined);
      }
    }
    return texts.get(rel);
  };
  return (literal) => {
    files ??= nixFiles(root);
    const quoted = nixQuoted(literal);
    for (const rel of [...prefer, ...files.filter((f) => !prefer.includes(f))]) {
      const text = read(rel);
      const at = text?.indexOf(quoted) ?? -1;
      if (text !== undefined && at >= 0) return { file: rel, ...lineColumn(text, at) };
    }
    return undefined;
  };
}
