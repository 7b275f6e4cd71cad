// The severity contract (ARCHITECTURE.md): `error` means certain. A rule that can only guess
// never defaults to an error, every rule says how sure it is, and `tappaas rules` shows it.
import { describe, expect, it } from 'vitest';
import { rulesMarkdown, rulesTable } from '../../../scripts/cli/rules.js';
import { ruleCatalog } from '../../../scripts/lint/catalog.js';

describe('severity contract', () => {
  const catalog = ruleCatalog();

  it('only certain and mixed rules (and the fleet layout policy) default to error', () => {
    const errors = catalog.filter((r) => r.defaultLevel === 'error');
    for (const r of errors) expect(['certain', 'mixed', 'policy'], r.id).toContain(r.certainty);
    const guesses = catalog.filter((r) => r.certainty === 'heuristic' || r.certainty === 'style');
    for (const r of guesses) expect(['warning', 'info', 'off'], r.id).toContain(r.defaultLevel);
  });

  it('every rule with visitors explains its certainty in its docs', () => {
    for (const r of catalog.filter(
      (c) => !c.engine && !c.id.startsWith('fleet-') && c.id !== 'state-version-change',
    ))
      expect(r.docs.certainty, r.id).toMatch(/\w/);
  });

  it('the rules the issue names have the severity the contract gives them', () => {
    const level = (id: string) => catalog.find((r) => r.id === id)?.defaultLevel;
    expect(level('duplicate-attribute')).toBe('error');
    expect(level('imports-config')).toBe('error');
    expect(level('impure-lookup-path')).toBe('warning');
    expect(level('impure-builtin')).toBe('warning');
    expect(level('unpinned-fetch')).toBe('warning');
  });

  it('tappaas rules shows the certainty in the table and the markdown', () => {
    const table = rulesTable(catalog, false);
    expect(table).toMatch(/^rule\s+default\s+certainty\s+type/m);
    expect(table).toMatch(/^duplicate-attribute\s+error\s+certain\s/m);
    expect(table).toMatch(/^impure-lookup-path\s+warning\s+heuristic\s/m);
    const md = rulesMarkdown(catalog);
    expect(md).toContain('| Rule | Default | Certainty | Type | Fixable |');
    expect(md).toContain('**Certainty:** certain. Certain: Nix itself rejects the file');
  });
});
