import type { Node } from 'web-tree-sitter';
import type { Rule } from '../types.js';
import { fieldOf } from './util/nix.js';

/** The operator that is the negation of each comparison. Nix itself defines `a >= b` as
 * `!(a < b)` and `a <= b` as `!(b < a)` (see `nix-instantiate --parse`), and `!=` as the
 * negation of `==`, so each rewrite keeps the value, errors included. */
const NEGATED: Record<string, string> = {
  '==': '!=',
  '!=': '==',
  '<': '>=',
  '>=': '<',
  '>': '<=',
  '<=': '>',
};

/** Where the comparison may stand bare: full expressions and operands of looser operators. */
function needsParens(at: Node): boolean {
  const parent = at.parent;
  const field = fieldOf(at);
  if (!parent || !field) return true;
  switch (parent.type) {
    case 'source_code':
    case 'parenthesized_expression':
    case 'interpolation':
      return false;
    case 'binding':
      return field !== 'expression';
    case 'let_expression':
    case 'function_expression':
    case 'with_expression':
      return field !== 'body';
    case 'assert_expression':
    case 'if_expression':
      return false;
    case 'binary_expression': {
      // `&&`, `||` and `->` bind more loosely than any comparison.
      const op = parent.childForFieldName('operator')?.type;
      return !(op === '&&' || op === '||' || op === '->');
    }
    default:
      return true;
  }
}

const rule: Rule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'A negated comparison: `!(a == b)`, `!(a < b)` and the like.',
      why: 'Every comparison has a negated operator: `!(a == b)` is `a != b`, `!(a < b)` is `a >= b`. One operator reads faster than a negation around parentheses.',
      bad: '{ enable = !(cfg.mode == "off"); }',
      good: '{ enable = cfg.mode != "off"; }',
      certainty: 'Style: the code works as written.',
    },
    messages: {
      negated: '`!(a {{op}} b)` is `a {{negated}} b`: use the negated operator instead of `!( )`.',
    },
    defaultLevel: 'warning',
    certainty: 'style',
    fixable: 'code',
  },
  create(context) {
    const source = context.file.source;
    return {
      unary_expression(node) {
        if (node.childForFieldName('operator')?.type !== '!') return;
        const paren = node.childForFieldName('argument');
        if (paren?.type !== 'parenthesized_expression') return;
        const cmp = paren.childForFieldName('expression');
        if (cmp?.type !== 'binary_expression') return;
        const operator = cmp.childForFieldName('operator');
        const left = cmp.childForFieldName('left');
        const right = cmp.childForFieldName('right');
        const negated = operator && NEGATED[operator.type];
        if (!negated || !left || !right) return;
        if (paren.namedChildren.some((c) => c?.type === 'comment')) return;
        const text =
          source.slice(cmp.startIndex, operator.startIndex) +
          negated +
          source.slice(operator.endIndex, cmp.endIndex);
        context.report({
          node,
          messageId: 'negated',
          data: { op: operator.type, negated },
          fix: { start: node.startIndex, end: node.endIndex, text: needsParens(node) ? `(${text})` : text },
        });
      },
    };
  },
};

export default rule;
