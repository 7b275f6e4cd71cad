// Module facts already read, by blob id and path (facts are a pure function of both), kept
// in one JSON file stamped with the toolkit's build: an unchanged file is never parsed again
// for the graph. A cache only: an unreadable or foreign file is ignored, a failed write loses
// nothing but time.

import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/write-atomic.js';
import type { ModuleFacts } from './facts.js';

interface CacheFile {
  stamp: string;
  facts: Record<string, ModuleFacts>;
}

function buildStamp(): string {
  try {
    const s = statSync(fileURLToPath(import.meta.url));
    return `graph-1:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'unknown';
  }
}

export function factsKey(path: string, oid: string): string {
  return `${oid} ${path}`;
}

export class FactsCache {
  private readonly known: Map<string, ModuleFacts>;
  private readonly used = new Map<string, ModuleFacts>();
  private dirty = false;

  constructor(readonly file: string | undefined) {
    this.known = file ? load(file) : new Map();
  }

  get(key: string): ModuleFacts | undefined {
    const facts = this.known.get(key);
    if (facts && Array.isArray(facts.refs) && Array.isArray(facts.declares)) {
      this.used.set(key, facts);
      return facts;
    }
    return undefined;
  }

  set(key: string, facts: ModuleFacts): void {
    this.known.set(key, facts);
    this.used.set(key, facts);
    this.dirty = true;
  }

  /** Keeps exactly the entries of this run (the files of the tree as it is now). */
  save(): void {
    if (!this.file || (!this.dirty && this.used.size === this.known.size)) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const data: CacheFile = { stamp: buildStamp(), facts: Object.fromEntries(this.used) };
      writeFileAtomic(this.file, JSON.stringify(data));
    } catch {
      // Read-only: the next run parses again.
    }
  }
}

function load(file: string): Map<string, ModuleFacts> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (data?.stamp !== buildStamp() || typeof data.facts !== 'object' || data.facts === null)
      return new Map();
    return new Map(Object.entries(data.facts));
  } catch {
    return new Map();
  }
}
