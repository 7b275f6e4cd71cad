import { describe, expect, it } from 'vitest';
import { type ContentFacts, contentProblems } from '../../../scripts/policy/content.js';
import { resolvePolicy } from '../../../scripts/policy/defaults.js';
import { classify } from '../../../scripts/policy/refs.js';

const Z = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const policy = resolvePolicy({
  limits: { maxBlobBytes: 1000 },
  signedCommits: { branches: ['release/*'] },
});
const update = (ref: string, oldOid = A, newOid = B) => classify({ ref, oldOid, newOid }, false);
const facts = (over: Partial<ContentFacts> = {}): ContentFacts => ({
  newType: 'commit',
  peeledType: 'commit',
  blobs: [],
  commits: [],
  ...over,
});

describe('contentProblems', () => {
  it('finds nothing in a deletion, whatever the facts say', () => {
    expect(contentProblems(update('refs/heads/x', A, Z), facts({ newType: 'blob' }), policy)).toEqual([]);
  });

  it.each([
    ['refs/heads/x', 'tree', undefined, 'refs/heads/x would point at a tree, not a commit or tag'],
    [
      'refs/heads/x',
      undefined,
      undefined,
      'refs/heads/x would point at a missing object, not a commit or tag',
    ],
    ['refs/heads/x', 'tag', 'tree', 'refs/heads/x would point at a tag of a tree, not a commit or tag'],
    [
      'refs/heads/x',
      'tag',
      undefined,
      'refs/heads/x would point at a tag of a missing object, not a commit or tag',
    ],
    ['refs/tags/v1', 'blob', 'blob', 'refs/tags/v1 would point at a blob, not a commit or tag'],
  ])('refuses %s at a %s (peeled %s) with one ref-target problem', (ref, newType, peeledType, message) => {
    const found = contentProblems(update(ref), facts({ newType, peeledType }), policy);
    expect(found).toEqual([
      {
        rule: 'ref-target',
        severity: 'error',
        message,
        fix: 'push a commit (or an annotated tag of a commit)',
      },
    ]);
  });

  it('lets a tag point at a tagged tree (its files are judged as blobs)', () => {
    const tagged = facts({
      newType: 'tag',
      peeledType: 'tree',
      blobs: [{ tag: 'refs/tags/t', path: 'big.bin', oid: '1', size: 2000 }],
    });
    expect(contentProblems(update('refs/tags/t'), tagged, policy).map((p) => p.rule)).toEqual(['blob-size']);
  });

  it('judges the blobs, then the signatures on branches that require them', () => {
    const f = facts({
      blobs: [{ commit: A, path: 'big.bin', oid: '1', size: 2000 }],
      commits: [
        { oid: A, signature: 'G' },
        { oid: B, signature: 'N' },
      ],
    });
    expect(contentProblems(update('refs/heads/release/1'), f, policy).map((p) => [p.rule, p.commit])).toEqual(
      [
        ['blob-size', A],
        ['signed-commits', B],
      ],
    );
    expect(contentProblems(update('refs/heads/feature'), f, policy).map((p) => p.rule)).toEqual([
      'blob-size',
    ]);
    expect(contentProblems(update('refs/tags/release/1'), f, policy).map((p) => p.rule)).toEqual([
      'blob-size',
    ]);
  });

  it('passes a clean commit', () => {
    expect(contentProblems(update('refs/heads/release/1', Z), facts(), policy)).toEqual([]);
  });
});
