// The option path a binding defines, found by walking up from the binding: rules that care
// about a few keys (`User`, `stateVersion`, `ExecStart`) find them in the text and resolve only
// their paths, instead of resolving every definition path of every module.
import type { Node } from 'web-tree-sitter';
import { attrpathSegments, wrapperCall } from './attrpaths.js';

/**
 * The option path a binding defines, from the module root: its own attrpath, then the
 * attrpaths of the bindings it is nested in, through parentheses, let/with/assert bodies,
 * `//`, and the wrappers mkIf/mkMerge/mkDefault/…; undefined for anything else (a let
 * binding, a function body, a dynamic key) and for option declarations. `explicit`: the
 * module is `{ config = …; options = …; }`, so a definition path starts under `config`.
 */
export function definitionPath(binding: Node, root: Node, explicit: boolean): string[] | undefined {
  const names: string[] = [];
  const prepend = (b: Node): boolean => {
    const ap = b.childForFieldName('attrpath');
    const segs = ap ? attrpathSegments(ap) : [];
    if (segs.length === 0 || segs.some((x) => x.name === undefined)) return false;
    names.unshift(...segs.map((x) => x.name as string));
    return true;
  };
  if (!prepend(binding)) return undefined;
  let n: Node | null = binding.parent?.parent ?? null; // binding_set, then the attrset
  while (n && n.id !== root.id) {
    const p: Node | null = n.parent;
    if (!p) return undefined;
    switch (p.type) {
      case 'binding':
        if (p.childForFieldName('expression')?.id !== n.id || !prepend(p)) return undefined;
        n = p.parent?.parent ?? null;
        break;
      case 'parenthesized_expression':
      case 'binary_expression':
        if (p.type === 'binary_expression' && p.childForFieldName('operator')?.type !== '//')
          return undefined;
        n = p;
        break;
      case 'let_expression':
      case 'with_expression':
      case 'assert_expression':
        if (p.childForFieldName('body')?.id !== n.id) return undefined;
        n = p;
        break;
      case 'list_expression': {
        // Only as the list of `mkMerge [ … ]`.
        const apply = p.parent?.type === 'parenthesized_expression' ? p.parent.parent : p.parent;
        if (!apply || wrapperCall(apply)?.name !== 'mkMerge') return undefined;
        n = apply;
        break;
      }
      case 'apply_expression': {
        // `mkIf c x` is apply(apply(mkIf, c), x): the wrapped value is the outer argument.
        const call = wrapperCall(p);
        if (!call || call.args[call.args.length - 1]?.id !== n.id) return undefined;
        n = p;
        break;
      }
      default:
        return undefined;
    }
  }
  if (!n) return undefined;
  if (explicit) {
    if (names[0] !== 'config') return undefined;
    names.shift();
  } else if (names[0] === 'options' || names[0] === 'imports') return undefined;
  return names;
}
