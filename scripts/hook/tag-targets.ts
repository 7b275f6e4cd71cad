// What a tag that points at a tree or a blob (directly, or through tags of tags) brings: the
// blobs of that tree, or that blob, with their sizes and private key markers. A commit walk
// finds no commits under such a tag, so without this its contents would pass unchecked, and
// once pushed a protected tag cannot be deleted. Read through the hook's cat-file process
// (quarantine-safe); each tree is listed once per push however many tags point at it.
import type { CatFile } from '../git/cat-file.js';
import { listTree } from '../git/list-tree.js';
import type { BlobFact } from '../policy/content.js';
import type { Policy } from '../policy/types.js';
import { scanBlobs } from './commit-content.js';

export interface TaggedObject {
  /** The tree or blob at the end of the tag chain. */
  oid: string;
  type: 'tree' | 'blob';
}

/** Blob facts of a tagged tree (every file, with its path) or a tagged blob (no path). */
export async function taggedObjectFacts(
  cat: CatFile,
  ref: string,
  target: TaggedObject,
  policy: Policy,
  listings: Map<string, Promise<{ path: string; oid: string }[]>>,
): Promise<BlobFact[]> {
  let files: { path: string; oid: string }[];
  if (target.type === 'blob') files = [{ path: '', oid: target.oid }];
  else {
    let listing = listings.get(target.oid);
    if (!listing) listings.set(target.oid, (listing = listTree(cat, target.oid, [''])));
    files = await listing;
  }
  const scans = await scanBlobs(cat, [...new Set(files.map((f) => f.oid))], policy);
  return files.map(({ path, oid }) => {
    const s = scans.get(oid);
    const fact: BlobFact = { path, oid, size: s?.size ?? 0, tag: ref };
    if (s?.privateKeyLine !== undefined) fact.privateKeyLine = s.privateKeyLine;
    return fact;
  });
}
