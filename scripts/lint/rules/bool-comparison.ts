import type { Rule } from '../types.js';

const rule: Rule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Comparison with a boolean literal (`x == true`, `x != false`).',
      why: 'The comparison adds nothing: `x == true` is `x`, `x == false` is `!x`. It also hides a type error when `x` is not a boolean.',
      bad: 'enable = cfg.enable == true;',
      good: 'enable = cfg.enable;',
      certainty: 'Style: the code works as written; the simpler spelling says the same.',
    },
    messages: {
      redundant: 'Comparison with `{{literal}}` is redundant: use `{{replacement}}`.',
    },
    defaultLevel: 'warning',
    certainty: 'style',
    fixable: 'code',
  },
  create(context) {
    return {
      binary_expression(node) {
        const op = node.childForFieldName('operator')?.type;
        if (op !== '==' && op !== '!=') return;
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right) return;
        const isBool = (n: typeof left) =>
          n.type === 'variable_expression' && (n.text === 'true' || n.text === 'false');
        const [literal, other] = isBool(right) ? [right, left] : isBool(left) ? [left, right] : [];
        if (!literal || !other) return;
        const positive = (literal.text === 'true') === (op === '==');
        // `!` binds tighter than anything but selection, so only these need no parentheses.
        const bare = ['variable_expression', 'select_expression', 'parenthesized_expression'].includes(
          other.type,
        );
        const operand = bare ? other.text : `(${other.text})`;
        const replacement = positive ? other.text : `!${operand}`;
        context.report({
          node,
          messageId: 'redundant',
          data: { literal: `${op} ${literal.text}`, replacement },
          fix: { start: node.startIndex, end: node.endIndex, text: replacement },
        });
      },
    };
  },
};

export default rule;
