// `# tappaas-lint-disable-next-line rule[, rule] -- reason`: silences exactly those rules on
// exactly the next line; a missing reason and a suppression that silences nothing are
// reported, so stale or careless ones do not pile up.
import { describe, expect, it } from 'vitest';
import { lintSource } from '../../../scripts/lint/engine.js';
import boolComparison from '../../../scripts/lint/rules/bool-comparison.js';
import { applySuppressions, findSuppressions } from '../../../scripts/lint/suppressions.js';
import type { Diagnostic, Rule } from '../../../scripts/lint/types.js';

/** A second rule that fires on the same lines as bool-comparison: every integer literal. */
const noInteger: Rule = {
  meta: {
    type: 'suggestion',
    docs: { description: 'test rule', why: 'tests', bad: '1', good: 'x' },
    messages: { int: 'integer' },
    defaultLevel: 'warning',
    certainty: 'style',
  },
  create: (context) => ({ integer_expression: (node) => context.report({ node, messageId: 'int' }) }),
};
const rules = { 'bool-comparison': boolComparison, 'no-integer': noInteger };

async function lint(code: string): Promise<string[]> {
  const found = await lintSource('t.nix', code, { rules });
  return found.map(
    (d) => `${d.line}:${d.column} ${d.rule}${d.rule === 'lint-suppression' ? ` ${d.message}` : ''}`,
  );
}

describe('inline suppressions', () => {
  it('silence only the named rule, only on the next line', async () => {
    const code = [
      '{',
      '  # tappaas-lint-disable-next-line bool-comparison -- legacy API wants a bool here',
      '  a = (x == true) && 1 > 0;',
      '  b = x == true;',
      '}',
      '',
    ].join('\n');
    expect(await lint(code)).toEqual(['3:22 no-integer', '3:26 no-integer', '4:7 bool-comparison']);
  });

  it('take several rules, comma separated', async () => {
    const code = [
      '{',
      '  # tappaas-lint-disable-next-line bool-comparison, no-integer -- generated code',
      '  a = (x == true) && 1 > 0;',
      '}',
      '',
    ].join('\n');
    expect(await lint(code)).toEqual([]);
  });

  it('report a suppression without a reason, and still apply it', async () => {
    const code = [
      '{',
      '  # tappaas-lint-disable-next-line bool-comparison',
      '  a = x == true;',
      '}',
      '',
    ].join('\n');
    expect(await lint(code)).toEqual(['2:3 lint-suppression Suppression without a reason.']);
  });

  it('report a suppression that silences nothing', async () => {
    const code = [
      '{',
      '  # tappaas-lint-disable-next-line bool-comparison -- was needed once',
      '  a = x;',
      '  b = x == true;',
      '}',
      '',
    ].join('\n');
    expect(await lint(code)).toEqual([
      '2:3 lint-suppression Unused suppression of bool-comparison: nothing is reported on the next line.',
      '4:7 bool-comparison',
    ]);
  });

  it('report a suppression whose rules do not fire on the next line, even when others do', async () => {
    const code = ['{', '  # tappaas-lint-disable-next-line bool-comparison -- why', '  a = 1;', '}', ''].join(
      '\n',
    );
    expect(await lint(code)).toEqual([
      '2:3 lint-suppression Unused suppression of bool-comparison: nothing is reported on the next line.',
      '3:7 no-integer',
    ]);
  });

  it('never silence a syntax error', async () => {
    const code = '# tappaas-lint-disable-next-line syntax-error -- no\n{ a = ; }\n';
    const found = await lint(code);
    expect(found.some((l) => l.includes('syntax-error'))).toBe(true);
  });
});

describe('findSuppressions', () => {
  it('reads position, rules and reason', () => {
    const source = 'x\n  #tappaas-lint-disable-next-line a,b c --  the reason  \ny\n';
    expect(findSuppressions(source)).toEqual([
      { line: 2, column: 3, endColumn: 57, rules: ['a', 'b', 'c'], reason: 'the reason', used: false },
    ]);
  });

  it('costs nothing on files without directives', () => {
    const diagnostics: Diagnostic[] = [
      { file: 'f', line: 1, column: 1, endLine: 1, endColumn: 2, rule: 'r', severity: 'info', message: 'm' },
    ];
    expect(applySuppressions('f', '{ }', diagnostics)).toBe(diagnostics);
  });
});
