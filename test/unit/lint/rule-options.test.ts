// Rule options against each rule's meta.schema: every option a rule reads is declared and
// documented; a misspelt, unknown or ill-typed option from tappaas.json is a ConfigError that
// names the file, the rule, the key and the fix; the options the lint run sets itself are
// no user's to set; the rule tester refuses options a rule does not take.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../scripts/config/file.js';
import { ruleCatalog } from '../../../scripts/lint/catalog.js';
import {
  checkRuleOptions,
  ruleOptionProblems,
  userOptionsSchema,
} from '../../../scripts/lint/rule-options.js';
import boolComparison from '../../../scripts/lint/rules/bool-comparison.js';
import { rules } from '../../../scripts/lint/rules/index.js';
import serviceAdminUser from '../../../scripts/lint/rules/service-admin-user.js';
import { compileSchema } from '../../../scripts/schemas/compile.js';
import { lintWithRule } from '../../helpers/rule-tester.js';

const RULES_DIR = fileURLToPath(new URL('../../../scripts/lint/rules/', import.meta.url));

describe('meta.schema of every rule', () => {
  for (const [id, rule] of Object.entries(rules)) {
    it(`${id}: declares and documents every option it reads`, () => {
      const source = readFileSync(join(RULES_DIR, `${id}.ts`), 'utf8');
      const read = [...source.matchAll(/context\.options\?\.(\w+)/g)].map((m) => m[1]);
      const schema = rule.meta.schema;
      expect(Object.keys(schema?.properties ?? {}).sort()).toEqual([...new Set(read)].sort());
      if (!schema) return;
      expect(() => compileSchema(schema)).not.toThrow();
      for (const [name, option] of Object.entries(schema.properties)) {
        expect(option.description, `${id}.${name}`).toMatch(/\S/);
        if (option.default !== undefined)
          expect(compileSchema(option)(option.default), `${id}.${name} default`).toBe(true);
      }
    });
  }
});

describe('ruleOptionProblems', () => {
  const problems = (settings: Parameters<typeof ruleOptionProblems>[0]) =>
    ruleOptionProblems(settings, rules);

  it('accepts valid options, levels alone, empty options and ids of no rule', () => {
    expect(
      problems({
        'service-admin-user': ['warning', { adminUsers: ['ops'] }],
        'duplicate-attribute': ['error', { reportMerges: true }],
        'renamed-option': ['error', { nixosRelease: '24.05' }],
        'bool-comparison': ['error', {}],
        'unused-binding': 'off',
        'empty-let': ['info'],
        'hosts-hardware-pairing': ['error', { anything: 1 }],
      }),
    ).toEqual([]);
  });

  it('names a misspelt option, its rule and the option meant', () => {
    expect(problems({ 'service-admin-user': ['warning', { adminUser: ['ops'] }] })).toEqual([
      {
        path: '/lint/rules/service-admin-user/1/adminUser',
        message:
          '`adminUser` is no option of service-admin-user; did you mean `adminUsers`? Its options: `adminUsers`',
      },
    ]);
    expect(
      problems({ 'unknown-option-namespace': ['error', { ExtraNamespaces: [] }] })[0]?.message,
    ).toContain('did you mean `extraNamespaces`?');
  });

  it('says when nothing is near, and when the rule takes no options at all', () => {
    expect(problems({ 'state-version': ['warning', { zzz: 1 }] })[0]?.message).toBe(
      '`zzz` is no option of state-version. Its options: `commonModule`',
    );
    expect(problems({ 'bool-comparison': ['warning', { strict: true }] })).toEqual([
      {
        path: '/lint/rules/bool-comparison/1/strict',
        message: 'bool-comparison takes no options: remove `strict`',
      },
    ]);
  });

  it('refuses what the lint run sets itself', () => {
    const [p] = problems({ 'unknown-option': ['error', { index: ['/x.json'] }] });
    expect(p?.path).toBe('/lint/rules/unknown-option/1/index');
    expect(p?.message).toContain('`index` of unknown-option is not set in tappaas.json');
    expect(p?.message).toContain('lint.optionsIndex');
  });

  it('names an ill-typed value and what it must be', () => {
    expect(
      problems({
        'service-admin-user': ['warning', { adminUsers: 'ops' }],
        'renamed-option': ['error', { nixosRelease: '24.5' }],
        'unused-argument': ['warning', { moduleArgs: ['config', 3] }],
      }),
    ).toEqual([
      {
        path: '/lint/rules/service-admin-user/1/adminUsers',
        message: 'option `adminUsers` of service-admin-user must be array',
      },
      {
        path: '/lint/rules/renamed-option/1/nixosRelease',
        message: 'option `nixosRelease` of renamed-option must match pattern "^\\d{2}\\.\\d{2}$"',
      },
      {
        path: '/lint/rules/unused-argument/1/moduleArgs/1',
        message: 'option `moduleArgs` of unused-argument must be string',
      },
    ]);
  });
});

describe('checkRuleOptions', () => {
  it('throws a ConfigError naming the file, the rule, the key and the fix', async () => {
    const err = await checkRuleOptions(
      { 'service-admin-user': ['warning', { adminUser: ['ops'] }], 'bool-comparison': 'off' },
      '/repo/tappaas.json',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as ConfigError).message;
    expect(message).toMatch(/^\/repo\/tappaas\.json: /);
    expect(message).toContain('/lint/rules/service-admin-user/1/adminUser');
    expect(message).toContain('did you mean `adminUsers`?');
    expect(message).toContain('`tappaas rules` lists the options of each rule');
    expect((err as ConfigError).problems).toHaveLength(1);
  });

  it('passes valid settings and settings without options', async () => {
    await expect(checkRuleOptions(undefined, 'f')).resolves.toBeUndefined();
    await expect(checkRuleOptions({ 'bool-comparison': 'error' }, 'f')).resolves.toBeUndefined();
    await expect(
      checkRuleOptions({ 'service-admin-user': ['warning', { adminUsers: [] }] }, 'f'),
    ).resolves.toBeUndefined();
  });
});

describe('the options the catalog documents', () => {
  it('are what tappaas.json may set: no schema for a rule without options, none of the run-set ones', () => {
    const byId = new Map(ruleCatalog().map((r) => [r.id, r]));
    expect(byId.get('bool-comparison')).not.toHaveProperty('schema');
    expect(byId.get('syntax-error')).not.toHaveProperty('schema');
    expect(Object.keys(byId.get('service-admin-user')?.schema?.properties ?? {})).toEqual(['adminUsers']);
    expect(Object.keys(byId.get('unknown-option')?.schema?.properties ?? {})).toEqual(['extraNamespaces']);
    expect(Object.keys(byId.get('unknown-option-namespace')?.schema?.properties ?? {})).toEqual([
      'extraNamespaces',
    ]);
    expect(userOptionsSchema(boolComparison).properties).toEqual({});
  });
});

describe('the rule tester', () => {
  it('refuses options the rule does not take, as ESLint does', async () => {
    await expect(
      lintWithRule('service-admin-user', serviceAdminUser, '{ }', { adminUser: ['ops'] }),
    ).rejects.toThrow('options do not match the schema of service-admin-user: /options/adminUser');
    await expect(lintWithRule('bool-comparison', boolComparison, '{ }', { x: 1 })).rejects.toThrow(
      'bool-comparison takes no options',
    );
  });

  it('accepts the options the lint run sets', async () => {
    await expect(
      lintWithRule('unknown-option', rules['unknown-option']!, '{ }', { index: [], stamp: '' }),
    ).resolves.toEqual([]);
  });
});
