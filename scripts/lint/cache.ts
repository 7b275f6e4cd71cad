// Results keyed by the git blob hash of a file's bytes plus a fingerprint of the toolkit
// build and the rule settings: an unchanged file is never parsed again.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUnconfirmedSyntaxVerdict } from '../nix-ast/syntax.js';
import { writeFileAtomic } from '../util/write-atomic.js';
import type { Diagnostic } from './types.js';

/** A diagnostic without its file name: the same bytes give the same findings anywhere. */
export type CachedDiagnostic = Omit<Diagnostic, 'file'>;

const FORMAT = 2;
/** Past this many entries, a save keeps only what the run used: the cache cannot grow forever. */
const MAX_ENTRIES = 20_000;
/** Timestamps can be this coarse; a file changed closer than this to our look is not trusted. */
const RACY_MS = 2_000;

/** What git's index keeps to know a file unchanged without reading it. */
type StatMemo = [
  size: number,
  mtimeMs: number,
  ctimeMs: number,
  ino: number,
  hash: string,
  checkedAt: number,
];
export interface StatLike {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

export function blobHash(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Changes whenever the toolkit build changes, so a new rule never reads stale results. */
function buildStamp(): string {
  try {
    const self = fileURLToPath(import.meta.url);
    const st = statSync(self);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'unknown';
  }
}

function isCachedDiagnostic(d: unknown): d is CachedDiagnostic {
  const o = d as CachedDiagnostic | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.line === 'number' &&
    typeof o.column === 'number' &&
    typeof o.rule === 'string' &&
    typeof o.message === 'string'
  );
}

export class LintCache {
  private entries: Record<string, CachedDiagnostic[]> = {};
  private stats: Record<string, StatMemo> = {};
  private readonly used = new Set<string>();
  private readonly seen = new Set<string>();
  private dirty = false;
  private readonly salt: string;

  constructor(
    readonly file: string,
    settingsFingerprint: string,
  ) {
    this.salt = createHash('sha1')
      .update(`${FORMAT}\0${buildStamp()}\0${settingsFingerprint}`)
      .digest('hex')
      .slice(0, 16);
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as {
        salt?: string;
        entries?: Record<string, CachedDiagnostic[]>;
        stats?: Record<string, StatMemo>;
      };
      // A cache from another build or other settings is dropped whole.
      if (data.salt === this.salt && data.entries && typeof data.entries === 'object') {
        this.entries = data.entries;
        if (data.stats && typeof data.stats === 'object') this.stats = data.stats;
      }
    } catch {
      // Missing or corrupt: start empty; the cache is only ever an optimisation.
    }
  }

  /**
   * The blob hash of `path` as last read, if its stat says it has not changed since: same
   * size, times and inode, and last changed well before we read it (the racy-git rule).
   */
  knownHash(path: string, st: StatLike): string | undefined {
    const memo = Object.hasOwn(this.stats, path) ? this.stats[path] : undefined;
    if (!Array.isArray(memo) || memo.length !== 6) return undefined;
    const [size, mtimeMs, ctimeMs, ino, hash, checkedAt] = memo;
    if (size !== st.size || mtimeMs !== st.mtimeMs || ctimeMs !== st.ctimeMs || ino !== st.ino)
      return undefined;
    if (typeof hash !== 'string' || !(ctimeMs < checkedAt - RACY_MS && mtimeMs < checkedAt - RACY_MS))
      return undefined;
    this.seen.add(path);
    return hash;
  }

  /** Remembers which blob `path` held when it had stat `st` (taken before reading it). */
  remember(path: string, st: StatLike, hash: string): void {
    this.seen.add(path);
    const old = this.stats[path];
    if (old && old[4] === hash && old[0] === st.size && old[1] === st.mtimeMs && old[2] === st.ctimeMs) {
      // Same file, same bytes: only refresh when the racy window has passed, to save writes.
      if (old[2] < old[5] - RACY_MS) return;
    }
    this.stats[path] = [st.size, st.mtimeMs, st.ctimeMs, st.ino, hash, Date.now()];
    this.dirty = true;
  }

  get(hash: string): CachedDiagnostic[] | undefined {
    const entry = Object.hasOwn(this.entries, hash) ? this.entries[hash] : undefined;
    // A hand-edited or half-written entry is a miss, never a crash.
    if (!Array.isArray(entry) || !entry.every(isCachedDiagnostic)) return undefined;
    this.used.add(hash);
    return entry;
  }

  set(hash: string, diagnostics: Diagnostic[]): void {
    // A syntax verdict without real Nix may change once Nix is installed: not kept.
    if (diagnostics.some(isUnconfirmedSyntaxVerdict)) return;
    this.entries[hash] = diagnostics.map(({ file: _file, ...rest }) => rest);
    this.used.add(hash);
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      if (Object.keys(this.entries).length > MAX_ENTRIES) this.entries = keep(this.entries, this.used);
      if (Object.keys(this.stats).length > MAX_ENTRIES) this.stats = keep(this.stats, this.seen);
      writeFileAtomic(
        this.file,
        JSON.stringify({ salt: this.salt, entries: this.entries, stats: this.stats }),
      );
      this.dirty = false;
    } catch {
      // A read-only checkout still lints; it just cannot remember.
    }
  }
}

function keep<T>(record: Record<string, T>, keys: Set<string>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of keys) if (Object.hasOwn(record, k)) out[k] = record[k]!;
  return out;
}

export function defaultCacheFile(root: string): string {
  return join(root, 'node_modules', '.cache', 'tappaas', 'lint.json');
}
