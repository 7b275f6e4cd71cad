// A parsed Nix tree for one test callback, freed afterwards (tree-sitter trees live in
// WebAssembly memory that the garbage collector does not see).
import type { Node, Tree } from 'web-tree-sitter';
import { parseNix } from '../../scripts/nix-ast/index.js';

/** `fn` gets the tree and its top expression. */
export async function withTree<T>(code: string, fn: (tree: Tree, expression: Node) => T): Promise<T> {
  const tree = await parseNix(code);
  try {
    return fn(tree, tree.rootNode.childForFieldName('expression') ?? (tree.rootNode.firstNamedChild as Node));
  } finally {
    tree.delete();
  }
}
