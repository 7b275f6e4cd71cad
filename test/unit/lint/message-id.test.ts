// Reports carry the messageId they were rendered from, as in ESLint: the rule tester compares
// ids, so two templates that can render the same text are told apart, and the outputs whose
// contract lists their fields (JSON, SARIF) leave the id out.
import { describe, expect, it } from 'vitest';
import { lintSource } from '../../../scripts/lint/engine.js';
import { formatJson } from '../../../scripts/lint/formatters/json.js';
import type { FormatOptions } from '../../../scripts/lint/formatters/options.js';
import { formatSarif } from '../../../scripts/lint/formatters/sarif.js';
import type { Rule } from '../../../scripts/lint/types.js';
import { lintWithRule, ruleTester } from '../../helpers/rule-tester.js';

/** Two templates that render the same text for the same data: only the id tells them apart. */
const twins: Rule = {
  meta: {
    type: 'problem',
    docs: { description: 'test', why: 'test', bad: 'x', good: 'y' },
    messages: {
      first: '`{{name}}` is {{what}}.',
      second: '`{{name}}` is {{what}}.',
    },
    defaultLevel: 'error',
    certainty: 'certain',
  },
  create(context) {
    return {
      binding(node) {
        const name = node.childForFieldName('attrpath')?.text ?? '';
        context.report({
          node,
          messageId: name.startsWith('a') ? 'first' : 'second',
          data: { name, what: 'here' },
        });
      },
    };
  },
};

ruleTester('twins', twins, {
  valid: ['{ }'],
  invalid: [
    {
      name: 'the same text from two templates, each stated by its id',
      code: '{ a = 1; b = 2; }',
      errors: [
        { messageId: 'first', line: 1, column: 3, message: '`a` is here.' },
        { messageId: 'second', line: 1, column: 10, message: '`b` is here.' },
      ],
    },
  ],
});

describe('messageId on diagnostics', () => {
  it('is the id the rule reported, beside the rendered message', async () => {
    const found = await lintWithRule('twins', twins, '{ a = 1; b = 2; }');
    expect(found.map((d) => [d.messageId, d.message])).toEqual([
      ['first', '`a` is here.'],
      ['second', '`b` is here.'],
    ]);
  });

  it('an id the rule does not declare is a bug in the rule', async () => {
    const broken: Rule = {
      ...twins,
      create: (context) => ({ binding: (node) => context.report({ node, messageId: 'third' }) }),
    };
    await expect(lintWithRule('broken', broken, '{ a = 1; }')).rejects.toThrow(
      'rule broken reported unknown messageId third',
    );
  });

  it('is absent from what the engine reports itself', async () => {
    const found = await lintSource('bad.nix', '{ a = ; }', { rules: {} });
    expect(found.map((d) => d.rule)).toEqual(['syntax-error']);
    expect(found[0]).not.toHaveProperty('messageId');
  });

  it('stays out of the JSON and SARIF outputs', async () => {
    const diagnostics = await lintWithRule('twins', twins, '{ a = 1; }');
    expect(diagnostics[0]?.messageId).toBe('first');
    const result = { files: 1, diagnostics };
    const opts: FormatOptions = { cwd: '/repo', root: '/repo', color: false, version: '0.1.0' };
    expect(formatJson(result)).not.toContain('messageId');
    expect(formatSarif(result, opts)).not.toContain('messageId');
  });
});
