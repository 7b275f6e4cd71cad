import { describe, expect, it } from 'vitest';
import { FLEET_DOCS } from '../../../../scripts/fleet/docs.js';
import { ENGINE_DOCS, ruleCatalog } from '../../../../scripts/lint/catalog.js';
import { formatJson } from '../../../../scripts/lint/formatters/json.js';
import { ENGINE_RULES, rules } from '../../../../scripts/lint/rules/index.js';

describe('json formatter', () => {
  it('prints the contract shape, exactly these keys in this order', () => {
    const out = formatJson({
      files: 2,
      diagnostics: [
        {
          file: 'a.nix',
          line: 2,
          column: 7,
          endLine: 2,
          endColumn: 16,
          rule: 'bool-comparison',
          severity: 'warning',
          message: 'm',
          help: 'h',
          fix: { start: 1, end: 2, text: 'x' },
          suggestions: [],
        },
      ],
    });
    const parsed = JSON.parse(out);
    expect(Object.keys(parsed)).toEqual(['files', 'diagnostics']);
    expect(parsed.files).toBe(2);
    expect(Object.keys(parsed.diagnostics[0])).toEqual([
      'file',
      'line',
      'column',
      'endLine',
      'endColumn',
      'rule',
      'severity',
      'message',
    ]);
    expect(out.endsWith('}\n')).toBe(true);
  });
});

describe('rule catalog', () => {
  it('lists the engine ids with their own docs, then every rule and fleet check', () => {
    const catalog = ruleCatalog();
    expect(catalog.map((r) => r.id).sort()).toEqual(
      [...Object.keys(ENGINE_RULES), ...Object.keys(rules), ...Object.keys(FLEET_DOCS)].sort(),
    );
    for (const id of Object.keys(ENGINE_RULES))
      expect(ENGINE_DOCS, `docs for engine id ${id}`).toHaveProperty(id);
    for (const r of catalog) {
      expect(r.docs.description, r.id).not.toBe('');
      expect(r.docs.why, r.id).not.toBe('');
      expect(r.docs.bad, r.id).not.toBe('');
      expect(r.docs.good, r.id).not.toBe('');
    }
    expect(catalog.find((r) => r.id === 'bool-comparison')).toMatchObject({ fixable: true, engine: false });
  });
});
