import type { Node } from 'web-tree-sitter';
import type { Fix, Rule } from '../types.js';
import { hasCommentWithin, staticAttrName } from './util/nix.js';

/** Sets whose bindings see each other: there `a = a;` names itself, not an outer `a`. */
const RECURSIVE = new Set(['rec_attrset_expression', 'let_expression', 'let_attrset_expression']);

const rule: Rule = {
  meta: {
    type: 'suggestion',
    docs: {
      description:
        'An attribute copied by hand from a variable or a set of the same name (`a = a;`, `a = x.a;`).',
      why: '`inherit a;` and `inherit (x) a;` say the same thing with less to read and no chance of a typo between the two names. In a `rec { }` or `let`, `a = a;` is worse: it refers to itself and fails with infinite recursion when used; `inherit a;` takes `a` from the enclosing scope, which is usually what was meant.',
      bad: '{ pkgs, ... }: { environment.systemPackages = [ ]; nixpkgs = { pkgs = pkgs; }; services.x = { package = pkgs.package; }; }',
      good: '{ pkgs, ... }: { environment.systemPackages = [ ]; nixpkgs = { inherit pkgs; }; services.x = { inherit (pkgs) package; }; }',
      certainty: 'Style: the code works as written.',
    },
    messages: {
      variable: '`{{name}} = {{name}};` copies a variable by hand: write `inherit {{name}};`.',
      select:
        '`{{name}} = {{from}}.{{name}};` copies an attribute by hand: write `inherit ({{from}}) {{name}};`.',
      selfReference:
        '`{{name}} = {{name}};` in a `{{scope}}` refers to itself (infinite recursion when used): to take `{{name}}` from the enclosing scope write `inherit {{name}};`.',
    },
    defaultLevel: 'warning',
    certainty: 'style',
    fixable: 'code',
    hasSuggestions: true,
  },
  create(context) {
    const { source } = context.file;
    return {
      binding(node) {
        const value = node.childForFieldName('expression');
        if (value?.type !== 'variable_expression' && value?.type !== 'select_expression') return;
        const keys = node.childForFieldName('attrpath')?.namedChildren ?? [];
        const key = keys[0];
        if (keys.length !== 1 || key?.type !== 'identifier') return;
        const name = key.text;
        const container = node.parent?.parent;
        const recursive = !!container && RECURSIVE.has(container.type);
        // The fix rewrites the whole binding; comments inside it would be lost. Looked at only
        // when there is something to report: most bindings are not manual inherits.
        const offer = (fix: Fix, message: string) =>
          hasCommentWithin(node, node.startIndex, node.endIndex)
            ? { suggest: [{ message: `${message} (drops the comments inside)`, fix }] }
            : { fix };

        if (value.type === 'variable_expression') {
          if (value.text !== name) return;
          const fix = { start: node.startIndex, end: node.endIndex, text: `inherit ${name};` };
          if (recursive) {
            // A different meaning, not a rewrite: only a human can say which `a` was meant.
            context.report({
              node,
              messageId: 'selfReference',
              data: { name, scope: scopeName(container) },
              suggest: [{ message: `Take \`${name}\` from the enclosing scope: \`inherit ${name};\``, fix }],
            });
            return;
          }
          context.report({
            node,
            messageId: 'variable',
            data: { name },
            ...offer(fix, `Write \`inherit ${name};\``),
          });
          return;
        }

        const from = selectedFrom(value, name, source);
        if (from === undefined) return;
        const fix = { start: node.startIndex, end: node.endIndex, text: `inherit (${from}) ${name};` };
        // `inherit (x) a;` evaluates `x` in the same scope as `a = x.a;` does, also in `rec`
        // and `let` (checked with nix-instantiate), so this is a rewrite everywhere.
        context.report({
          node,
          messageId: 'select',
          data: { name, from: short(from) },
          ...offer(fix, `Write \`inherit (${short(from)}) ${name};\``),
        });
      },
    };
  },
};

/** For `x.y.a` selecting `name` last (no `or` default), the text of `x.y`; else undefined. */
function selectedFrom(value: Node, name: string, source: string): string | undefined {
  if (value.type !== 'select_expression' || value.childForFieldName('default')) return undefined;
  const path = value.childForFieldName('attrpath')?.namedChildren.filter((n): n is Node => !!n) ?? [];
  const last = path[path.length - 1];
  if (!last || staticAttrName(last) !== name) return undefined;
  const base = value.childForFieldName('expression');
  if (!base) return undefined;
  if (path.length > 1) return source.slice(base.startIndex, (path[path.length - 2] as Node).endIndex);
  // `inherit (…)` brings its own parentheses.
  if (base.type === 'parenthesized_expression') return base.childForFieldName('expression')?.text;
  return base.text;
}

function scopeName(container: Node | null | undefined): string {
  return container?.type === 'rec_attrset_expression' ? 'rec { }' : 'let';
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}...` : one;
}

export default rule;
