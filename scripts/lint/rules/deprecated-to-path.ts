import type { Node } from 'web-tree-sitter';
import type { Rule } from '../types.js';
import { builtinName } from './util/nix.js';

/** Arguments that may follow `/. +` without parentheses. */
const OPERAND = new Set([
  'variable_expression',
  'string_expression',
  'indented_string_expression',
  'select_expression',
  'parenthesized_expression',
]);

const rule: Rule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: '`builtins.toPath`, deprecated since Nix 2.0.',
      why: 'Despite its name it returns a string, not a path (it only checks the string is absolute), which misleads readers and code that expects a path. Use the string as it is, or `/. + s` when a path is really wanted.',
      bad: '{ src = builtins.toPath "/srv/site"; }',
      good: '{ src = /. + "/srv/site"; }',
      certainty: 'Style: `builtins.toPath` still works; it is deprecated and misleading, not wrong.',
    },
    messages: {
      deprecated:
        '`{{name}}` is deprecated and returns a string, not a path: use the string as it is, or `/. + s` for a path.',
    },
    defaultLevel: 'warning',
    certainty: 'style',
    hasSuggestions: true,
  },
  create(context) {
    const check = (node: Node) => {
      if (!node.text.endsWith('toPath') || builtinName(node) !== 'toPath') return;
      const call =
        node.parent?.type === 'apply_expression' && node.parent.firstNamedChild?.id === node.id
          ? node.parent
          : null;
      const arg = call?.childForFieldName('argument');
      const suggest =
        call && arg
          ? [
              {
                message: 'Make it a path: `/. + …` (changes the type from string to path).',
                fix: {
                  start: call.startIndex,
                  end: call.endIndex,
                  text:
                    OPERAND.has(arg.type) && !arg.childForFieldName('default')
                      ? `/. + ${arg.text}`
                      : `/. + (${arg.text})`,
                },
              },
            ]
          : undefined;
      context.report({
        node,
        messageId: 'deprecated',
        data: { name: node.text },
        ...(suggest ? { suggest } : {}),
      });
    };
    return { select_expression: check, variable_expression: check };
  },
};

export default rule;
