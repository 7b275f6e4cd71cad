import rule from '../../../../scripts/lint/rules/bool-comparison.js';
import { ruleTester } from '../../../helpers/rule-tester.js';

ruleTester('bool-comparison', rule, {
  valid: ['{ a = x == y; }', '{ a = x == "true"; }', '{ a = true; b = !x; }', '{ a = x.enable or false; }'],
  invalid: [
    {
      code: '{ a = x == true; }',
      errors: [{ messageId: 'redundant', line: 1, column: 7, endColumn: 16 }],
      output: '{ a = x; }',
    },
    {
      code: '{ a = cfg.enable != true; }',
      errors: [{ messageId: 'redundant', line: 1, column: 7 }],
      output: '{ a = !cfg.enable; }',
    },
    {
      code: '{ a = false == f y; }',
      errors: [{ messageId: 'redundant', line: 1, column: 7 }],
      output: '{ a = !(f y); }',
    },
    {
      code: '{\n  a = (x != false);\n}',
      errors: [{ messageId: 'redundant', line: 2, column: 8 }],
      output: '{\n  a = (x);\n}',
    },
  ],
});
