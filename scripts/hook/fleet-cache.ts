// The facts of fleet files the hook has already parsed, kept in the bare repository's own
// directory (a push cannot write there) so that a typical push parses only the files it
// changed, not the whole fleet twice. Keyed by blob id and path: facts are a pure function of
// both. Stamped with the toolkit's build, so an upgrade starts afresh. A cache only: an
// unreadable or foreign file is ignored, and a failed write loses nothing but time.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileFacts } from '../fleet/facts.js';
import { writeFileAtomic } from '../util/write-atomic.js';

export const FLEET_FACTS_FILE = 'tappaas-fleet-facts.json';

interface CacheFile {
  stamp: string;
  facts: Record<string, FileFacts>;
}

export function factsKey(path: string, oid: string): string {
  return `${oid} ${path}`;
}

/** This build of the toolkit: the size and time of the code that computes the facts. */
export function buildStamp(): string {
  try {
    const s = statSync(fileURLToPath(import.meta.url));
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'unknown';
  }
}

export function readFactsCache(gitDir: string): Map<string, FileFacts> {
  try {
    const data = JSON.parse(readFileSync(join(gitDir, FLEET_FACTS_FILE), 'utf8')) as CacheFile;
    if (data?.stamp !== buildStamp() || typeof data.facts !== 'object' || data.facts === null)
      return new Map();
    return new Map(Object.entries(data.facts));
  } catch {
    return new Map();
  }
}

/** Keeps exactly `facts` (the trees of this run), replacing the file atomically. */
export function writeFactsCache(gitDir: string, facts: ReadonlyMap<string, FileFacts>): void {
  const file = join(gitDir, FLEET_FACTS_FILE);
  try {
    const data: CacheFile = { stamp: buildStamp(), facts: Object.fromEntries(facts) };
    writeFileAtomic(file, JSON.stringify(data));
  } catch {
    // A read-only repository directory: the next push parses again.
  }
}
