import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/legacy-let.js';
import { applyFixes, type InvalidCase, lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

const invalid: InvalidCase[] = [
  {
    code: 'let { a = 1; body = a; }',
    errors: [{ messageId: 'legacy', line: 1, column: 1, endColumn: 25 }],
    output: 'let a = 1; body = a; in body',
  },
  {
    code: '{\n  x = let {\n    port = 8080;\n    body = { inherit port; };\n  };\n}',
    errors: [{ messageId: 'legacy', line: 2, column: 7 }],
    output: '{\n  x = let\n    port = 8080;\n    body = { inherit port; };\n  in body;\n}',
  },
  {
    name: 'an argument needs parentheses',
    code: 'f let { body = 1; } 2',
    errors: [{ messageId: 'legacy', line: 1, column: 3 }],
    output: 'f (let body = 1; in body) 2',
  },
  {
    name: 'body defined by inherit',
    code: 'let {inherit (x) body; x = { body = 3; };}',
    errors: [{ messageId: 'legacy', line: 1, column: 1 }],
    output: 'let inherit (x) body; x = { body = 3; }; in body',
  },
  {
    name: 'no body: reported, not fixed',
    code: 'let { a = 1; }',
    errors: [{ messageId: 'legacy', line: 1, column: 1 }],
  },
];

ruleTester('legacy-let', rule, {
  valid: ['let a = 1; in a', 'rec { a = 1; body = a; }.body'],
  invalid,
});

it('legacy-let: fixes evaluate to the same value in real Nix', async () => {
  const evalNix = (e: string) =>
    execFileSync('nix-instantiate', ['--eval', '--strict', '-E', e], { encoding: 'utf8' });
  for (const code of [
    'let { a = 1; body = a; }',
    'let { body = { a = body.b; b = 1; }; }',
    'builtins.map (x: x + 1) [ let { body = 1; } ]',
    'let { inherit (x) body; x = { body = 3; }; }',
  ]) {
    const found = await lintWithRule('legacy-let', rule, code);
    const fixed = applyFixes(
      code,
      found.flatMap((d) => (d.fix ? [d.fix] : [])),
    );
    expect(fixed).toContain(' in body');
    expect(evalNix(fixed)).toBe(evalNix(code));
  }
});
