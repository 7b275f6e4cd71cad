import type { Rule } from '../types.js';
import { bindingsOf, hasCommentWithin } from './util/nix.js';

const rule: Rule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'A `let … in` that binds nothing (`let in x`).',
      why: 'An empty `let` adds a scope with no names: it is noise, usually left behind after the last binding was removed. `let in x` evaluates exactly as `x`.',
      bad: '{ config = let in { networking.hostName = "web1"; }; }',
      good: '{ config = { networking.hostName = "web1"; }; }',
      certainty: 'Style: Nix accepts it and it does nothing.',
    },
    messages: {
      empty: 'This `let` binds nothing: remove `let in` and keep its body.',
    },
    defaultLevel: 'warning',
    certainty: 'style',
    fixable: 'code',
    hasSuggestions: true,
  },
  create(context) {
    return {
      let_expression(node) {
        if (bindingsOf(node).length > 0) return;
        const body = node.childForFieldName('body');
        if (!body) return;
        // A `let` can only stand where any expression may, and its body is an expression: the
        // body alone parses the same in its place. Comments between `let` and `in` would be
        // lost, so then the change is only offered.
        const fix = { start: node.startIndex, end: body.startIndex, text: '' };
        const keepsComments = hasCommentWithin(node, node.startIndex, body.startIndex);
        context.report({
          node,
          messageId: 'empty',
          ...(keepsComments
            ? { suggest: [{ message: 'Remove `let in` (drops the comments inside it).', fix }] }
            : { fix }),
        });
      },
    };
  },
};

export default rule;
