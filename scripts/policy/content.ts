// Content verdicts over facts the git adapter gathered: blob sizes, forbidden paths, private
// key material, and how lint findings weigh on the pushed branch.
import { matchesGlob } from './glob.js';
import { protectedRuleFor } from './refs.js';
import type { ClassifiedUpdate, LintGate, Policy, Problem } from './types.js';

export interface BlobFact {
  /** The commit that adds or changes it; absent for a blob reached through a tag (`tag`). */
  commit?: string;
  /** Its path in the commit or tagged tree; '' for a blob that is tagged itself (it has none). */
  path: string;
  /** The tag ref it is reached through, when a tag points at a tree or a blob. */
  tag?: string;
  oid: string;
  size: number;
  /** The first line of private key material found in it, if any. */
  privateKeyLine?: number;
}

export { privateKeyLine } from './private-keys.js';

/** A count as the pusher reads it: exact, digits grouped in threes (`100,001`). */
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** How a message names the blob: its path, and the tag it hangs from when there is no commit. */
function blobName(b: BlobFact): string {
  if (!b.tag) return b.path;
  return b.path ? `${b.path} (in the tree tagged by ${b.tag})` : `the blob tagged by ${b.tag}`;
}

/** A tagged tree or blob is fixed by replacing the tag, not by rewriting commits. */
function fixFor(b: BlobFact, commitFix: string, tagTail = ''): string {
  if (!b.tag) return commitFix;
  const name = b.tag.replace(/^refs\/tags\//, '');
  return `delete the tag locally (\`git tag -d ${name}\`) and tag a commit whose files pass instead (a tree or blob a tag points at is checked like a commit's files)${tagTail}`;
}

export function blobProblems(blobs: readonly BlobFact[], policy: Policy): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const { limits } = policy;
  for (const b of blobs) {
    const key = `${b.oid}\0${b.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const at = { ...(b.commit ? { commit: b.commit } : {}), ...(b.path ? { file: b.path } : {}) };
    const name = blobName(b);
    // Without case by default: on the file systems of macOS and Windows `.ENV` is `.env`.
    const ignoreCase = !limits.forbiddenPathsCaseSensitive;
    const forbidden = b.path
      ? limits.forbiddenPaths.find((g) => matchesGlob(b.path, g, { ignoreCase }))
      : undefined;
    if (forbidden) {
      problems.push({
        rule: 'forbidden-path',
        severity: 'error',
        message: `${name} matches the forbidden path pattern ${JSON.stringify(forbidden)}${limits.forbiddenPathsCaseSensitive ? '' : ' (case is ignored)'}`,
        fix: fixFor(
          b,
          'remove the file from every pushed commit (`git rebase -i`, or `git filter-repo --path <file> --invert-paths`) and keep secrets out of git (e.g. sops or agenix)',
        ),
        ...at,
      });
    }
    if (b.size > limits.maxBlobBytes) {
      problems.push({
        rule: 'blob-size',
        severity: 'error',
        message: `${name} is ${grouped(b.size)} bytes, over the ${grouped(limits.maxBlobBytes)}-byte limit (policy.limits.maxBlobBytes)`,
        fix: fixFor(
          b,
          'remove the file from the pushed commits and keep large files out of the fleet repository',
        ),
        ...at,
      });
    }
    if (b.privateKeyLine !== undefined && limits.detectPrivateKeys) {
      problems.push({
        rule: 'private-key',
        severity: 'error',
        message: `${name} contains private key material`,
        fix: fixFor(
          b,
          'remove the key from every pushed commit, treat it as leaked and rotate it; commit only encrypted secrets (sops, agenix)',
          '; treat the key as leaked and rotate it',
        ),
        ...at,
        line: b.privateKeyLine,
      });
    }
  }
  return problems;
}

/** How lint errors weigh on this branch: always `error` on protected branches. */
export function lintGateFor(u: ClassifiedUpdate, policy: Policy): LintGate {
  if (u.kind !== 'branch') return 'off';
  if (protectedRuleFor(u.name, policy)) return 'error';
  return policy.lint.find((r) => matchesGlob(u.name, r.pattern))?.level ?? 'error';
}

export interface LintFinding {
  file: string;
  line: number;
  column: number;
  rule: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  help?: string;
}

export function lintProblems(findings: readonly LintFinding[], gate: LintGate, commit: string): Problem[] {
  if (gate === 'off') return [];
  return findings
    .filter((f) => f.severity !== 'info')
    .map((f) => ({
      rule: `lint/${f.rule}`,
      severity: f.severity === 'error' && gate === 'error' ? 'error' : 'warning',
      message: f.message,
      fix: f.help ?? `fix the finding, or run \`npx tappaas lint ${f.file}\` locally to see it in context`,
      commit,
      file: f.file,
      line: f.line,
      column: f.column,
    }));
}

/** Whether the new commits of this ref must be signed. */
export function signaturesRequired(u: ClassifiedUpdate, policy: Policy): boolean {
  return u.kind === 'branch' && policy.signedCommits.branches.some((g) => matchesGlob(u.name, g));
}

const SIGNATURE_STATES: Record<string, string> = {
  N: 'is not signed',
  B: 'has a bad signature',
  U: 'is signed by a key that is not in the allowed signers',
  X: 'has an expired signature',
  Y: 'is signed by an expired key',
  R: 'is signed by a revoked key',
  E: 'has a signature that cannot be checked',
};

/** One problem per commit without a good signature by an allowed signer (at most `max`, then a count). */
export function signatureProblems(
  commits: readonly { oid: string; signature?: string }[],
  policy: Policy,
  max = 10,
): Problem[] {
  const bad = commits.filter((c) => c.signature !== 'G');
  const fix = `sign your commits with an SSH key listed in ${policy.signedCommits.allowedSigners} on ${policy.defaultBranch} (\`git config gpg.format ssh\`, \`git config user.signingkey <key.pub>\`, \`git rebase --exec 'git commit --amend --no-edit -S' <base>\`)`;
  const problems: Problem[] = bad.slice(0, max).map((c) => ({
    rule: 'signed-commits',
    severity: 'error',
    message: `commit ${c.oid.slice(0, 12)} ${SIGNATURE_STATES[c.signature ?? 'E'] ?? SIGNATURE_STATES.E}`,
    fix,
    commit: c.oid,
  }));
  if (bad.length > max) {
    problems.push({
      rule: 'signed-commits',
      severity: 'error',
      message: `and ${bad.length - max} more commits without a good signature`,
      fix,
    });
  }
  return problems;
}

/** What the content verdict reads of a ref's new target: its object types, files and commits. */
export interface ContentFacts {
  /** Type of the new object (`commit`, `tag`, …); undefined when it is missing. */
  newType?: string;
  /** Type of what the new object is at the end of its tag chain (itself when not a tag). */
  peeledType?: string;
  blobs: readonly BlobFact[];
  /** The commits the ref brings, with their signature state when signatures were checked. */
  commits: readonly { oid: string; signature?: string }[];
}

/**
 * The verdict on what a ref update would point at: a commit or tag (a branch only at history),
 * its files (blobProblems) and, where the policy asks, its commits' signatures. Registration
 * content has its own verdict (registration.ts). Pure.
 */
export function contentProblems(u: ClassifiedUpdate, facts: ContentFacts, policy: Policy): Problem[] {
  if (u.change === 'delete') return [];
  // A branch is history: a tag of a tree or a blob has none (tags may point at them, checked).
  const notHistory = u.kind === 'branch' && facts.newType === 'tag' && facts.peeledType !== 'commit';
  if ((facts.newType !== 'commit' && facts.newType !== 'tag') || notHistory) {
    const what = notHistory ? `tag of a ${facts.peeledType ?? 'missing object'}` : facts.newType;
    return [
      {
        rule: 'ref-target',
        severity: 'error',
        message: `${u.ref} would point at a ${what ?? 'missing object'}, not a commit or tag`,
        fix: 'push a commit (or an annotated tag of a commit)',
      },
    ];
  }
  const problems = blobProblems(facts.blobs, policy);
  if (signaturesRequired(u, policy)) problems.push(...signatureProblems(facts.commits, policy));
  return problems;
}

export function decide(ref: string, problems: Problem[]) {
  return { ref, accepted: !problems.some((p) => p.severity === 'error'), problems };
}
