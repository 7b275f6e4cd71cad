// Where tree-sitter sees a syntax error. Only a first approximation: the engine asks real
// Nix (see nix-parse.ts) before it calls a file invalid.
import type { Node, Tree } from 'web-tree-sitter';
import { rangeOf, type SourceRange } from './range.js';

export interface SyntaxProblem extends SourceRange {
  message: string;
}

/** ERROR and MISSING nodes in document order, outermost only. */
export function syntaxProblems(tree: Tree): SyntaxProblem[] {
  const out: SyntaxProblem[] = [];
  const visit = (node: Node): void => {
    if (node.isError) {
      const text = node.text.length > 40 ? `${node.text.slice(0, 37)}...` : node.text;
      out.push({ ...rangeOf(node), message: `unexpected ${JSON.stringify(text)}` });
      return;
    }
    if (node.isMissing) {
      out.push({ ...rangeOf(node), message: `missing ${node.type}` });
      return;
    }
    if (!node.hasError) return;
    for (const child of node.children) if (child) visit(child);
  };
  visit(tree.rootNode);
  return out;
}
