import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../../scripts/policy/defaults.js';
import { identityFromEnv } from '../../../scripts/policy/identity.js';
import { classify, shadowCandidates } from '../../../scripts/policy/refs.js';
import type { Identity } from '../../../scripts/policy/types.js';
import { refProblems } from '../../../scripts/policy/verdicts.js';

const Z = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

const policy = resolvePolicy({
  protectedBranches: [
    { pattern: 'main', allow: ['alice', 'gitea-user:7'] },
    { pattern: 'release/*', allow: ['alice'], allowForcePush: true, allowDeletion: true },
  ],
  ciIdentities: ['ci-merge'],
  protectedTags: ['v*'],
  namespaces: ['refs/heads/', 'refs/tags/', 'refs/tappaas/'],
  registration: { hosts: { web1: ['vm-web1'], db1: ['gitea-deploy-key:4'] }, keys: ['reg-key'] },
});

const as = (env: Record<string, string>): Identity => identityFromEnv(env);
const bob = as({ TAPPAAS_PUSHER: 'bob' });
const alice = as({ TAPPAAS_PUSHER: 'alice' });
const anon = as({});

type Row = [string, Identity, string, string, string, boolean, string | undefined];
// name, identity, old, new, ref, nonFastForward, expected rule (undefined = allowed)
const rows: Row[] = [
  ['feature branch by anyone', anon, Z, A, 'refs/heads/feat', false, undefined],
  ['feature force push', bob, A, B, 'refs/heads/feat', true, undefined],
  ['anonymous delete of a feature branch', anon, A, Z, 'refs/heads/feat', false, 'anonymous-push'],
  ['main by bob', bob, A, B, 'refs/heads/main', false, 'protected-branch'],
  ['main by anonymous', anon, A, B, 'refs/heads/main', false, 'protected-branch'],
  ['MAIN spelled in capitals', bob, Z, A, 'refs/heads/MAIN', false, 'protected-branch'],
  ['fullwidth main', bob, Z, A, 'refs/heads/ｍａｉｎ', false, 'protected-branch'],
  ['main by alice', alice, A, B, 'refs/heads/main', false, undefined],
  [
    'main by gitea user 7',
    as({ GITEA_PUSHER_NAME: 'x', GITEA_PUSHER_ID: '7' }),
    A,
    B,
    'refs/heads/main',
    false,
    undefined,
  ],
  [
    'main by CI merge identity',
    as({ TAPPAAS_PUSHER: 'ci-merge' }),
    A,
    B,
    'refs/heads/main',
    false,
    undefined,
  ],
  [
    'main by Gitea PR merge',
    as({ GITEA_PUSHER_NAME: 'x', GITEA_PR_ID: '12' }),
    A,
    B,
    'refs/heads/main',
    false,
    undefined,
  ],
  [
    'deploy key of the owner is not the owner',
    as({ GITEA_PUSHER_NAME: 'alice', GITEA_DEPLOY_KEY_ID: '4' }),
    A,
    B,
    'refs/heads/main',
    false,
    'protected-branch',
  ],
  ['force push main by alice', alice, A, B, 'refs/heads/main', true, 'force-push'],
  ['delete main by alice', alice, A, Z, 'refs/heads/main', false, 'branch-deletion'],
  ['force push release by alice', alice, A, B, 'refs/heads/release/1', true, undefined],
  ['delete release by alice', alice, A, Z, 'refs/heads/release/1', false, undefined],
  ['branch named like a ref', bob, Z, A, 'refs/heads/refs/heads/main', false, 'ref-name'],
  ['unknown namespace', alice, Z, A, 'refs/remotes/origin/main', false, 'ref-namespace'],
  ['refs/pull by a user', bob, Z, A, 'refs/pull/1/head', false, 'ref-namespace'],
  [
    'options index published by CI',
    as({ TAPPAAS_PUSHER: 'ci-merge' }),
    Z,
    A,
    'refs/tappaas/options-index/0123',
    false,
    undefined,
  ],
  ['options index published by a user', alice, Z, A, 'refs/tappaas/options-index/0123', false, 'tappaas-ref'],
  ['options index moved by a user', bob, A, B, 'refs/tappaas/options-index/0123', false, 'tappaas-ref'],
  ['options index deleted by anonymous', anon, A, Z, 'refs/tappaas/options-index/0123', false, 'tappaas-ref'],
  [
    'refs/pull by Gitea itself',
    as({ GITEA_PUSHER_NAME: 'x', GITEA_INTERNAL_PUSH: 'true' }),
    Z,
    A,
    'refs/pull/1/head',
    false,
    undefined,
  ],
  ['create protected tag', bob, Z, A, 'refs/tags/v1', false, undefined],
  ['move protected tag', alice, A, B, 'refs/tags/v1', false, 'protected-tag'],
  ['delete protected tag', alice, A, Z, 'refs/tags/v1', false, 'protected-tag'],
  ['move unprotected tag', bob, A, B, 'refs/tags/nightly', false, undefined],
  ['anonymous tag', anon, Z, A, 'refs/tags/x', false, 'anonymous-push'],
  [
    'registration by bound VM',
    as({ TAPPAAS_PUSHER: 'vm-web1' }),
    Z,
    A,
    'refs/heads/registration/web1',
    false,
    undefined,
  ],
  [
    'registration for another host',
    as({ TAPPAAS_PUSHER: 'vm-web1' }),
    Z,
    A,
    'refs/heads/registration/db1',
    false,
    'registration-identity',
  ],
  [
    'registration by deploy key bound to db1',
    as({ GITEA_DEPLOY_KEY_ID: '4' }),
    Z,
    A,
    'refs/heads/registration/db1',
    false,
    undefined,
  ],
  [
    'registration by unbound identity',
    bob,
    Z,
    A,
    'refs/heads/registration/new1',
    false,
    'registration-identity',
  ],
  ['registration by anonymous', anon, Z, A, 'refs/heads/registration/new1', false, 'registration-identity'],
  [
    'registration key for a new host',
    as({ TAPPAAS_PUSHER: 'reg-key' }),
    Z,
    A,
    'refs/heads/registration/new1',
    false,
    undefined,
  ],
  [
    'registration key for a bound host',
    as({ TAPPAAS_PUSHER: 'reg-key' }),
    Z,
    A,
    'refs/heads/registration/web1',
    false,
    'registration-identity',
  ],
  [
    'registration upper case',
    as({ TAPPAAS_PUSHER: 'reg-key' }),
    Z,
    A,
    'refs/heads/registration/Web1',
    false,
    'registration-host-name',
  ],
  [
    'registration nested',
    as({ TAPPAAS_PUSHER: 'reg-key' }),
    Z,
    A,
    'refs/heads/registration/a/b',
    false,
    'registration-host-name',
  ],
  [
    'registration look-alike',
    as({ TAPPAAS_PUSHER: 'reg-key' }),
    Z,
    A,
    'refs/heads/registration/wеb1',
    false,
    'registration-host-name',
  ],
  [
    'registration delete by CI',
    as({ TAPPAAS_PUSHER: 'ci-merge' }),
    A,
    Z,
    'refs/heads/registration/web1',
    false,
    undefined,
  ],
  ['registration delete by bob', bob, A, Z, 'refs/heads/registration/web1', false, 'registration-identity'],
  // Names that git would resolve instead of a protected branch (issue 13, item 4).
  ['tag named like the protected branch', alice, Z, A, 'refs/tags/main', false, 'ref-shadow'],
  ['tag named like it in capitals', alice, Z, A, 'refs/tags/MAIN', false, 'ref-shadow'],
  ['tag spelled like a remote branch', alice, Z, A, 'refs/tags/origin/main', false, 'ref-shadow'],
  ['tag spelled like a nested remote', alice, Z, A, 'refs/tags/team/upstream/main', false, 'ref-shadow'],
  ['branch spelled like a remote branch', alice, Z, A, 'refs/heads/origin/main', false, 'ref-shadow'],
  ['branch moved onto such a name', bob, A, B, 'refs/heads/origin/main', false, 'ref-shadow'],
  ['tag HEAD', alice, Z, A, 'refs/tags/HEAD', false, 'ref-name'],
  ['tag spelled like a remote HEAD', alice, Z, A, 'refs/tags/origin/HEAD', false, 'ref-name'],
  ['branch spelled like a remote HEAD', bob, Z, A, 'refs/heads/origin/head', false, 'ref-name'],
  ['branch HEAD', bob, Z, A, 'refs/heads/HEAD', false, 'ref-name'],
  ['tag named like a full ref', alice, Z, A, 'refs/tags/refs/remotes/origin/main', false, 'ref-name'],
  ['deleting a shadowing tag is judged as usual', alice, A, Z, 'refs/tags/origin/main', false, undefined],
  ['a name that only contains it', bob, Z, A, 'refs/heads/main-fix', false, undefined],
  [
    'a tag under a glob rule whose branch does not exist',
    alice,
    Z,
    A,
    'refs/tags/release/1',
    false,
    undefined,
  ],
];

describe('refProblems', () => {
  it.each(rows)('%s', (_name, identity, oldOid, newOid, ref, nff, expected) => {
    const problems = refProblems(classify({ oldOid, newOid, ref }, nff), identity, policy);
    expect(problems.map((p) => p.rule)).toEqual(expected ? [expected] : []);
    for (const p of problems) {
      expect(p.message).toBeTruthy();
      expect(p.fix).toBeTruthy();
    }
  });

  it('shadowing under a glob rule counts once the branch exists', () => {
    const tag = classify({ oldOid: Z, newOid: A, ref: 'refs/tags/origin/release/1' }, false);
    expect(shadowCandidates(tag, policy)).toEqual(['release/1']);
    expect(refProblems(tag, alice, policy)).toEqual([]);
    const [p] = refProblems(tag, alice, policy, new Set(['release/1']));
    expect(p?.rule).toBe('ref-shadow');
    expect(p?.message).toBe(
      'refs/tags/origin/release/1 would shadow the protected branch release/1 (pattern "release/*"): git resolves "origin/release/1" to it before refs/remotes/origin/release/1, so `git rev-parse origin/release/1` (as in CI\'s `--from origin/release/1`) would give this ref\'s commit',
    );
    // Literal rules need no lookup: their branch may be created at any time.
    expect(
      shadowCandidates(classify({ oldOid: Z, newOid: A, ref: 'refs/tags/main' }, false), policy),
    ).toEqual([]);
  });

  it('says why a tag named like the branch is refused, and that pushes to it would break', () => {
    const [p] = refProblems(classify({ oldOid: Z, newOid: A, ref: 'refs/tags/main' }, false), alice, policy);
    expect(p?.message).toContain('git resolves "main" to it before refs/heads/main');
    expect(p?.message).toContain('`git push origin HEAD:main` would match two refs');
  });

  it('refuses refs/<name> outside heads and tags that git would read before the branch', () => {
    const wide = resolvePolicy({ namespaces: ['refs/'] }, 'main');
    const at = (ref: string) => refProblems(classify({ oldOid: Z, newOid: A, ref }, false), alice, wide);
    expect(at('refs/main').map((p) => p.rule)).toEqual(['ref-shadow']);
    expect(at('refs/deployed/web1')).toEqual([]);
  });

  it('names the pattern and who pushed', () => {
    const [p] = refProblems(classify({ oldOid: A, newOid: B, ref: 'refs/heads/main' }, false), bob, policy);
    expect(p?.message).toBe('bob may not update refs/heads/main directly (protected by pattern "main")');
  });
});

describe('the policy branch', () => {
  // A policy that forgets its own branch, or no policy at all (the branch does not exist yet).
  const forgetful = resolvePolicy({ protectedBranches: [{ pattern: 'release/*', allow: ['bob'] }] }, 'main');
  const missing = resolvePolicy(undefined, 'trunk');

  it.each([
    [
      'create by bob, the policy names no rule for it',
      forgetful,
      bob,
      Z,
      A,
      'refs/heads/main',
      'protected-branch',
    ],
    ['create in capitals', forgetful, bob, Z, A, 'refs/heads/MAIN', 'protected-branch'],
    ['create while it does not exist', missing, bob, Z, A, 'refs/heads/trunk', 'protected-branch'],
    ['a tag named like it, before it exists', missing, alice, Z, A, 'refs/tags/trunk', 'ref-shadow'],
    ['a remote spelling of it', missing, alice, Z, A, 'refs/tags/origin/trunk', 'ref-shadow'],
    [
      'the defaults list no identity, not even one called ci',
      missing,
      as({ TAPPAAS_PUSHER: 'ci' }),
      Z,
      A,
      'refs/heads/trunk',
      'protected-branch',
    ],
    [
      'a Gitea pull-request merge may',
      missing,
      as({ GITEA_PR_ID: '3', GITEA_PUSHER_NAME: 'x' }),
      Z,
      A,
      'refs/heads/trunk',
      undefined,
    ],
    ['other branches stay open', forgetful, bob, Z, A, 'refs/heads/feature', undefined],
  ] as const)('%s', (_name, p, identity, oldOid, newOid, ref, expected) => {
    const problems = refProblems(classify({ oldOid, newOid, ref }, false), identity, p);
    expect(problems.map((x) => x.rule)).toEqual(expected ? [expected] : []);
  });

  it('says it is the policy branch', () => {
    const [p] = refProblems(
      classify({ oldOid: Z, newOid: A, ref: 'refs/heads/main' }, false),
      bob,
      forgetful,
    );
    expect(p?.message).toBe(
      'bob may not create refs/heads/main directly (the policy branch: its tappaas.json judges every push, so the server protects it whatever that file says)',
    );
  });

  it('is protected from rewrites and deletion by the built-in rule too', () => {
    const ci = resolvePolicy({ protectedBranches: [], ciIdentities: ['ci'] }, 'main');
    const byCi = as({ TAPPAAS_PUSHER: 'ci' });
    const rule = (o: string, n: string, nff: boolean) =>
      refProblems(classify({ oldOid: o, newOid: n, ref: 'refs/heads/main' }, nff), byCi, ci).map(
        (p) => p.rule,
      );
    expect(rule(A, B, false)).toEqual([]);
    expect(rule(A, B, true)).toEqual(['force-push']);
    expect(rule(A, Z, false)).toEqual(['branch-deletion']);
  });

  it('is the default branch when the policy names none', () => {
    expect(missing.defaultBranch).toBe('trunk');
    expect(missing.protectedBranches.map((r) => r.pattern)).toEqual(['trunk']);
    expect(resolvePolicy({ defaultBranch: 'dev' }, 'main').defaultBranch).toBe('dev');
  });
});

describe('defaults', () => {
  it('protects main with nobody allowed and every tag', () => {
    const p = resolvePolicy(undefined);
    expect(p.protectedBranches).toEqual([
      {
        pattern: 'main',
        allow: [],
        allowForcePush: false,
        allowDeletion: false,
        allowPullRequestMerges: true,
      },
    ]);
    expect(p.protectedTags).toEqual(['**']);
    expect(p.limits.detectPrivateKeys).toBe(true);
  });
  it('protects the configured default branch', () => {
    expect(resolvePolicy({ defaultBranch: 'trunk' }).protectedBranches[0]?.pattern).toBe('trunk');
  });
});

describe('identityFromEnv', () => {
  it.each([
    [{}, [], true],
    [{ TAPPAAS_PUSHER: 'alice', TAPPAAS_PUSHER_KEY: 'SHA256:abc' }, ['alice', 'ssh-key:SHA256:abc'], false],
    [
      { GITEA_PUSHER_NAME: 'al', GITEA_PUSHER_ID: '3', GITEA_KEY_ID: '9' },
      ['al', 'gitea-user:3', 'gitea-key:9'],
      false,
    ],
    [
      { GITEA_PUSHER_NAME: 'owner', GITEA_PUSHER_ID: '1', GITEA_DEPLOY_KEY_ID: '5' },
      ['gitea-deploy-key:5'],
      false,
    ],
    [{ GITEA_PUSHER_NAME: 'al', GITEA_KEY_ID: '0' }, ['al'], false],
  ])('%j', (env, principals, anonymous) => {
    const id = identityFromEnv(env as Record<string, string>);
    expect(id.principals).toEqual(principals);
    expect(id.anonymous).toBe(anonymous);
  });
});
