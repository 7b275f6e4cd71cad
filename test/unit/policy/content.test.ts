import { describe, expect, it } from 'vitest';
import {
  blobProblems,
  grouped,
  lintGateFor,
  lintProblems,
  privateKeyLine,
} from '../../../scripts/policy/content.js';
import { resolvePolicy } from '../../../scripts/policy/defaults.js';
import { matchesGlob } from '../../../scripts/policy/glob.js';
import { identityFromEnv } from '../../../scripts/policy/identity.js';
import { classify, refNameProblem } from '../../../scripts/policy/refs.js';
import {
  hostNameProblem,
  type RegistrationFacts,
  registrationProblems,
  viaRegistrationKey,
} from '../../../scripts/policy/registration.js';

const Z = '0'.repeat(40);
const A = 'a'.repeat(40);
const policy = resolvePolicy({
  limits: { maxBlobBytes: 1000 },
  lint: [
    { pattern: 'wip/**', level: 'warning' },
    { pattern: 'scratch', level: 'off' },
  ],
  registration: { hosts: { web1: ['vm-web1'] }, keys: ['reg-key'] },
});

describe('matchesGlob', () => {
  it.each([
    ['main', 'main', true],
    ['release/1', 'release/*', true],
    ['release/1/2', 'release/*', false],
    ['release/1/2', 'release/**', true],
    ['.env', '**/.env', true],
    ['a/b/.env', '**/.env', true],
    ['a/b/.envx', '**/.env', false],
    ['keys/server.key', '**/*.key', true],
    ['v1.2', 'v?.?', true],
    ['v1x2', 'v1.2', false],
  ])('%s ~ %s = %s', (name, glob, expected) => {
    expect(matchesGlob(name, glob)).toBe(expected);
  });
});

describe('refNameProblem', () => {
  it.each([
    ['refs/heads/main', undefined],
    ['refs/heads/a..b', 'contains ".."'],
    ['refs/heads/a b', 'contains a space, control character or one of ~ ^ : ? * [ \\'],
    ['refs/heads/x.lock', 'has a component ending in ".lock" ("x.lock")'],
    ['refs/heads//x', 'contains an empty path component ("//")'],
    ['heads/main', 'does not start with refs/'],
    ['refs/heads/a@{1}', 'contains "@{"'],
    ['refs/heads/.hidden', 'has a component starting with "." (".hidden")'],
  ])('%s', (ref, expected) => {
    expect(refNameProblem(ref)).toBe(expected);
  });
});

describe('hostNameProblem', () => {
  it.each([
    ['web1', undefined],
    ['a', undefined],
    ['web-1', undefined],
    ['-web', 'is not an RFC 1123 label (a-z, 0-9 and inner "-", 1 to 63 characters)'],
    ['Web1', 'contains upper case (host names are lower case)'],
    ['wеb1', 'contains a non-ASCII character (look-alike letters are not allowed)'],
    ['..', 'contains "/" or ".."'],
    ['a/b', 'contains "/" or ".."'],
    ['x'.repeat(64), 'is longer than 63 characters'],
    ['', 'is empty'],
  ])('%s', (name, expected) => {
    expect(hostNameProblem(name)).toBe(expected);
  });
});

describe('blobProblems', () => {
  it('reports forbidden paths, big blobs and private keys once per blob and path', () => {
    const problems = blobProblems(
      [
        { commit: 'c1', path: 'nix/a.nix', oid: '1', size: 10 },
        { commit: 'c1', path: 'big.bin', oid: '2', size: 2000 },
        { commit: 'c2', path: 'big.bin', oid: '2', size: 2000 },
        { commit: 'c1', path: 'secrets/.env', oid: '3', size: 5 },
        { commit: 'c1', path: 'notes.txt', oid: '4', size: 90, privateKeyLine: 3 },
      ],
      policy,
    );
    expect(problems.map((p) => [p.rule, p.file, p.commit, p.line])).toEqual([
      ['blob-size', 'big.bin', 'c1', undefined],
      ['forbidden-path', 'secrets/.env', 'c1', undefined],
      ['private-key', 'notes.txt', 'c1', 3],
    ]);
    expect(problems[0]?.message).toBe(
      'big.bin is 2,000 bytes, over the 1,000-byte limit (policy.limits.maxBlobBytes)',
    );
  });

  it('says sizes in exact bytes', () => {
    const p = resolvePolicy({ limits: { maxBlobBytes: 100_000 } });
    const [problem] = blobProblems([{ commit: 'c', path: 'a.bin', oid: '1', size: 100_001 }], p);
    expect(problem?.message).toBe(
      'a.bin is 100,001 bytes, over the 100,000-byte limit (policy.limits.maxBlobBytes)',
    );
    expect(grouped(999)).toBe('999');
    expect(grouped(1_234_567_890)).toBe('1,234,567,890');
  });

  it('matches forbidden paths without case unless the policy says otherwise', () => {
    const blobs = ['.ENV', 'keys/ID_RSA', 'certs/Server.KEY', 'nix/a.nix'].map((path, i) => ({
      commit: 'c',
      path,
      oid: String(i),
      size: 1,
    }));
    expect(blobProblems(blobs, resolvePolicy({})).map((p) => p.file)).toEqual([
      '.ENV',
      'keys/ID_RSA',
      'certs/Server.KEY',
    ]);
    expect(blobProblems(blobs, resolvePolicy({})).at(0)?.message).toContain('(case is ignored)');
    const strict = resolvePolicy({ limits: { forbiddenPathsCaseSensitive: true } });
    expect(blobProblems(blobs, strict)).toEqual([]);
  });
});

describe('privateKeyLine', () => {
  it.each([
    ['a\nb\n-----BEGIN OPENSSH PRIVATE KEY-----\n', 3],
    ['-----BEGIN RSA PRIVATE KEY-----', 1],
    ['-----BEGIN PRIVATE KEY-----', 1],
    ['x\nAGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ', 2],
    ['-----BEGIN PUBLIC KEY-----', undefined],
    ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI', undefined],
  ])('%j', (text, line) => {
    expect(privateKeyLine(text)).toBe(line);
  });
});

describe('lint gate', () => {
  const gate = (ref: string) => lintGateFor(classify({ oldOid: Z, newOid: A, ref }, false), policy);
  it.each([
    ['refs/heads/main', 'error'],
    ['refs/heads/feat', 'error'],
    ['refs/heads/wip/x/y', 'warning'],
    ['refs/heads/scratch', 'off'],
    ['refs/tags/v1', 'off'],
  ])('%s', (ref, expected) => expect(gate(ref)).toBe(expected));

  it('turns lint errors into warnings where the gate says warning', () => {
    const findings = [
      { file: 'a.nix', line: 1, column: 2, rule: 'syntax-error', severity: 'error' as const, message: 'm' },
      { file: 'a.nix', line: 3, column: 1, rule: 'x', severity: 'info' as const, message: 'i' },
    ];
    expect(lintProblems(findings, 'error', 'c')[0]?.severity).toBe('error');
    expect(lintProblems(findings, 'warning', 'c').map((p) => [p.rule, p.severity])).toEqual([
      ['lint/syntax-error', 'warning'],
    ]);
    expect(lintProblems(findings, 'off', 'c')).toEqual([]);
  });
});

describe('registrationProblems', () => {
  const layout = { hardware: 'nix/hardware/new1-hw.nix', payload: 'registrations/new1.json' };
  const base: RegistrationFacts = {
    host: 'new1',
    ref: 'refs/heads/registration/new1',
    changes: [
      { commit: 'c', path: 'nix/hardware/new1-hw.nix' },
      { commit: 'c', path: 'registrations/new1.json' },
    ],
    sharesHistory: true,
    payload: { ok: true, data: { hostname: 'new1', sshHostKey: 'ssh-ed25519 AAAA host' } },
    viaRegistrationKey: true,
  };
  const rules = (facts: Partial<RegistrationFacts>, p = policy, l = layout) =>
    registrationProblems({ ...base, ...facts }, p, l).map((x) => x.rule);

  it('accepts the host own files with a first-seen key', () => expect(rules({})).toEqual([]));
  it('accepts the same key with another comment', () =>
    expect(rules({ knownHostKey: { key: 'ssh-ed25519 AAAA other', from: 'server' } })).toEqual([]));
  it('rejects another key (trust on first use), naming where the first one is', () => {
    for (const from of ['server', 'default-branch', 'registration-branch'] as const)
      expect(rules({ knownHostKey: { key: 'ssh-ed25519 BBBB', from } })).toEqual(['registration-host-key']);
    const [p] = registrationProblems(
      { ...base, knownHostKey: { key: 'ssh-ed25519 BBBB', from: 'registration-branch' } },
      policy,
      layout,
    );
    expect(p?.message).toContain('at the current tip of refs/heads/registration/new1');
  });
  it('rejects a symlink, a gitlink or an executable at a registration path', () => {
    for (const mode of ['120000', '160000', '100755'])
      expect(rules({ changes: [{ commit: 'c', path: 'nix/hardware/new1-hw.nix', mode }] })).toEqual([
        'registration-file-type',
      ]);
    expect(rules({ changes: [{ commit: 'c', path: 'registrations/new1.json', mode: '100644' }] })).toEqual(
      [],
    );
  });
  it('rejects a payload without a host key', () =>
    expect(rules({ payload: { ok: true, data: { hostname: 'new1' } } })).toEqual(['registration-host-key']));
  it('rejects other paths', () =>
    expect(rules({ changes: [{ commit: 'c', path: 'nix/common.nix' }] })).toEqual(['registration-paths']));
  it('rejects unrelated history', () =>
    expect(rules({ sharesHistory: false })).toEqual(['registration-base']));
  it('rejects a payload for another host', () =>
    expect(rules({ payload: { ok: true, data: { hostname: 'web1', sshHostKey: 'k k' } } })).toEqual([
      'registration-payload',
    ]));
  it('rejects an unreadable payload', () =>
    expect(rules({ payload: { ok: false, message: 'is not valid JSON' } })).toEqual([
      'registration-payload',
    ]));
  it('asks for the host key only of a push with a registration key', () =>
    expect(
      rules({ viaRegistrationKey: undefined, payload: { ok: true, data: { hostname: 'new1' } } }),
    ).toEqual([]));
  it('tells a registration key from the identity bound to the host', () => {
    expect(viaRegistrationKey(identityFromEnv({ TAPPAAS_PUSHER: 'reg-key' }), policy, 'new1')).toBe(true);
    expect(viaRegistrationKey(identityFromEnv({ TAPPAAS_PUSHER: 'vm-web1' }), policy, 'web1')).toBe(false);
    expect(viaRegistrationKey(identityFromEnv({ TAPPAAS_PUSHER: 'alice' }), policy, 'new1')).toBe(false);
  });
  it('allows the hardware file where the fleet layout puts it', () => {
    const moved = { ...layout, hardware: 'fleet/hw/new1-hw.nix' };
    const [p] = registrationProblems(base, policy, moved);
    expect(p?.message).toBe(
      'a registration of new1 may change only fleet/hw/new1-hw.nix and registrations/new1.json, not nix/hardware/new1-hw.nix',
    );
    expect(rules({ changes: [{ commit: 'c', path: 'fleet/hw/new1-hw.nix' }] }, policy, moved)).toEqual([]);
  });
  it('allows what policy.registration.paths lists instead, when it is set', () => {
    const listed = resolvePolicy({ registration: { keys: ['reg-key'], paths: ['hw/{host}.nix'] } });
    expect(rules({ changes: [{ commit: 'c', path: 'hw/new1.nix' }] }, listed)).toEqual([]);
    expect(rules({}, listed)).toEqual(['registration-paths', 'registration-paths']);
  });
});

describe('signatureProblems', () => {
  it('reports commits without a good signature, then a count', async () => {
    const { signatureProblems, signaturesRequired } = await import('../../../scripts/policy/content.js');
    const p = resolvePolicy({ signedCommits: { branches: ['main'] } });
    expect(signaturesRequired(classify({ oldOid: A, newOid: A, ref: 'refs/heads/main' }, false), p)).toBe(
      true,
    );
    expect(signaturesRequired(classify({ oldOid: A, newOid: A, ref: 'refs/heads/f' }, false), p)).toBe(false);
    const problems = signatureProblems(
      [
        { oid: '1'.repeat(40), signature: 'G' },
        { oid: '2'.repeat(40), signature: 'N' },
        { oid: '3'.repeat(40), signature: 'U' },
        { oid: '4'.repeat(40), signature: 'B' },
      ],
      p,
      2,
    );
    expect(problems.map((x) => x.message)).toEqual([
      'commit 222222222222 is not signed',
      'commit 333333333333 is signed by a key that is not in the allowed signers',
      'and 1 more commits without a good signature',
    ]);
  });
});
