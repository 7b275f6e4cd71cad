import type { Node } from 'web-tree-sitter';
import type { Rule } from '../types.js';
import { bindingsOf, definedNames, fieldOf, staticAttrName } from './util/nix.js';

/** Keys that make an attribute set a NixOS / home-manager module. */
const MODULE_KEYS = new Set([
  'imports',
  'options',
  'config',
  'disabledModules',
  '_file',
  '_class',
  'freeformType',
]);

/** Binding names whose value is a module (`imports`, `modules`, `nixosModules.x`, `sharedModules`). */
const MODULE_BINDING = /(^|[^a-z])(module|modules|imports)$|Modules?$/;

/**
 * Whether a function is, by where it stands, a module: `{ ... }:` is the idiomatic head of a
 * module that needs no arguments, and the module system reads it with `functionArgs`, so the
 * rule leaves those alone.
 */
function looksLikeModule(fn: Node): boolean {
  let at: Node = fn;
  while (at.parent?.type === 'parenthesized_expression') at = at.parent;
  const parent = at.parent;
  if (!parent || parent.type === 'source_code') return true; // a whole file: a module or a package
  if (parent.type === 'list_expression') return true; // `imports = [ … ]`, `modules = [ … ]`
  if (parent.type === 'binding' && fieldOf(at) === 'expression') {
    const path = parent.childForFieldName('attrpath');
    const last = staticAttrName(path?.lastNamedChild);
    if (last !== undefined && MODULE_BINDING.test(last)) return true;
    const first = staticAttrName(path?.firstNamedChild);
    if (first !== undefined && MODULE_BINDING.test(first)) return true;
  }
  const body = fn.childForFieldName('body');
  if (body && (body.type === 'attrset_expression' || body.type === 'rec_attrset_expression')) {
    for (const b of bindingsOf(body)) if (definedNames(b).some((n) => MODULE_KEYS.has(n))) return true;
  }
  return false;
}

const rule: Rule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'A function whose pattern `{ ... }:` binds nothing, outside NixOS modules.',
      why: '`{ ... }:` names no argument, so nothing from it can be used; `_:` says that plainly. The two differ only in that `{ ... }:` fails on an argument that is not an attribute set, so the change is offered, not applied. Module functions (a whole file, an element of `imports`/`modules`, a value of `*Modules.*`, or a body with `imports`/`options`/`config`) keep `{ ... }:`, which is the convention there.',
      bad: '{ overlay = { ... }: final: prev: { }; }',
      good: '{ overlay = _: final: prev: { }; }',
      certainty: 'Style: the code works as written.',
    },
    messages: {
      empty: 'The pattern `{{pattern}}` binds nothing: write `_:` instead.',
    },
    defaultLevel: 'warning',
    certainty: 'style',
    hasSuggestions: true,
  },
  create(context) {
    return {
      function_expression(node) {
        if (node.childForFieldName('universal')) return; // `args@{ ... }` binds `args`
        const formals = node.childForFieldName('formals');
        if (!formals) return;
        const parts = formals.namedChildren.filter((c) => c && c.type !== 'comment');
        // `{ }:` (no ellipsis) checks that the argument is an empty set: that is a meaning.
        if (parts.length !== 1 || parts[0]?.type !== 'ellipses') return;
        if (looksLikeModule(node)) return;
        context.report({
          node: formals,
          messageId: 'empty',
          data: { pattern: formals.text.replace(/\s+/g, ' ') },
          suggest: [
            {
              message: 'Replace with `_` (also accepts arguments that are not attribute sets).',
              fix: { start: formals.startIndex, end: formals.endIndex, text: '_' },
            },
          ],
        });
      },
    };
  },
};

export default rule;
