// One traversal per file, dispatching each node to the visitors registered for its kind.
import type { Node, Tree } from 'web-tree-sitter';
import type { Visitor, Visitors } from './types.js';

export type Dispatch = Map<string, Visitor[]>;

export function mergeVisitors(all: Visitors[]): Dispatch {
  const dispatch: Dispatch = new Map();
  for (const visitors of all) {
    for (const [kind, fn] of Object.entries(visitors)) {
      if (!fn) continue;
      let list = dispatch.get(kind);
      if (!list) dispatch.set(kind, (list = []));
      list.push(fn);
    }
  }
  return dispatch;
}

/** Walks the tree once with a cursor; ERROR subtrees are skipped (the syntax step reports them). */
export function walk(tree: Tree, dispatch: Dispatch): void {
  const root = tree.rootNode;
  for (const fn of dispatch.get('Program') ?? []) fn(root);
  const cursor = tree.walk();
  let descending = true;
  for (;;) {
    if (descending) {
      const node = cursor.currentNode;
      const type = node.type;
      if (type === 'ERROR') {
        descending = false;
        continue;
      }
      if (cursor.nodeIsNamed) {
        const enter = dispatch.get(type);
        if (enter) for (const fn of enter) fn(node);
      }
      if (cursor.gotoFirstChild()) continue;
      descending = false;
    }
    const node = cursor.currentNode;
    if (cursor.nodeIsNamed && node.type !== 'ERROR') {
      const exit = dispatch.get(`${node.type}:exit`);
      if (exit) for (const fn of exit) fn(node);
    }
    if (cursor.gotoNextSibling()) {
      descending = true;
      continue;
    }
    if (!cursor.gotoParent()) break;
  }
  cursor.delete();
  for (const fn of dispatch.get('Program:exit') ?? []) fn(root);
}

/** The naive walk (every node, recursively): tests prove `walk` visits exactly the same. */
export function walkNaive(tree: Tree, dispatch: Dispatch): void {
  const root = tree.rootNode;
  for (const fn of dispatch.get('Program') ?? []) fn(root);
  const visit = (node: Node): void => {
    if (node.type === 'ERROR') return;
    for (const fn of dispatch.get(node.type) ?? []) fn(node);
    for (const child of node.namedChildren) if (child) visit(child);
    for (const fn of dispatch.get(`${node.type}:exit`) ?? []) fn(node);
  };
  visit(root);
  for (const fn of dispatch.get('Program:exit') ?? []) fn(root);
}
