// tappaas.json: a valid file is taken as is; broken JSON and schema violations become a
// ConfigError naming the file and where in it; rule levels and options reach the rules.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, findConfig, loadConfig, parseConfig } from '../../../scripts/config/file.js';
import type { RuleSetting } from '../../../scripts/config/types.js';
import { lintSource } from '../../../scripts/lint/engine.js';
import boolComparison from '../../../scripts/lint/rules/bool-comparison.js';
import { lintPaths } from '../../../scripts/lint/run.js';
import type { Rule } from '../../../scripts/lint/types.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tappaas-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function configError(text: string): ConfigError {
  try {
    parseConfig(text, '/repo/tappaas.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`accepted: ${text}`);
}

describe('parseConfig', () => {
  it('accepts a valid file', () => {
    const text = JSON.stringify({
      fleet: { root: 'nix', hosts: 'nix/hosts' },
      lint: {
        rules: {
          'bool-comparison': 'error',
          'unused-binding': ['warning', { ignore: ['_'] }],
          'empty-let': 'off',
        },
        ignore: ['nix/vendor/**'],
        maxFileBytes: 1000,
      },
    });
    expect(parseConfig(text, 'tappaas.json').lint?.rules?.['bool-comparison']).toBe('error');
    expect(parseConfig('{}', 'tappaas.json')).toEqual({});
  });

  it('names the file, line and column of broken JSON', () => {
    const err = configError('{\n  "lint": { "rules": {} },\n}\n');
    expect(err.message).toMatch(/^\/repo\/tappaas\.json:3:1: not valid JSON/);
    expect(err.file).toBe('/repo/tappaas.json');
  });

  const violations: [string, unknown, string, RegExp][] = [
    [
      'an unknown rule level',
      { lint: { rules: { 'bool-comparison': 'warn' } } },
      '/lint/rules/bool-comparison',
      /must be one of "off", "info", "warning", "error"/,
    ],
    [
      'options that are not an object',
      { lint: { rules: { 'bool-comparison': ['error', 3] } } },
      '/lint/rules/bool-comparison/1',
      /must be object/,
    ],
    ['a misspelt section', { lint: { rulez: {} } }, '/lint/rulez', /not a known setting/],
    ['a wrong type', { lint: { maxFileBytes: 'big' } }, '/lint/maxFileBytes', /must be integer/],
    ['a number out of range', { lint: { maxFileBytes: 0 } }, '/lint/maxFileBytes', /must be >= 1/],
  ];
  for (const [name, value, path, message] of violations) {
    it(`rejects ${name} with its JSON path`, () => {
      const err = configError(JSON.stringify(value));
      expect(err.message).toContain('/repo/tappaas.json: does not match schemas/tappaas.schema.json');
      const problem = err.problems.find((p) => p.path === path);
      expect(problem, JSON.stringify(err.problems)).toBeDefined();
      expect(problem!.message).toMatch(message);
      expect(err.message).toContain(`${path}: `);
    });
  }
});

describe('loadConfig', () => {
  it('finds tappaas.json upward but not beyond the git root', () => {
    execFileSync('git', ['init', '-q', join(dir, 'repo')]);
    mkdirSync(join(dir, 'repo', 'nix', 'hosts'), { recursive: true });
    writeFileSync(join(dir, 'tappaas.json'), '{ "lint": { "rules": { "bool-comparison": "off" } } }');
    expect(findConfig(join(dir, 'repo', 'nix', 'hosts'))).toBeUndefined();
    writeFileSync(
      join(dir, 'repo', 'tappaas.json'),
      '{ "lint": { "rules": { "bool-comparison": "info" } } }',
    );
    const { config, file } = loadConfig(join(dir, 'repo', 'nix', 'hosts'));
    expect(file).toBe(join(dir, 'repo', 'tappaas.json'));
    expect(config.lint?.rules?.['bool-comparison']).toBe('info');
  });

  it('says which file could not be read', () => {
    expect(() => loadConfig(dir, 'missing.json')).toThrow(
      new RegExp(`${join(dir, 'missing.json')}: cannot be read`),
    );
  });
});

describe('rule settings reach the rules', () => {
  const seen: unknown[] = [];
  const probe: Rule = {
    meta: {
      type: 'suggestion',
      docs: { description: 'test probe', why: 'tests', bad: '', good: '' },
      messages: { here: 'probe' },
      defaultLevel: 'info',
      certainty: 'style',
    },
    create(context) {
      seen.push(context.options);
      return { Program: (node) => context.report({ node, messageId: 'here' }) };
    },
  };
  const rules = { 'bool-comparison': boolComparison, probe };
  const code = '{ a = x == true; }\n';
  const levels = async (ruleSettings: Record<string, RuleSetting>) =>
    Object.fromEntries(
      (await lintSource('t.nix', code, { rules, ruleSettings })).map((d) => [d.rule, d.severity]),
    );

  it('uses each rule default level without settings', async () => {
    expect(await levels({})).toEqual({ 'bool-comparison': 'warning', probe: 'info' });
  });

  it('applies a plain level and [level] and [level, options]', async () => {
    seen.length = 0;
    expect(await levels({ 'bool-comparison': 'error', probe: ['warning', { max: 3 }] })).toEqual({
      'bool-comparison': 'error',
      probe: 'warning',
    });
    expect(seen).toEqual([{ max: 3 }]);
    expect(await levels({ 'bool-comparison': ['info'] })).toEqual({
      'bool-comparison': 'info',
      probe: 'info',
    });
  });

  it('turns a rule off, in either form', async () => {
    seen.length = 0;
    expect(await levels({ 'bool-comparison': 'off', probe: ['off', { max: 1 }] })).toEqual({});
    expect(seen).toEqual([]); // an off rule is not even created
  });

  it('reads levels from tappaas.json through a whole lint run', async () => {
    writeFileSync(join(dir, 'tappaas.json'), '{ "lint": { "rules": { "bool-comparison": "error" } } }');
    writeFileSync(join(dir, 'a.nix'), code);
    const { config } = loadConfig(dir, 'tappaas.json');
    const result = await lintPaths(['a.nix'], { cwd: dir, root: dir, config, cache: false });
    expect(result.diagnostics.find((d) => d.rule === 'bool-comparison')?.severity).toBe('error');
    writeFileSync(join(dir, 'tappaas.json'), '{ "lint": { "rules": { "bool-comparison": "off" } } }');
    const off = await lintPaths(['a.nix'], {
      cwd: dir,
      root: dir,
      config: loadConfig(dir, 'tappaas.json').config,
      cache: false,
    });
    expect(off.diagnostics.filter((d) => d.rule === 'bool-comparison')).toEqual([]);
  });
});
