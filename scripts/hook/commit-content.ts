// The content facts of a push's commits (size and private key markers of every blob a commit
// adds or changes), gathered once per push for all its refs: sizes in one cat-file round trip,
// then the contents small enough to scan in a second. A commit whose files passed these rules
// before (under the same limits and build, verdict-cache.ts) is not read again. `.nix`
// contents read on the way are kept for the lint of the new tips.
import type { CatFile } from '../git/cat-file.js';
import type { CommitChanges, FileChange } from '../git/log.js';
import { type BlobFact, blobProblems, privateKeyLine } from '../policy/content.js';
import { ZERO_OID } from '../policy/refs.js';
import type { Policy } from '../policy/types.js';
import { buildStamp } from './fleet-cache.js';
import { mark } from './timing.js';
import { VerdictCache, verdictNamespace } from './verdict-cache.js';

/** Whether a change brings a blob to check (not a deletion, not a submodule). */
export function bringsBlob(ch: FileChange): boolean {
  return ch.status !== 'D' && ch.mode !== '160000' && !ZERO_OID.test(ch.oid);
}

export interface BlobScan {
  size: number;
  privateKeyLine?: number;
  /** The contents, kept when asked (`keep`). */
  data?: Buffer;
}

/**
 * Sizes of the blobs, and private key markers in those small enough to scan, in two cat-file
 * round trips. `keep` says which blobs' contents to keep (read even when not scanned).
 */
export async function scanBlobs(
  cat: CatFile,
  oids: readonly string[],
  policy: Policy,
  keep: (oid: string) => boolean = () => false,
): Promise<Map<string, BlobScan>> {
  const out = new Map<string, BlobScan>();
  if (oids.length === 0) return out;
  const infos = oids.map((oid) => cat.info(oid));
  cat.flush();
  const sizes = await Promise.all(infos);
  const scan = policy.limits.detectPrivateKeys;
  const reads = oids.map((oid, i) => {
    const size = sizes[i]?.size ?? 0;
    return (scan && size <= policy.limits.maxBlobBytes) || keep(oid) ? cat.contents(oid) : undefined;
  });
  if (reads.some((r) => r !== undefined)) cat.flush();
  const contents = await Promise.all(reads);
  oids.forEach((oid, i) => {
    const data = contents[i]?.data;
    const fact: BlobScan = { size: sizes[i]?.size ?? 0 };
    // Markers are ASCII: latin1 decoding is exact for them and never fails on binary data.
    const line = data && scan ? privateKeyLine(data.toString('latin1')) : undefined;
    if (line !== undefined) fact.privateKeyLine = line;
    if (data && keep(oid)) fact.data = data;
    out.set(oid, fact);
  });
  return out;
}

export class CommitContent {
  /** Blob facts by commit, once judged (empty for a commit that passed before). */
  private readonly known = new Map<string, BlobFact[]>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly nix = new Map<string, Buffer>();
  private readonly cache: VerdictCache;

  constructor(
    private readonly cat: CatFile,
    private readonly policy: Policy,
    /** The bare repository's directory, for the verdict cache; undefined in a preview. */
    gitDir: string | undefined,
  ) {
    const namespace = verdictNamespace({ limits: policy.limits, build: buildStamp() });
    this.cache = new VerdictCache(gitDir, 'content', namespace);
  }

  /**
   * Blob facts of these commits' changes (none for commits that passed before): the commits
   * not asked about yet are judged in one batch. Refs of one push share most of their commits,
   * so the answer is read from memory, not awaited per commit.
   */
  async facts(commits: readonly CommitChanges[]): Promise<BlobFact[]> {
    const todo = commits.filter((c) => !this.known.has(c.oid) && !this.pending.has(c.oid));
    if (todo.length) {
      const batch = this.judge(todo).then((lists) => {
        todo.forEach((c, i) => {
          this.known.set(c.oid, lists[i]!);
        });
      });
      for (const c of todo) this.pending.set(c.oid, batch);
    }
    const waits = new Set<Promise<void>>();
    for (const c of commits) if (!this.known.has(c.oid)) waits.add(this.pending.get(c.oid)!);
    await Promise.all(waits);
    return commits.flatMap((c) => this.known.get(c.oid) ?? []);
  }

  /** Contents of a `.nix` blob read while judging, if it was. */
  nixContents(oid: string): Buffer | undefined {
    return this.nix.get(oid);
  }

  private async judge(commits: readonly CommitChanges[]): Promise<BlobFact[][]> {
    const fresh = new Set(commits.filter((c) => this.cache.get(c.oid) === undefined));
    const oids = new Set<string>();
    const nixOids = new Set<string>();
    for (const c of fresh) {
      for (const ch of c.changes) {
        if (!bringsBlob(ch)) continue;
        oids.add(ch.oid);
        if (ch.path.endsWith('.nix')) nixOids.add(ch.oid);
      }
    }
    const scans = await scanBlobs(this.cat, [...oids], this.policy, (oid) => nixOids.has(oid));
    for (const [oid, s] of scans) if (s.data) this.nix.set(oid, s.data);
    const out = commits.map((c) => {
      if (!fresh.has(c)) return [];
      const facts: BlobFact[] = [];
      for (const ch of c.changes) {
        if (!bringsBlob(ch)) continue;
        const s = scans.get(ch.oid);
        const fact: BlobFact = { commit: c.oid, path: ch.path, oid: ch.oid, size: s?.size ?? 0 };
        if (s?.privateKeyLine !== undefined) fact.privateKeyLine = s.privateKeyLine;
        facts.push(fact);
      }
      if (blobProblems(facts, this.policy).length === 0) this.cache.set(c.oid, 'ok');
      return facts;
    });
    this.cache.save();
    mark(`content read ${fresh.size} of ${commits.length}`);
    return out;
  }
}
