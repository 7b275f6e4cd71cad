// `tappaas rules`: the catalog printed from the rule files, in three shapes.
import { beforeAll, describe, expect, it } from 'vitest';
import { FLEET_DOCS } from '../../scripts/fleet/docs.js';
import { ENGINE_RULES, rules } from '../../scripts/lint/rules/index.js';
import { buildCli, REPO, runCli } from '../helpers/run-cli.js';

beforeAll(() => buildCli());

const allIds = [...Object.keys(ENGINE_RULES), ...Object.keys(rules), ...Object.keys(FLEET_DOCS)];

describe('tappaas rules', () => {
  it('--json lists every rule and engine id with level, type, fixable and docs', () => {
    const r = runCli(['rules', '--json'], { cwd: REPO });
    expect(r.code).toBe(0);
    const catalog = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(catalog.map((c) => c.id).sort()).toEqual(allIds.sort());
    const bool = catalog.find((c) => c.id === 'bool-comparison')!;
    expect(bool).toMatchObject({
      engine: false,
      type: 'suggestion',
      defaultLevel: 'warning',
      fixable: true,
      docs: { bad: 'enable = cfg.enable == true;', good: 'enable = cfg.enable;' },
    });
    expect(bool.messages).toHaveProperty('redundant');
    expect(catalog.find((c) => c.id === 'syntax-error')).toMatchObject({
      engine: true,
      defaultLevel: 'error',
    });
    for (const c of catalog) {
      const docs = c.docs as Record<string, string>;
      for (const key of ['description', 'why', 'bad', 'good'])
        expect(docs[key], `${c.id} docs.${key}`).toBeTruthy();
    }
  });

  it('--markdown writes a document with a section and examples per rule', () => {
    const r = runCli(['rules', '--markdown'], { cwd: REPO });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# tappaas lint rules\n/);
    for (const id of allIds) {
      expect(r.stdout).toContain(`\n## ${id}\n`);
      expect(r.stdout).toContain(`| [\`${id}\`](#${id}) |`);
    }
    expect(r.stdout).toContain('**Bad:**\n\n```nix\nenable = cfg.enable == true;\n```');
  });

  it('prints a table by default', () => {
    const r = runCli(['rules'], { cwd: REPO });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rule +default +certainty +type +description\n/);
    expect(r.stdout).toMatch(
      /\nbool-comparison +warning +style +suggestion +Comparison with a boolean literal.*\(fixable\)\n/,
    );
    expect(r.stdout).toContain(`${allIds.length} rules.`);
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('exits 2 on bad usage', () => {
    expect(runCli(['rules', '--json', '--markdown'], { cwd: REPO }).code).toBe(2);
    expect(runCli(['rules', '--yaml'], { cwd: REPO }).code).toBe(2);
    expect(runCli(['rules', 'extra'], { cwd: REPO }).stderr).toContain('unexpected argument "extra"');
  });

  it('is listed in the top-level help', () => {
    expect(runCli(['--help'], { cwd: REPO }).stdout).toMatch(/\n {2}rules +list the lint rules/);
  });
});
