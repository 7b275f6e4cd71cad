// The hand-written policy check must agree with the JSON Schema (ajv) on valid and invalid input.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { lintSettingsProblems, policyProblems } from '../../../scripts/policy/validate.js';
import { loadSchema } from '../../../scripts/schemas/load.js';

const validate = new Ajv({ allErrors: true, strict: false }).compile(loadSchema('tappaas.schema.json'));

const valid: unknown[] = [
  {},
  {
    defaultBranch: 'trunk',
    protectedBranches: ['main', { pattern: 'release/*', allow: ['a'], allowForcePush: true }],
  },
  { protectedTags: ['v*'], ciIdentities: ['ci'], namespaces: ['refs/heads/'] },
  { limits: { maxBlobBytes: 10, forbiddenPaths: ['**/.env'], detectPrivateKeys: false } },
  { limits: { forbiddenPathsCaseSensitive: true, hookLintFileBytes: 1024, hookLintPushBytes: 4096 } },
  { lint: [{ pattern: 'wip/**', level: 'warning' }] },
  { registration: { prefix: 'reg/', hosts: { web1: ['vm'] }, keys: ['k'], paths: ['x/{host}'] } },
  { signedCommits: { branches: ['main'], allowedSigners: 'keys/allowed' } },
];

const invalid: unknown[] = [
  [],
  { bogus: 1 },
  { defaultBranch: '' },
  { protectedBranches: 'main' },
  { protectedBranches: [{ allow: ['a'] }] },
  { protectedBranches: [{ pattern: 'main', allowForcePush: 'yes' }] },
  { protectedBranches: [{ pattern: 'main', extra: 1 }] },
  { protectedTags: [1] },
  { namespaces: ['heads/'] },
  { limits: { maxBlobBytes: 0 } },
  { limits: { maxBlobBytes: 1.5 } },
  { limits: { hookLintFileBytes: 0 } },
  { limits: { hookLintPushBytes: '1M' } },
  { limits: { forbiddenPathsCaseSensitive: 'yes' } },
  { limits: { other: 1 } },
  { lint: [{ pattern: 'x', level: 'loud' }] },
  { lint: [{ pattern: 'x' }] },
  { registration: { hosts: { Web1: ['vm'] } } },
  { registration: { hosts: { web1: 'vm' } } },
  { registration: { keys: [''] } },
  { registration: { other: 1 } },
  { signedCommits: { branches: 'main' } },
  { signedCommits: { allowedSigners: '' } },
];

describe('policyProblems agrees with the schema', () => {
  it.each(valid)('valid %j', (policy) => {
    expect(validate({ policy })).toBe(true);
    expect(policyProblems(policy)).toEqual([]);
  });
  it.each(invalid)('invalid %j', (policy) => {
    expect(validate({ policy })).toBe(false);
    expect(policyProblems(policy).length).toBeGreaterThan(0);
  });
});

describe('lintSettingsProblems agrees with the schema', () => {
  it.each([{}, { rules: { a: 'off', b: ['error', { x: 1 }] }, ignore: ['x/**'], maxFileBytes: 5 }])(
    'valid %j',
    (lint) => {
      expect(validate({ lint })).toBe(true);
      expect(lintSettingsProblems(lint)).toEqual([]);
    },
  );
  it.each([
    { rules: { a: 'loud' } },
    { rules: { a: ['error', 3] } },
    { ignore: 'x' },
    { maxFileBytes: -1 },
    'x',
  ])('invalid %j', (lint) => {
    expect(validate({ lint })).toBe(false);
    expect(lintSettingsProblems(lint).length).toBeGreaterThan(0);
  });
});
