// The runner of `tappaas check`, which onboarding also runs on the commit it generates: one
// side of a check, a tree (work tree or revision) read once, its fleet facts, structure
// findings and lint findings. It combines fleet/ and lint/, so it sits above both. Paths are
// repo-relative throughout; the command turns them into display paths at the end.
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { type FleetLayout, normalizePath } from '../config/fleet.js';
import type { TappaasConfig } from '../config/types.js';
import { type FileFacts, fileFacts } from '../fleet/facts.js';
import { fleetNixFiles } from '../fleet/layout.js';
import type { TreeSource } from '../fleet/source.js';
import { applyLevels, checkStructure } from '../fleet/structure.js';
import { ignoreMatcher } from '../lint/ignore.js';
import { decodeSource } from '../lint/read-source.js';
import { DEFAULT_MAX_FILE_BYTES, lintPaths } from '../lint/run.js';
import type { Diagnostic } from '../lint/types.js';
import { lintRuleSettings } from '../nixos/options-index/locate.js';

export interface FleetSnapshot {
  /** Fleet `.nix` files (the number `files` of the report). */
  nixFiles: string[];
  facts: Map<string, FileFacts>;
  /** Decoded texts, for code frames. */
  texts: Map<string, string>;
  /** Structure and lint findings. */
  diagnostics: Diagnostic[];
  /** The lint findings alone, by file (every linted file has an entry). */
  lintByFile: Map<string, Diagnostic[]>;
}

export interface SnapshotOptions {
  root: string;
  cwd: string;
  layout: FleetLayout;
  config: TappaasConfig;
  /** Work tree only: reuse the lint cache. */
  cache: boolean;
  onNote?: (text: string) => void;
  /**
   * An already linted tree (the head, when this is the base of `--from`): a file with the
   * same text there has the same lint findings, so only the files a change touched are
   * linted twice.
   */
  reuse?: Pick<FleetSnapshot, 'texts' | 'lintByFile'>;
}

export async function snapshot(source: TreeSource, opts: SnapshotOptions): Promise<FleetSnapshot> {
  const files = await source.list();
  const nixFiles = fleetNixFiles(files, opts.layout);
  const maxBytes = opts.config.lint?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const texts = new Map<string, string>();
  const facts = new Map<string, FileFacts>();
  for (const file of nixFiles) {
    const bytes = await source.read(file);
    if (!bytes) continue;
    const read = decodeSource(bytes, maxBytes);
    if (!read.ok) continue;
    texts.set(file, read.text);
    facts.set(file, await fileFacts(file, read.text, { flake: file === opts.layout.flake }));
  }
  const structure = applyLevels(checkStructure({ layout: opts.layout, files, facts }), opts.config);
  const lint = source.commit ? await lintTexts(nixFiles, texts, source, opts) : await lintWorkTree(opts);
  const lintByFile = new Map<string, Diagnostic[]>(nixFiles.map((f) => [f, []]));
  for (const d of lint) lintByFile.set(d.file, [...(lintByFile.get(d.file) ?? []), d]);
  return { nixFiles, facts, texts, diagnostics: [...structure, ...lint], lintByFile };
}

async function lintWorkTree(opts: SnapshotOptions): Promise<Diagnostic[]> {
  const paths = [opts.layout.root, opts.layout.flake]
    .map((p) => resolve(opts.root, p))
    .filter((p) => existsSync(p));
  if (paths.length === 0) return [];
  const result = await lintPaths(paths, {
    cwd: opts.cwd,
    root: opts.root,
    config: opts.config,
    cache: opts.cache,
    onNote: opts.onNote,
  });
  return result.diagnostics.map((d) => ({
    ...d,
    file: normalizePath(relative(opts.root, resolve(opts.cwd, d.file))),
  }));
}

/** A revision's files, linted from their text as `lintPaths` would lint them on disk. */
async function lintTexts(
  nixFiles: string[],
  texts: Map<string, string>,
  source: TreeSource,
  opts: SnapshotOptions,
): Promise<Diagnostic[]> {
  const { lintSource } = await import('../lint/engine.js');
  const ignored = ignoreMatcher(opts.config.lint?.ignore ?? []);
  const maxBytes = opts.config.lint?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  // The same options index as the work tree's lint, so a ratchet compares like with like.
  const ruleSettings = lintRuleSettings(opts.root, opts.config);
  const out: Diagnostic[] = [];
  for (const file of nixFiles) {
    if (ignored(file, false)) continue;
    const text = texts.get(file);
    if (text === undefined) {
      // Not decodable: the same file-level finding lintPaths gives for it on disk.
      const bytes = await source.read(file);
      const read = bytes ? decodeSource(bytes, maxBytes) : undefined;
      const message = read && !read.ok ? read.message : `cannot be read from ${source.label}: not linted.`;
      const at = read && !read.ok ? { line: read.line, column: read.column } : { line: 1, column: 1 };
      const severity = read && !read.ok ? read.severity : 'error';
      out.push({
        file,
        rule: 'unreadable-file',
        severity,
        message,
        ...at,
        endLine: at.line,
        endColumn: at.column,
      });
      continue;
    }
    const known = opts.reuse?.texts.get(file) === text ? opts.reuse.lintByFile.get(file) : undefined;
    if (known) {
      out.push(...known);
      continue;
    }
    const found = await lintSource(file, text, {
      ruleSettings,
      onNote: opts.onNote,
    });
    out.push(...found);
  }
  // The head of a check is settled by its own import graph, as `tappaas lint` settles the work
  // tree; a base (`reuse` given) keeps every finding, so a ratchet never takes one for new.
  if (!opts.reuse && source.commit && out.some((d) => d.scope !== undefined || d.namespace !== undefined))
    return settledAt(source.commit, out, opts, maxBytes);
  return out;
}

async function settledAt(
  commit: string,
  found: Diagnostic[],
  opts: SnapshotOptions,
  maxBytes: number,
): Promise<Diagnostic[]> {
  const [{ CatFile }, { applyRepoContext }, { buildRepoContext }, { revisionReader }, { FactsCache }] =
    await Promise.all([
      import('../git/cat-file.js'),
      import('../module-graph/apply.js'),
      import('../module-graph/repo-context.js'),
      import('../module-graph/revision-reader.js'),
      import('../module-graph/facts-cache.js'),
    ]);
  const cat = new CatFile(opts.root);
  try {
    const context = await buildRepoContext(revisionReader(cat, commit), {
      flake: opts.layout.flake,
      cache: new FactsCache(undefined),
      maxBytes,
    });
    return applyRepoContext(found, context, (file) => file);
  } finally {
    cat.close();
  }
}
