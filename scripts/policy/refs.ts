// Ref names: git's own well-formedness rules (check-ref-format), the kind of a ref, the
// kind of a change, and which policy patterns a branch falls under.
import { matchesGlob } from './glob.js';
import type {
  ChangeKind,
  ClassifiedUpdate,
  Policy,
  ProtectedBranchRule,
  RefKind,
  RefUpdate,
} from './types.js';

export const ZERO_OID = /^0+$/;

/** Why a full ref name is not well formed, or undefined when it is (git check-ref-format rules). */
export function refNameProblem(ref: string): string | undefined {
  if (!ref.startsWith('refs/')) return 'does not start with refs/';
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref))
    return 'contains a space, control character or one of ~ ^ : ? * [ \\';
  if (ref.includes('..')) return 'contains ".."';
  if (ref.includes('@{')) return 'contains "@{"';
  if (ref.includes('//')) return 'contains an empty path component ("//")';
  if (ref.endsWith('/') || ref.endsWith('.')) return 'ends with "/" or "."';
  for (const part of ref.split('/')) {
    if (part.startsWith('.')) return `has a component starting with "." (${JSON.stringify(part)})`;
    if (part.endsWith('.lock')) return `has a component ending in ".lock" (${JSON.stringify(part)})`;
  }
  return undefined;
}

export function refKind(ref: string): { kind: RefKind; name: string } {
  if (ref.startsWith('refs/heads/')) return { kind: 'branch', name: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', name: ref.slice('refs/tags/'.length) };
  return { kind: 'other', name: ref };
}

/** `nonFastForward` is a fact the git adapter found (OLD is not an ancestor of NEW). */
export function classify(update: RefUpdate, nonFastForward: boolean): ClassifiedUpdate {
  let change: ChangeKind;
  if (ZERO_OID.test(update.oldOid)) change = 'create';
  else if (ZERO_OID.test(update.newOid)) change = 'delete';
  else change = nonFastForward ? 'non-fast-forward' : 'fast-forward';
  return { ...update, ...refKind(update.ref), change };
}

/**
 * The spelling protection is judged on: Unicode-compatibility-normalised and case-folded, so
 * `MAIN` or fullwidth `ｍａｉｎ` are protected like `main` (they would collide with it on a
 * case-insensitive server and only confuse people elsewhere).
 */
export function canonicalBranchName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

export function protectedRuleFor(branch: string, policy: Policy): ProtectedBranchRule | undefined {
  const canonical = canonicalBranchName(branch);
  return policy.protectedBranches.find(
    (r) => matchesGlob(branch, r.pattern) || matchesGlob(canonical, r.pattern, { ignoreCase: true }),
  );
}

export function isProtectedTag(tag: string, policy: Policy): boolean {
  return policy.protectedTags.some((p) => matchesGlob(tag, p));
}
