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

/** Why a name cannot be the policy branch (`hook install --policy-branch`), or undefined. */
export function policyBranchProblem(branch: string): string | undefined {
  if (branch === '' || branch === 'HEAD' || branch.startsWith('refs/'))
    return 'give a branch name without refs/heads/, e.g. main';
  return refNameProblem(`refs/heads/${branch}`);
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

/**
 * The rule protecting a branch: the first matching rule of the policy, else, for the policy
 * branch, the strict built-in one (no direct pushes; CI and pull-request merges only), so a
 * policy that forgets its own branch, or a policy branch that does not exist yet, never lets
 * a pusher write the rules.
 */
export function protectedRuleFor(branch: string, policy: Policy): ProtectedBranchRule | undefined {
  const canonical = canonicalBranchName(branch);
  const rule = policy.protectedBranches.find(
    (r) => matchesGlob(branch, r.pattern) || matchesGlob(canonical, r.pattern, { ignoreCase: true }),
  );
  if (rule || policy.policyBranch === undefined) return rule;
  if (canonical !== canonicalBranchName(policy.policyBranch)) return undefined;
  return {
    pattern: policy.policyBranch,
    allow: [],
    allowForcePush: false,
    allowDeletion: false,
    allowPullRequestMerges: true,
    policyBranch: true,
  };
}

/** Whether a new ref's name would stand in for another ref where git resolves short names. */
export interface Shadow {
  /** `ref-name` (HEAD, refs/…) or `ref-shadow` (a protected branch or its remote spelling). */
  rule: 'ref-name' | 'ref-shadow';
  /** The short name that becomes ambiguous, e.g. `origin/main`. */
  spelling: string;
  /** The ref that spelling means today, e.g. `refs/remotes/origin/main`. */
  shadows: string;
  /** The protected branch collided with, and the pattern protecting it. */
  branch?: string;
  pattern?: string;
}

type Named = Pick<ClassifiedUpdate, 'kind' | 'name' | 'ref'>;

/**
 * The ways a ref's short name can be read as a branch: `<remote>/<branch>` splits for a
 * branch (never the whole name: a branch may be protected itself, which is the
 * protected-branch rule's business), every split for a tag, and refs/<name> as a whole.
 */
function branchSpellings(u: Named): { remote: string; branch: string }[] {
  if (u.kind === 'other') return [{ remote: '', branch: u.ref.slice('refs/'.length) }];
  const parts = u.name.split('/');
  const out: { remote: string; branch: string }[] = [];
  for (let i = u.kind === 'branch' ? 1 : 0; i < parts.length; i++)
    out.push({ remote: parts.slice(0, i).join('/'), branch: parts.slice(i).join('/') });
  return out;
}

/** A rule naming its branches literally (or the policy branch's): they may exist at any time. */
function isLiteral(rule: ProtectedBranchRule): boolean {
  return rule.policyBranch === true || !/[*?]/.test(rule.pattern);
}

/**
 * Branch names (without refs/heads/) whose existence decides whether this ref shadows one:
 * those matching a glob rule such as `release/*`. A tag `release/1.0` shadows a branch only
 * when that branch exists; a literal rule (`main`) is treated as existing, since its branch
 * may be created later (the policy branch of a new repository).
 */
export function shadowCandidates(u: Named, policy: Policy): string[] {
  return branchSpellings(u)
    .map((s) => s.branch)
    .filter((b) => {
      const rule = protectedRuleFor(b, policy);
      return rule !== undefined && !isLiteral(rule);
    });
}

/**
 * git resolves a short name by trying refs/<name>, refs/tags/<name>, refs/heads/<name>,
 * refs/remotes/<name> and refs/remotes/<name>/HEAD in that order (git-rev-parse(1),
 * SPECIFYING REVISIONS). So a tag `main` wins over the branch `main`, and a tag or branch
 * `origin/main` (or a ref refs/origin/main) wins over a clone's refs/remotes/origin/main:
 * CI's `--from origin/main` would compare against the pusher's commit, and
 * `git push origin HEAD:main` would match two refs. Names that collide with a protected
 * branch, a `<remote>/<protected branch>` spelling, HEAD or a full ref name are refused when
 * a ref is created or moved (a deletion is judged as usual). `existingBranches`: those of
 * `shadowCandidates` the repository has.
 */
export function shadowOf(
  u: Named,
  policy: Policy,
  existingBranches: ReadonlySet<string> = new Set(),
): Shadow | undefined {
  if (u.kind !== 'other') {
    const parts = u.name.split('/');
    // Case-folded: on a case-insensitive file system `head` or `Refs/…` is the same file.
    if (canonicalBranchName(parts.at(-1) ?? '') === 'head') {
      const remote = parts.slice(0, -1).join('/');
      return { rule: 'ref-name', spelling: u.name, shadows: remote ? `refs/remotes/${remote}/HEAD` : 'HEAD' };
    }
    if (canonicalBranchName(parts[0] ?? '') === 'refs' && parts.length > 1)
      return { rule: 'ref-name', spelling: u.name, shadows: u.name };
  }
  for (const { remote, branch } of branchSpellings(u)) {
    const rule = protectedRuleFor(branch, policy);
    if (!rule || !(isLiteral(rule) || existingBranches.has(branch))) continue;
    return {
      rule: 'ref-shadow',
      spelling: u.kind === 'other' ? branch : u.name,
      shadows: remote ? `refs/remotes/${remote}/${branch}` : `refs/heads/${branch}`,
      branch,
      pattern: rule.pattern,
    };
  }
  return undefined;
}

export function isProtectedTag(tag: string, policy: Policy): boolean {
  return policy.protectedTags.some((p) => matchesGlob(tag, p));
}
