import type { Node, Tree } from 'web-tree-sitter';

/** One parsed Nix file: the unit every rule and analysis works on. */
export interface NixFile {
  /** Path as given by the user (relative to cwd where possible); used in diagnostics. */
  path: string;
  source: string;
  tree: Tree;
  root: Node;
}
