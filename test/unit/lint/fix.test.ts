import { describe, expect, it } from 'vitest';
import { applyFixes, fixSource, MAX_FIX_PASSES } from '../../../scripts/lint/fix.js';
import boolComparison from '../../../scripts/lint/rules/bool-comparison.js';
import type { Rule } from '../../../scripts/lint/types.js';

// One known rule, so that new rules in the registry do not change these outcomes.
const only = { rules: { 'bool-comparison': boolComparison } };

describe('applyFixes', () => {
  it('applies from the end so earlier offsets hold', () => {
    expect(
      applyFixes('abcdef', [
        { start: 0, end: 1, text: 'X' },
        { start: 4, end: 6, text: 'YZW' },
      ]),
    ).toEqual({ output: 'XbcdYZW', applied: 2 });
  });

  it('keeps the later of two overlapping fixes for the next pass', () => {
    expect(
      applyFixes('abcdef', [
        { start: 1, end: 4, text: '1' },
        { start: 3, end: 5, text: '2' },
      ]),
    ).toEqual({ output: 'abc2f', applied: 1 });
  });
});

describe('fixSource', () => {
  it('fixes nested findings in passes until stable', async () => {
    // The outer comparison overlaps the inner one, so it waits for the second pass.
    const out = await fixSource('a.nix', '{ x }: { a = (x == true) == true; b = x != false; }\n', only);
    expect(out).toEqual({ output: '{ x }: { a = (x); b = x; }\n', applied: 3, passes: 2 });
  });

  it('leaves a file that does not parse alone', async () => {
    const source = '{ x }: { a = x == true }\n';
    expect(await fixSource('a.nix', source, only)).toEqual({
      output: source,
      applied: 0,
      passes: 0,
      blocked: 'syntax-error',
    });
  });

  it('does nothing when the rule is off', async () => {
    const source = '{ x }: { a = x == true; }\n';
    const out = await fixSource('a.nix', source, { ...only, ruleSettings: { 'bool-comparison': 'off' } });
    expect(out).toEqual({ output: source, applied: 0, passes: 0 });
  });

  // Rules that misbehave, to prove the loop's guards: they are test doubles of rules, not of
  // a program.
  const appender: Rule = {
    meta: {
      type: 'layout',
      docs: { description: 'd', why: 'w', bad: 'b', good: 'g' },
      messages: { m: 'm' },
      defaultLevel: 'warning',
      certainty: 'style',
      fixable: 'code',
    },
    create: (context) => ({
      Program(node) {
        context.report({
          node,
          messageId: 'm',
          fix: { start: node.endIndex, end: node.endIndex, text: ' ' },
        });
      },
    }),
  };

  it(`stops after ${MAX_FIX_PASSES} passes when fixes never settle`, async () => {
    const out = await fixSource('a.nix', '1', { rules: { appender } });
    expect(out).toEqual({
      output: `1${' '.repeat(MAX_FIX_PASSES)}`,
      applied: MAX_FIX_PASSES,
      passes: MAX_FIX_PASSES,
    });
  });

  it('keeps the last output that parsed when a fix breaks the file', async () => {
    const breaker: Rule = {
      ...appender,
      create: (context) => ({
        integer_expression(node) {
          context.report({
            node,
            messageId: 'm',
            fix: { start: node.startIndex, end: node.endIndex, text: '{' },
          });
        },
      }),
    };
    expect(await fixSource('a.nix', '1', { rules: { breaker } })).toEqual({
      output: '1',
      applied: 0,
      passes: 0,
    });
  });
});
