// The docs of each general rule are generated into `tappaas rules` and SARIF: their examples
// must be true. `bad` is reported by the rule, `good` is not, and both are valid Nix.
import { describe, expect, it } from 'vitest';
import boolSimplification from '../../../../scripts/lint/rules/bool-simplification.js';
import deprecatedToPath from '../../../../scripts/lint/rules/deprecated-to-path.js';
import emptyInherit from '../../../../scripts/lint/rules/empty-inherit.js';
import emptyLet from '../../../../scripts/lint/rules/empty-let.js';
import emptyPattern from '../../../../scripts/lint/rules/empty-pattern.js';
import etaReduction from '../../../../scripts/lint/rules/eta-reduction.js';
import impureAbsolutePath from '../../../../scripts/lint/rules/impure-absolute-path.js';
import impureBuiltin from '../../../../scripts/lint/rules/impure-builtin.js';
import impureLookupPath from '../../../../scripts/lint/rules/impure-lookup-path.js';
import { rules } from '../../../../scripts/lint/rules/index.js';
import legacyLet from '../../../../scripts/lint/rules/legacy-let.js';
import manualInherit from '../../../../scripts/lint/rules/manual-inherit.js';
import secretInStore from '../../../../scripts/lint/rules/secret-in-store.js';
import unpinnedFetch from '../../../../scripts/lint/rules/unpinned-fetch.js';
import uselessParens from '../../../../scripts/lint/rules/useless-parens.js';
import type { Rule } from '../../../../scripts/lint/types.js';
import { lintLenient, nixParse } from './util/nix-parse.js';

const general: Record<string, Rule> = {
  'bool-simplification': boolSimplification,
  'deprecated-to-path': deprecatedToPath,
  'empty-inherit': emptyInherit,
  'empty-let': emptyLet,
  'empty-pattern': emptyPattern,
  'eta-reduction': etaReduction,
  'impure-absolute-path': impureAbsolutePath,
  'impure-builtin': impureBuiltin,
  'impure-lookup-path': impureLookupPath,
  'legacy-let': legacyLet,
  'manual-inherit': manualInherit,
  'secret-in-store': secretInStore,
  'unpinned-fetch': unpinnedFetch,
  'useless-parens': uselessParens,
};

describe('general rules: docs and registry', () => {
  for (const [id, rule] of Object.entries(general)) {
    it(`${id}: registered, bad example reported, good example clean, both valid Nix`, async () => {
      expect(rules[id]).toBe(rule);
      const { bad, good } = rule.meta.docs;
      expect(() => nixParse(bad)).not.toThrow();
      expect(() => nixParse(good)).not.toThrow();
      expect((await lintLenient(id, rule, bad)).length).toBeGreaterThan(0);
      expect(await lintLenient(id, rule, good)).toEqual([]);
    });
    it(`${id}: meta is complete (messages end with a fix; only secrets, a certain exposure, are errors)`, () => {
      const { meta } = rule;
      for (const text of Object.values(meta.messages)) expect(text).toMatch(/:/);
      if (id === 'secret-in-store') expect(meta.defaultLevel).toBe('error');
      else expect(['warning', 'info']).toContain(meta.defaultLevel);
      if (meta.type === 'problem') expect(meta.fixable).toBeUndefined();
    });
  }
});
