// Bindings found from their key in the text: rules that care about a few option names
// (`User`, `stateVersion`, `ExecStart`) look only at the bindings spelling them.
import type { Node } from 'web-tree-sitter';
import { unwrapWrappers } from './attrpaths.js';

/**
 * Bindings whose attrpath ends in the key a pattern finds in the text (`User = …`,
 * `serviceConfig.User = …`, `"User" = …`), with their values past mkForce & co. The pattern
 * (global) must match where the key's name starts.
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
