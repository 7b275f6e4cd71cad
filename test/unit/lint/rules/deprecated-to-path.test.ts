import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/deprecated-to-path.js';
import { applyFixes, lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

ruleTester('deprecated-to-path', rule, {
  valid: [
    '/. + "/srv/site"',
    'lib.toPath x',
    'toPath "/a"',
    { name: 'a local builtins', code: 'builtins: builtins.toPath "/a"' },
    { name: 'a local toPath under with builtins', code: 'toPath: with builtins; toPath "/a"' },
  ],
  invalid: [
    {
      code: '{ src = builtins.toPath "/srv/site"; }',
      errors: [{ messageId: 'deprecated', line: 1, column: 9, endColumn: 24 }],
    },
    {
      code: 'with builtins; [ (toPath x) __toPath ]',
      errors: [
        { messageId: 'deprecated', line: 1, column: 19 },
        { messageId: 'deprecated', line: 1, column: 29, message: '`__toPath`' },
      ],
    },
  ],
});

it('deprecated-to-path: toPath returns a string, the suggestion a path (real Nix)', async () => {
  const typeOf = (e: string) =>
    execFileSync('nix-instantiate', ['--eval', '-E', `builtins.typeOf (${e})`], { encoding: 'utf8' }).trim();
  const code = 'builtins.toPath ("/sr" + "v")';
  expect(typeOf(code)).toBe('"string"');
  const [d] = await lintWithRule('deprecated-to-path', rule, code);
  const fix = d?.suggestions?.[0]?.fix;
  expect(fix).toBeDefined();
  if (!fix) return;
  const fixed = applyFixes(code, [fix]);
  expect(fixed).toBe('/. + ("/sr" + "v")');
  expect(typeOf(fixed)).toBe('"path"');
});
