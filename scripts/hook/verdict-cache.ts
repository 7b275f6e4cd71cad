// Per-commit verdicts the hook has reached before (a commit's files pass the content rules, a
// commit's signature state), kept in the bare repository's directory (a push cannot write
// there). The hook judges the commits that are new to each pushed ref, so a commit staged on
// one branch and then pushed to another is judged twice; with these it costs nothing the
// second time. Every entry carries a namespace (a hash of what the verdict depends on: the
// policy's limits and this build, or the allowed signers), so a changed policy never meets an
// old verdict. Files are sharded by the first two hex digits of the commit id, so a push reads
// and rewrites only the shards of its own commits. A cache only: an unreadable shard is empty,
// a failed or lost write costs time, never a verdict.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/write-atomic.js';

export const VERDICTS_DIR = 'tappaas-verdicts';

/**
 * A namespace from what a verdict depends on (any JSON value): 64 bits of FNV-1a, in two
 * 32-bit lanes. Not a cryptographic hash (loading node:crypto costs a typical push more than
 * this whole cache): what it hashes is written by the server's admins, not by pushers.
 */
export function verdictNamespace(dependsOn: unknown): string {
  const text = JSON.stringify(dependsOn) ?? '';
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

const OID = /^[0-9a-f]{40,64}$/;
const LINE = /^([0-9a-f]{16}) ([0-9a-f]{40,64}) (\S+)$/;

/** Entries of one shard's text for one namespace. Pure. */
export function parseShard(text: string, namespace: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m && m[1] === namespace) out.set(m[2]!, m[3]!);
  }
  return out;
}

/** A shard's text: this namespace only (entries of an older policy are dropped on write). Pure. */
export function formatShard(entries: ReadonlyMap<string, string>, namespace: string): string {
  let text = '';
  for (const [oid, value] of entries) text += `${namespace} ${oid} ${value}\n`;
  return text;
}

export class VerdictCache {
  private readonly shards = new Map<string, Map<string, string>>();
  private readonly fresh = new Map<string, Map<string, string>>();
  private readonly dir: string | undefined;

  /** `gitDir` undefined: nothing is read or kept (a client-side preview). */
  constructor(
    gitDir: string | undefined,
    kind: string,
    private readonly namespace: string,
  ) {
    this.dir = gitDir === undefined ? undefined : join(gitDir, VERDICTS_DIR, kind);
  }

  get(oid: string): string | undefined {
    if (!OID.test(oid)) return undefined;
    return this.fresh.get(shardOf(oid))?.get(oid) ?? this.shard(shardOf(oid)).get(oid);
  }

  set(oid: string, value: string): void {
    if (this.dir === undefined || !OID.test(oid) || !/^\S+$/.test(value) || this.get(oid) === value) return;
    const name = shardOf(oid);
    let entries = this.fresh.get(name);
    if (!entries) this.fresh.set(name, (entries = new Map()));
    entries.set(oid, value);
  }

  /** Writes the shards that gained entries (merged with what another push wrote meanwhile). */
  save(): void {
    if (this.dir === undefined || this.fresh.size === 0) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      for (const [name, entries] of this.fresh) {
        const file = join(this.dir, name);
        const merged = new Map([...readShard(file, this.namespace), ...entries]);
        writeFileAtomic(file, formatShard(merged, this.namespace));
        this.shards.set(name, merged);
      }
      this.fresh.clear();
    } catch {
      // A read-only repository directory: the next push judges these commits again.
    }
  }

  private shard(name: string): Map<string, string> {
    let entries = this.shards.get(name);
    if (!entries) {
      entries = this.dir === undefined ? new Map() : readShard(join(this.dir, name), this.namespace);
      this.shards.set(name, entries);
    }
    return entries;
  }
}

function shardOf(oid: string): string {
  return oid.slice(0, 2);
}

function readShard(file: string, namespace: string): Map<string, string> {
  try {
    return parseShard(readFileSync(file, 'utf8'), namespace);
  } catch {
    return new Map();
  }
}
