// `tappaas rules`: the catalog printed from the rule files, in three shapes, with each rule's options.
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

  it('documents the options of each rule: text, --json (a JSON Schema) and --markdown', () => {
    const text = runCli(['rules'], { cwd: REPO }).stdout;
    expect(text).toMatch(
      /\nservice-admin-user +warning .*\n {4}option adminUsers \(string\[\], default \["tappaas"\]\): The fleet's interactive users/,
    );
    expect(text).toMatch(/\n {4}option nixosRelease \(string\): /);
    // Options the lint run sets itself are no user's to set: not documented.
    expect(text).not.toMatch(/option (index|stamp|indexed) /);

    const catalog = JSON.parse(runCli(['rules', '--json'], { cwd: REPO }).stdout) as Record<
      string,
      unknown
    >[];
    const byId = new Map(catalog.map((c) => [c.id, c]));
    expect(byId.get('service-admin-user')?.schema).toEqual({
      type: 'object',
      properties: {
        adminUsers: expect.objectContaining({
          type: 'array',
          items: { type: 'string' },
          default: ['tappaas'],
        }),
      },
      additionalProperties: false,
    });
    expect(byId.get('bool-comparison')).not.toHaveProperty('schema');
    const withOptions = catalog.filter((c) => c.schema).map((c) => c.id);
    expect(withOptions.sort()).toEqual(
      Object.entries(rules)
        .filter(([, r]) => r.meta.schema)
        .map(([id]) => id)
        .sort(),
    );

    const markdown = runCli(['rules', '--markdown'], { cwd: REPO }).stdout;
    expect(markdown).toContain(
      '**Options** (`"service-admin-user": ["<level>", { … }]` in `lint.rules`):\n\n- `adminUsers` (string[], default ["tappaas"]): ',
    );
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
