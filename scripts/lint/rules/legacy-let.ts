import type { Node } from 'web-tree-sitter';
import type { Rule } from '../types.js';
import { bindingsOf, definedNames, fieldOf } from './util/nix.js';

/** Positions where a `let … in …` may stand without parentheses (any full expression). */
const FULL_EXPRESSION: Record<string, string[]> = {
  source_code: ['expression'],
  binding: ['expression'],
  parenthesized_expression: ['expression'],
  let_expression: ['body'],
  interpolation: ['expression'],
  function_expression: ['body'],
  with_expression: ['body'],
  assert_expression: ['body'],
  if_expression: ['consequence', 'alternative'],
};

function hasDynamicKey(binding: Node): boolean {
  if (binding.type !== 'binding') return false;
  return (binding.childForFieldName('attrpath')?.namedChildren ?? []).some(
    (k) =>
      k?.type === 'interpolation' ||
      (k?.type === 'string_expression' && k.namedChildren.some((c) => c?.type === 'interpolation')),
  );
}

const rule: Rule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'The deprecated `let { …; body = …; }` form.',
      why: '`let { }` is an old spelling of `(rec { … }).body` that newer Nix versions warn about and most readers do not know. `let … in body` says the same.',
      bad: 'let { port = 8080; body = { services.x.port = port; }; }',
      good: 'let port = 8080; in { services.x.port = port; }',
      certainty: 'Style: Nix accepts it (newer versions warn).',
    },
    messages: {
      legacy: 'Deprecated `let { … }`: write `let …; in body` instead.',
    },
    defaultLevel: 'warning',
    certainty: 'style',
    fixable: 'code',
  },
  create(context) {
    const source = context.file.source;
    return {
      let_attrset_expression(node) {
        const bindings = bindingsOf(node);
        const open = node.children.find((c) => c?.type === '{');
        const close = node.children.find((c) => c?.type === '}');
        // `let { }` is `(rec { … }).body`; `let …; in body` keeps every binding, `body` included,
        // so the bindings see exactly the same names (checked with nix-instantiate --eval).
        const fixable =
          open &&
          close &&
          bindings.some((b) => definedNames(b).includes('body')) &&
          !bindings.some(hasDynamicKey);
        if (!fixable) {
          context.report({ node, messageId: 'legacy' });
          return;
        }
        const inner = source.slice(open.endIndex, close.startIndex);
        let text = `let${/^\s/.test(inner) ? '' : ' '}${inner}${/\s$/.test(inner) ? '' : ' '}in body`;
        const field = fieldOf(node);
        const parent = node.parent;
        if (!parent || !field || !FULL_EXPRESSION[parent.type]?.includes(field)) text = `(${text})`;
        context.report({
          node,
          messageId: 'legacy',
          fix: { start: node.startIndex, end: node.endIndex, text },
        });
      },
    };
  },
};

export default rule;
