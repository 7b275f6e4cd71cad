// Small syntactic helpers the general rules share: literal names and strings, bindings of an
// attribute set, and telling a global builtin from a local name (through the scope analysis).
import type { Node } from 'web-tree-sitter';
import { analyzeScopes } from '../../../nix-ast/scopes.js';
import { stringValue } from '../../../nix-ast/strings.js';

/** The name an attribute key spells when it is static: `a`, `"a"` (no interpolation). */
export function staticAttrName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'string_expression') return stringValue(node);
  return undefined;
}

/**
 * The value of a string literal without interpolation (`"…"` or `''…''`), as Nix decodes it
 * (nix-ast/strings.ts); undefined for anything else, including strings with `${…}`.
 */
export function stringLiteralValue(node: Node | null | undefined): string | undefined {
  return node ? stringValue(node) : undefined;
}

/** Whether a node is a string of any form (`"…"`, `''…''`), with or without interpolation. */
export function isString(node: Node | null | undefined): boolean {
  return node?.type === 'string_expression' || node?.type === 'indented_string_expression';
}

/** The static attribute names a binding or inherit defines in its attribute set (first key only). */
export function definedNames(binding: Node): string[] {
  if (binding.type === 'binding') {
    const first = binding.childForFieldName('attrpath')?.namedChildren[0];
    const name = staticAttrName(first);
    return name === undefined ? [] : [name];
  }
  if (binding.type === 'inherit' || binding.type === 'inherit_from') {
    const attrs = binding.childForFieldName('attrs');
    return (attrs?.namedChildren ?? [])
      .filter((n): n is Node => !!n && !n.isMissing && n.type !== 'comment')
      .flatMap((n) => {
        const name = staticAttrName(n);
        return name === undefined ? [] : [name];
      });
  }
  return [];
}

/** Bindings of a `{…}`, `rec {…}`, `let … in` or `let {…}` node, in source order. */
export function bindingsOf(node: Node): Node[] {
  const set = node.namedChildren.find((c) => c?.type === 'binding_set');
  return (set?.namedChildren ?? []).filter(
    (c): c is Node => !!c && (c.type === 'binding' || c.type === 'inherit' || c.type === 'inherit_from'),
  );
}

/** What a variable refers to, by the file's shared scope analysis (memoized per tree). */
function resolution(node: Node) {
  return analyzeScopes(node.tree).resolve(node);
}

/**
 * Whether the variable `at` is bound lexically: by a function argument, a `let`, a `rec {…}`
 * or a legacy `let {…}`. `with` scopes are not lexical and are not counted.
 */
export function isLexicallyBound(at: Node): boolean {
  return resolution(at)?.kind === 'binding';
}

/** Whether `node` is the variable `builtins` that no local binding shadows. */
export function isGlobalBuiltins(node: Node | null | undefined): boolean {
  return node?.type === 'variable_expression' && node.text === 'builtins' && !isLexicallyBound(node);
}

/**
 * The builtin a reference names, if it certainly names one: `builtins.f`, the global alias
 * `__f`, a bare global like `fetchTarball` (given in `globals`), or `f` under
 * `with builtins;` when nothing else could supply it.
 */
export function builtinName(node: Node, globals: ReadonlySet<string> = new Set()): string | undefined {
  if (node.type === 'select_expression') {
    if (node.childForFieldName('default')) return undefined;
    if (!isGlobalBuiltins(node.childForFieldName('expression'))) return undefined;
    const path = node.childForFieldName('attrpath')?.namedChildren ?? [];
    return path.length === 1 ? staticAttrName(path[0]) : undefined;
  }
  if (node.type !== 'variable_expression') return undefined;
  const name = node.text;
  const r = resolution(node);
  if (r?.kind === 'binding') return undefined;
  if (name.startsWith('__') && name.length > 2) return name.slice(2);
  if (globals.has(name)) return name; // globals are lexical: they win over any `with`
  return r?.kind === 'with' && isGlobalBuiltins(r.with.childForFieldName('environment')) ? name : undefined;
}

/** Whether the source between two offsets holds a comment (so a fix would drop it). */
export function hasCommentWithin(root: Node, start: number, end: number): boolean {
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop() as Node;
    if (n.endIndex <= start || n.startIndex >= end) continue;
    if (n.type === 'comment') return true;
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return false;
}

/** The field name under which `node` hangs in its parent (`expression`, `body`, …), if any. */
export function fieldOf(node: Node): string | undefined {
  const parent = node.parent;
  if (!parent) return undefined;
  const i = parent.children.findIndex((c) => c?.id === node.id);
  return i === -1 ? undefined : (parent.fieldNameForChild(i) ?? undefined);
}
