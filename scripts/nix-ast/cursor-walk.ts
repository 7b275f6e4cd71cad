// A depth-first walk over a syntax tree with a tree cursor: no recursion, and a Node object
// is made only for the node types asked for (materializing a Node crosses into wasm).
import type { Node } from 'web-tree-sitter';

/** Calls `visit` on `node` and every descendant, in source order (only `only` types if given). */
export function walkNodes(node: Node, visit: (n: Node) => void, only?: ReadonlySet<string>): void {
  const cursor = node.walk();
  let descend = true;
  for (;;) {
    if (descend && (!only || only.has(cursor.nodeType))) visit(cursor.currentNode);
    if (descend && cursor.gotoFirstChild()) continue;
    if (cursor.gotoNextSibling()) {
      descend = true;
      continue;
    }
    if (!cursor.gotoParent()) break;
    descend = false;
  }
  cursor.delete();
}
