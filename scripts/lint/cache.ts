// Results keyed by the git blob hash of a file's bytes plus a fingerprint of the toolkit
// build and the rule settings: an unchanged file is never parsed again.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from './types.js';

/** A diagnostic without its file name: the same bytes give the same findings anywhere. */
export type CachedDiagnostic = Omit<Diagnostic, 'file'>;

const FORMAT = 1;

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
      };
      // A cache from another build or other settings is dropped whole.
      if (data.salt === this.salt && data.entries && typeof data.entries === 'object')
        this.entries = data.entries;
    } catch {
      // Missing or corrupt: start empty; the cache is only ever an optimisation.
    }
  }

  get(hash: string): CachedDiagnostic[] | undefined {
    const entry = Object.hasOwn(this.entries, hash) ? this.entries[hash] : undefined;
    // A hand-edited or half-written entry is a miss, never a crash.
    return Array.isArray(entry) && entry.every(isCachedDiagnostic) ? entry : undefined;
  }

  set(hash: string, diagnostics: Diagnostic[]): void {
    this.entries[hash] = diagnostics.map(({ file: _file, ...rest }) => rest);
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ salt: this.salt, entries: this.entries }));
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // A read-only checkout still lints; it just cannot remember.
    }
  }
}

export function defaultCacheFile(root: string): string {
  return join(root, 'node_modules', '.cache', 'tappaas', 'lint.json');
}
