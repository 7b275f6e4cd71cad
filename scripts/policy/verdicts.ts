// Ref-level verdicts: may this identity make this change to this ref? Pure over plain data;
// content (blobs, lint, registration paths) is judged in content.ts and registration.ts.
import { identityMatches } from './identity.js';
import { isProtectedTag, protectedRuleFor, type Shadow, shadowOf } from './refs.js';
import { registrationRefProblems } from './registration.js';
import type { ClassifiedUpdate, Identity, Policy, Problem } from './types.js';

/** Refs the toolkit publishes for the server; the hook trusts only CI to write them. */
export const TAPPAAS_REFS = 'refs/tappaas/';

function error(rule: string, message: string, fix: string): Problem {
  return { rule, severity: 'error', message, fix };
}

function namespaceAllowed(u: ClassifiedUpdate, identity: Identity, policy: Policy): boolean {
  if (policy.namespaces.some((ns) => u.ref.startsWith(ns))) return true;
  // Gitea writes refs/pull/<n>/head itself when a pull request is opened or updated.
  return identity.internal && u.ref.startsWith('refs/pull/');
}

/**
 * `existingBranches`: which of `shadowCandidates(u, policy)` exist in the repository (a fact
 * the git adapter looked up; empty when there were none to look up).
 */
export function refProblems(
  u: ClassifiedUpdate,
  identity: Identity,
  policy: Policy,
  existingBranches: ReadonlySet<string> = new Set(),
): Problem[] {
  if (!namespaceAllowed(u, identity, policy)) {
    return [
      error(
        'ref-namespace',
        `${u.ref} is outside the namespaces this repository accepts (${policy.namespaces.join(', ')})`,
        'push branches to refs/heads/<name> and tags to refs/tags/<name>',
      ),
    ];
  }
  // What CI publishes for the server itself (options indexes): trusted only from CI.
  if (u.ref.startsWith(TAPPAAS_REFS) && !identityMatches(identity, policy.ciIdentities)) {
    return [
      error(
        'tappaas-ref',
        `${identity.display} may not change ${u.ref}: ${TAPPAAS_REFS} holds what CI publishes for this server (options indexes the hook reads)`,
        'only CI identities (policy.ciIdentities) push there, with `tappaas options-index --publish <remote>` in a CI job',
      ),
    ];
  }
  const shadow = u.change === 'delete' ? undefined : shadowOf(u, policy, existingBranches);
  if (shadow) return [shadowProblem(u, shadow)];
  if (u.kind === 'branch') {
    if (u.name.startsWith(policy.registration.prefix)) return registrationRefProblems(u, identity, policy);
    return branchProblems(u, identity, policy);
  }
  if (u.kind === 'tag') return tagProblems(u, identity, policy);
  return [];
}

function shadowProblem(u: ClassifiedUpdate, s: Shadow): Problem {
  const what = u.kind === 'tag' ? 'tag' : u.kind === 'branch' ? 'branch' : 'ref';
  const fix =
    u.kind === 'tag'
      ? 'choose a tag name that is no protected branch and does not end in /<protected branch> or /HEAD (e.g. `v1.2.0`)'
      : u.kind === 'branch'
        ? 'choose a branch name that does not end in /<protected branch> or /HEAD and does not start with refs/ (e.g. `git push origin HEAD:refs/heads/fix-main-build`)'
        : 'choose a ref name under refs/ that is no protected branch';
  if (s.rule === 'ref-name') {
    const why =
      s.shadows === s.spelling
        ? 'starts with refs/, so it reads as a full ref name'
        : `would be read instead of ${s.shadows} wherever ${JSON.stringify(s.spelling)} is spelled out`;
    return error(
      'ref-name',
      `${what} name ${JSON.stringify(u.name)} in ${u.ref} is ambiguous: it ${why}`,
      fix,
    );
  }
  const by = s.pattern === s.branch ? '' : ` (pattern ${JSON.stringify(s.pattern)})`;
  const push = s.shadows.startsWith('refs/heads/')
    ? `, and \`git push origin HEAD:${s.spelling}\` would match two refs`
    : '';
  return error(
    'ref-shadow',
    `${u.ref} would shadow the protected branch ${s.branch}${by}: git resolves ${JSON.stringify(s.spelling)} to it before ${s.shadows}, so \`git rev-parse ${s.spelling}\` (as in CI's \`--from ${s.spelling}\`) would give this ref's commit${push}`,
    fix,
  );
}

function branchProblems(u: ClassifiedUpdate, identity: Identity, policy: Policy): Problem[] {
  const rule = protectedRuleFor(u.name, policy);
  const who = identity.display;
  if (!rule) {
    if (u.change === 'delete' && identity.anonymous) {
      return [
        error(
          'anonymous-push',
          `an anonymous push may not delete ${u.ref}`,
          'push over an identified connection (a key mapped with `tappaas git-shell --as <identity>`, or a Gitea account)',
        ),
      ];
    }
    return [];
  }
  const pattern = rule.policyBranch
    ? 'the policy branch: its tappaas.json judges every push, so the server protects it whatever that file says'
    : `protected by pattern ${JSON.stringify(rule.pattern)}`;
  const allowed =
    identityMatches(identity, rule.allow) ||
    identityMatches(identity, policy.ciIdentities) ||
    (rule.allowPullRequestMerges && identity.pullRequest !== undefined);
  if (!allowed) {
    const what = u.change === 'delete' ? 'delete' : u.change === 'create' ? 'create' : 'update';
    return [
      error(
        'protected-branch',
        `${who} may not ${what} ${u.ref} directly (${pattern})`,
        `push your commits to a feature branch (e.g. \`git push origin HEAD:refs/heads/<feature>\`) and open a pull request; identities allowed here are listed in policy.protectedBranches[].allow of tappaas.json on ${policy.defaultBranch}`,
      ),
    ];
  }
  if (u.change === 'non-fast-forward' && !rule.allowForcePush) {
    return [
      error(
        'force-push',
        `${u.ref} may not be rewritten: ${u.oldOid.slice(0, 12)} is not an ancestor of ${u.newOid.slice(0, 12)} (${pattern})`,
        `fetch and rebase or merge onto the current ${u.name} (\`git pull --rebase\`), then push without --force`,
      ),
    ];
  }
  if (u.change === 'delete' && !rule.allowDeletion) {
    return [
      error(
        'branch-deletion',
        `${u.ref} may not be deleted (${pattern})`,
        'protected branches are never deleted by a push; an admin can change policy.protectedBranches[].allowDeletion',
      ),
    ];
  }
  return [];
}

function tagProblems(u: ClassifiedUpdate, identity: Identity, policy: Policy): Problem[] {
  if (identity.anonymous) {
    return [
      error(
        'anonymous-push',
        `an anonymous push may not ${u.change === 'delete' ? 'delete' : 'write'} tag ${u.name}`,
        'push tags over an identified connection (a key mapped with `tappaas git-shell --as <identity>`, or a Gitea account)',
      ),
    ];
  }
  if (u.change !== 'create' && isProtectedTag(u.name, policy)) {
    const verb = u.change === 'delete' ? 'deleted' : 'moved';
    return [
      error(
        'protected-tag',
        `tag ${u.name} is protected and may not be ${verb} once created (it points at ${u.oldOid.slice(0, 12)})`,
        'tags are immutable here: create a new tag (e.g. the next version) instead',
      ),
    ];
  }
  return [];
}
