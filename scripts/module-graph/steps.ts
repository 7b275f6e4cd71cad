// Where a path literal sits in its file, as the few facts that decide what the referenced file
// is: the attribute keys, list elements, function bodies and calls between the file's root
// expression and the path. `imports = [ ./a.nix ]` is `k:imports e`; `lib.nixosSystem {
// modules = [ ./h ]; }` is `c:nixosSystem:0:1 k:modules e`. Syntax that passes a value through
// unchanged (parentheses, `let … in`, `with`, `assert`, `if` branches, `++`, `//`) adds no
// step; anything else (a `let` binding, an `if` condition, a selection) is opaque: `x`.
// Pure over the syntax tree; contexts.ts says what the steps mean.
import type { Node } from 'web-tree-sitter';
import { attrpathSegments } from '../nix-ast/attrpaths.js';

/**
 * One step from an expression into a part of it, root first:
 * - `k:<name>`: the value of attribute `<name>` (`k:*` for a dynamic name);
 * - `e`: an element of a list;
 * - `b`: the body of a function;
 * - `c:<fn>:<i>:<n>`: argument `i` (0-based) of a call of `<fn>` (last name of the function
 *   expression, `?` when it has none) with `n` arguments in all;
 * - `x`: anywhere else (the value goes somewhere the syntax does not show).
 */
export type Step = string;

/** The steps from the root expression of `node`'s file down to `node`. */
export function stepsTo(node: Node): Step[] {
  const out: Step[] = [];
  let n = node;
  for (;;) {
    const p = n.parent;
    if (!p || p.type === 'source_code') break;
    switch (p.type) {
      case 'parenthesized_expression':
        break;
      case 'let_expression':
      case 'with_expression':
      case 'assert_expression':
        if (!isField(p, 'body', n)) out.push('x');
        break;
      case 'if_expression':
        if (isField(p, 'condition', n)) out.push('x');
        break;
      case 'binary_expression': {
        const op = p.childForFieldName('operator')?.type;
        // `./dir + "/${name}.nix"` is one path; `++` and `//` keep their operands' meaning.
        const pathSum = op === '+' && isField(p, 'left', n) && n.type === 'path_expression';
        if (op !== '++' && op !== '//' && !pathSum) out.push('x');
        break;
      }
      case 'list_expression':
        out.push('e');
        break;
      case 'function_expression':
        out.push(isField(p, 'body', n) ? 'b' : 'x');
        break;
      case 'apply_expression': {
        if (!isField(p, 'argument', n)) {
          // The function being called: its value is not what the call returns.
          out.push('x');
          break;
        }
        // Which argument of the whole call this is, and the call's last name.
        let fn = p.childForFieldName('function');
        let index = 0;
        while (fn?.type === 'apply_expression') {
          index++;
          fn = fn.childForFieldName('function');
        }
        let call = p;
        let count = index + 1;
        while (call.parent?.type === 'apply_expression' && isField(call.parent, 'function', call)) {
          call = call.parent;
          count++;
        }
        out.push(`c:${(fn && lastName(fn)) ?? '?'}:${index}:${count}`);
        n = call;
        continue;
      }
      case 'binding': {
        if (!isField(p, 'expression', n)) {
          out.push('x');
          break;
        }
        const attrpath = p.childForFieldName('attrpath');
        const names = attrpath ? attrpathSegments(attrpath).map((s) => s.name ?? '*') : ['*'];
        for (let i = names.length - 1; i >= 0; i--) out.push(`k:${names[i]}`);
        const set = p.parent; // binding_set
        const owner = set?.parent;
        if (!owner) return finish(out);
        // A `let` binding is used by name elsewhere: where its value goes is not visible here.
        if (owner.type === 'let_expression' || owner.type === 'let_attrset_expression') out.push('x');
        n = owner;
        continue;
      }
      case 'binding_set':
      case 'attrset_expression':
      case 'rec_attrset_expression':
        break;
      default:
        out.push('x');
    }
    n = p;
  }
  return finish(out);
}

/** Root first; one opaque step stands for any run of them. */
function finish(out: Step[]): Step[] {
  return out.reverse().filter((s, i, all) => s !== 'x' || all[i - 1] !== 'x');
}

function isField(parent: Node, field: string, child: Node): boolean {
  return parent.childForFieldName(field)?.id === child.id;
}

/** `import`, `lib.nixosSystem` → `nixosSystem`, `inputs.flake-parts.lib.mkFlake` → `mkFlake`. */
export function lastName(fn: Node): string | undefined {
  if (fn.type === 'variable_expression') return fn.text;
  if (fn.type === 'parenthesized_expression') {
    const inner = fn.namedChildren.find((c) => c?.type !== 'comment');
    return inner ? lastName(inner) : undefined;
  }
  if (fn.type !== 'select_expression') return undefined;
  const attrpath = fn.childForFieldName('attrpath');
  const segments = attrpath ? attrpathSegments(attrpath) : [];
  return segments[segments.length - 1]?.name;
}
