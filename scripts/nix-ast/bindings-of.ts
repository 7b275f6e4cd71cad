// The bindings of an attrset, in source order, read from the node index (the one C
// traversal per tree the lint walk already made) instead of asking tree-sitter for the
// children of each set: `namedChildren` crosses into wasm, allocates there and makes a Node
// per child, and the options walk asks for the bindings of every attrset of a module.
import type { Node, Tree } from 'web-tree-sitter';
import { childOfType } from './attrpaths.js';
import { nodesOfKinds, shareKinds } from './node-index.js';

export type BindingKind = 'binding' | 'inherit' | 'inherit_from';

const KINDS: BindingKind[] = ['binding', 'inherit', 'inherit_from'];
shareKinds(KINDS);

interface Listed {
  nodes: Node[];
  kinds: string[];
  starts: number[];
  ends: number[];
}

/** Per tree: the listed bindings, or null when the tree has a syntax error. */
const memo = new WeakMap<Tree, Listed | null>();

function listed(tree: Tree): Listed | null {
  let l = memo.get(tree);
  if (l === undefined) {
    // With a syntax error a binding may sit in an ERROR node of its set, which the set's
    // children do not show: such trees are asked directly.
    if (tree.rootNode.hasError) l = null;
    else {
      const { nodes, types, ends } = nodesOfKinds(tree, KINDS);
      const names = tree.language.types;
      l = {
        nodes,
        kinds: types.map((t) => names[t] ?? 'ERROR'),
        starts: nodes.map((n) => n.startIndex),
        ends,
      };
    }
    memo.set(tree, l);
  }
  return l;
}

/** True when the tree has no syntax error: every binding then has its attrpath and value. */
export function bindingsComplete(tree: Tree): boolean {
  return listed(tree) !== null;
}

/**
 * Calls `visit` for each binding, inherit and inherit_from of an attrset (or rec attrset) in
 * source order: exactly the children of its binding_set of those kinds. `complete` is true
 * when the tree has no syntax error: then every binding has its attrpath and its value.
 */
export function forEachBinding(
  attrset: Node,
  visit: (binding: Node, kind: BindingKind, complete: boolean) => void,
): void {
  const l = listed(attrset.tree);
  if (!l) {
    for (const b of childOfType(attrset, 'binding_set')?.namedChildren ?? []) {
      const kind = b?.type;
      if (b && (kind === 'binding' || kind === 'inherit' || kind === 'inherit_from')) visit(b, kind, false);
    }
    return;
  }
  // Inside the set's range, the entries not nested in an earlier one are its own bindings
  // (a set holds nothing else of these kinds; the `inherit` keyword lies inside its node).
  const { nodes, kinds, starts, ends } = l;
  const start = attrset.startIndex;
  const end = attrset.endIndex;
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((starts[mid] as number) < start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < nodes.length && (starts[i] as number) < end; ) {
    const bindingEnd = ends[i] as number;
    visit(nodes[i] as Node, kinds[i] as BindingKind, true);
    for (i++; i < nodes.length && (starts[i] as number) < bindingEnd; i++);
  }
}

/**
 * A key of plain names (`a.b.c`: no quotes, `${}`, spaces or comments) right before its `=`,
 * read with charCodeAt (a regular expression here costs a match object per binding). Only
 * asked at the start of a binding of a tree without syntax errors, where such text is the
 * whole attrpath: its names are then what attrpathSegments reads from it.
 */
export function plainKey(text: string, at: number): string[] | undefined {
  const names: string[] = [];
  let i = at;
  for (;;) {
    const start = i;
    if (!isNameStart(text.charCodeAt(i))) return undefined;
    for (i++; isNameChar(text.charCodeAt(i)); i++);
    names.push(text.slice(start, i));
    if (text.charCodeAt(i) !== 46 /* . */) break;
    i++;
  }
  for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  return text.charCodeAt(i) === 61 /* = */ ? names : undefined;
}

/** [A-Za-z_] */
const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
/** [A-Za-z0-9_'-] */
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57) || c === 39 || c === 45;
