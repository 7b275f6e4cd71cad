// Bindings found from their key in the text: NixOS rules that care about a few option
// names (`User`, `stateVersion`) look only at the bindings spelling them, instead of
// resolving every definition path of every module.
import type { Node } from 'web-tree-sitter';
import { unwrapValue, wrapperCall } from '../nix-ast/attrpaths.js';

/**
 * Bindings whose attrpath ends in the key a pattern finds in the text (`User = …`,
 * `serviceConfig.User = …`, `"User" = …`), with their values past mkForce & co.
 */
export function* keyBindings(
  root: Node,
  source: string,
  key: RegExp,
): Generator<{ binding: Node; value: Node }> {
  for (const m of source.matchAll(key)) {
    let attr: Node | null = root.descendantForIndex(m.index);
    if (attr?.type === 'string_fragment') attr = attr.parent;
    const attrpath = attr?.parent;
    if (!attr || attrpath?.type !== 'attrpath' || attrpath.lastNamedChild?.id !== attr.id) continue;
    const binding = attrpath.parent;
    const expression = binding?.type === 'binding' ? binding.childForFieldName('expression') : null;
    if (binding && expression) yield { binding, value: unwrapWrappers(expression) };
  }
}

/** `lib.mkForce x`, `mkDefault (x)`: the value they wrap (not through mkMerge). */
export function unwrapWrappers(node: Node): Node {
  let n = unwrapValue(node);
  for (let call = wrapperCall(n); call && call.name !== 'mkMerge'; call = wrapperCall(n)) {
    n = unwrapValue(call.args[call.args.length - 1] as Node);
  }
  return n;
}
