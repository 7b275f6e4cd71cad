// One traversal per file, dispatching each named node to the visitors registered for its kind.
//
// Why it is shaped like this: every call into web-tree-sitter marshals through wasm memory,
// and a JavaScript Node object costs more than the C walk itself. So a file without syntax
// errors is walked in C (`descendantsOfType` with just the kinds some rule listens to) and
// only those nodes reach JavaScript; `:exit` visitors are replayed from end offsets. A file
// with ERROR nodes takes the cursor walk, which can skip ERROR subtrees. Both equal
// `walkNaive` (test/unit/lint/walk.test.ts proves it on a varied corpus).
import type { Language, Node, Tree } from 'web-tree-sitter';
import { nodesOfKinds, primeNodeIndex } from '../nix-ast/node-index.js';
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

/** A rule's visitors that add their time (and the rule's create) to `times[id]`. */
export function timedVisitors(id: string, create: () => Visitors, times: Map<string, number>): Visitors {
  const add = (t0: number) => times.set(id, (times.get(id) ?? 0) + performance.now() - t0);
  const t0 = performance.now();
  const visitors = create();
  add(t0);
  const out: Record<string, Visitor> = {};
  for (const [key, fn] of Object.entries(visitors)) {
    if (!fn) continue;
    out[key] = (node) => {
      const t = performance.now();
      try {
        fn(node);
      } finally {
        add(t);
      }
    };
  }
  return out as Visitors;
}

/** tree-sitter's id for ERROR nodes (ts_builtin_sym_error as an unsigned 16-bit symbol). */
const ERROR_ID = 65535;

/** Per grammar: the symbol ids of each named kind (one name can have several ids, aliases). */
const namedIdsByLanguage = new WeakMap<Language, Map<string, number[]>>();

function namedIds(language: Language): Map<string, number[]> {
  let table = namedIdsByLanguage.get(language);
  if (!table) {
    table = new Map();
    for (let id = 0; id < language.nodeTypeCount; id++) {
      const name = language.types[id];
      if (!name || !language.nodeTypeIsNamed(id)) continue;
      let ids = table.get(name);
      if (!ids) table.set(name, (ids = []));
      ids.push(id);
    }
    namedIdsByLanguage.set(language, table);
  }
  return table;
}

/** Visitors by symbol id, so the hot loop never builds a type string. */
interface ById {
  enter: (Visitor[] | undefined)[];
  exit: (Visitor[] | undefined)[];
  kinds: string[];
}

function byId(language: Language, dispatch: Dispatch): ById {
  const ids = namedIds(language);
  const out: ById = { enter: [], exit: [], kinds: [] };
  for (const [key, fns] of dispatch) {
    if (key === 'Program' || key === 'Program:exit') continue;
    const isExit = key.endsWith(':exit');
    const kind = isExit ? key.slice(0, -5) : key;
    if (kind === 'ERROR') continue; // ERROR subtrees are the syntax step's business
    for (const id of ids.get(kind) ?? []) (isExit ? out.exit : out.enter)[id] = fns;
    if (!out.kinds.includes(kind)) out.kinds.push(kind);
  }
  return out;
}

function call(fns: Visitor[] | undefined, node: Node): void {
  if (fns) for (let i = 0; i < fns.length; i++) fns[i]!(node);
}

export function walk(tree: Tree, dispatch: Dispatch): void {
  const root = tree.rootNode;
  const table = byId(tree.language, dispatch);
  // descendantsOfType drops nodes that end at offset 0: an empty file takes the cursor.
  const listed = !root.hasError && root.endIndex > 0;
  // One traversal in C serves this walk and what Program visitors ask (scopes and such).
  primeNodeIndex(tree, listed ? table.kinds : []);
  call(dispatch.get('Program'), root);
  if (table.kinds.length > 0) {
    if (!listed) walkCursor(tree, table);
    else walkListed(tree, table);
  }
  call(dispatch.get('Program:exit'), root);
}

/** Error-free trees: C finds the nodes of the listened-to kinds in document (pre-)order. */
function walkListed(tree: Tree, table: ById): void {
  const { enter, exit } = table;
  const open: { node: Node; end: number; fns: Visitor[] }[] = [];
  const { nodes, types, ends } = nodesOfKinds(tree, table.kinds);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as Node;
    const id = types[i] as number;
    const onEnter = enter[id];
    const onExit = exit[id];
    // descendantsOfType matches names, so an anonymous token spelled like a kind
    // (the `inherit` keyword) comes back too: it has no entry by id and is dropped here.
    if (!onEnter && !onExit) continue;
    const start = node.startIndex;
    while (open.length > 0) {
      const top = open[open.length - 1]!;
      if (top.end > start || (top.end === start && insideAtEnd(node, top.node, start))) break;
      open.pop();
      call(top.fns, top.node);
    }
    call(onEnter, node);
    if (onExit) open.push({ node, end: ends[i] as number, fns: onExit });
  }
  for (let i = open.length - 1; i >= 0; i--) call(open[i]!.fns, open[i]!.node);
}

/** A node starting where `outer` ends is inside it only when empty and a descendant. */
function insideAtEnd(node: Node, outer: Node, start: number): boolean {
  if (node.endIndex !== start) return false;
  for (let p = node.parent; p; p = p.parent) if (p.id === outer.id) return true;
  return false;
}

/** Trees with syntax errors: a cursor walk that skips ERROR subtrees. */
function walkCursor(tree: Tree, table: ById): void {
  const { enter, exit } = table;
  const cursor = tree.walk();
  try {
    let descending = true;
    for (;;) {
      const id = cursor.nodeTypeId;
      if (descending && id !== ERROR_ID) {
        const fns = enter[id];
        if (fns) call(fns, cursor.currentNode);
        if (cursor.gotoFirstChild()) continue;
      }
      // Leaving the current node: its whole subtree is done.
      const fns = exit[id];
      if (fns) call(fns, cursor.currentNode);
      if (cursor.gotoNextSibling()) {
        descending = true;
        continue;
      }
      if (!cursor.gotoParent()) break;
      descending = false;
    }
  } finally {
    cursor.delete();
  }
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
