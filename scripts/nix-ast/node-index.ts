// One C traversal per tree for everything that wants the nodes of some kinds.
//
// Why: `descendantsOfType` walks the whole tree in C and then builds a JavaScript Node per
// match, and the walk, the scope analysis and duplicate-attribute each asked for their own
// kinds: three full traversals and the same nodes marshalled up to three times. Consumers
// declare their kinds once (`shareKinds`, at module load); the lint walk primes the index
// with those and its own, and every later ask is a filter over that one list, with type ids
// and end offsets read from wasm once per node. An ask the index does not cover (a tree
// never primed, as in unit tests, or a kind nobody declared) is answered by tree-sitter
// directly, so the result is always exactly `descendantsOfType(kinds)`.
import type { Node, Tree } from 'web-tree-sitter';

/** Nodes of some kinds in document (pre-)order, with their symbol ids and end offsets. */
export interface KindNodes {
  nodes: Node[];
  types: number[];
  ends: number[];
}

interface Index extends KindNodes {
  kinds: Set<string>;
}

const declared = new Set<string>();
const memo = new WeakMap<Tree, Index>();

/** Kinds a module will ask for on every file: the primed index then includes them. */
export function shareKinds(kinds: readonly string[]): void {
  for (const k of kinds) if (k !== 'ERROR') declared.add(k);
}

/** Collects, in one traversal, the nodes of `kinds` and of every declared kind. */
export function primeNodeIndex(tree: Tree, kinds: readonly string[]): void {
  const all = new Set(declared);
  for (const k of kinds) if (k !== 'ERROR') all.add(k);
  memo.set(tree, { kinds: all, ...collect(tree, [...all]) });
}

/** Exactly `tree.rootNode.descendantsOfType(kinds)`, from the primed index when it covers them. */
export function nodesOfKinds(tree: Tree, kinds: readonly string[]): KindNodes {
  const index = memo.get(tree);
  if (!index || !kinds.every((k) => index.kinds.has(k))) return collect(tree, kinds);
  if (new Set(kinds).size === index.kinds.size) return index;
  // descendantsOfType matches by name, so every symbol spelled like a kind (named or not).
  const names = tree.language.types;
  const wanted = new Uint8Array(names.length);
  for (let id = 0; id < names.length; id++) if (kinds.includes(names[id] as string)) wanted[id] = 1;
  const out: KindNodes = { nodes: [], types: [], ends: [] };
  const { nodes, types, ends } = index;
  for (let i = 0; i < nodes.length; i++) {
    const t = types[i] as number;
    if (wanted[t] !== 1) continue;
    out.nodes.push(nodes[i] as Node);
    out.types.push(t);
    out.ends.push(ends[i] as number);
  }
  return out;
}

function collect(tree: Tree, kinds: readonly string[]): KindNodes {
  const out: KindNodes = { nodes: [], types: [], ends: [] };
  if (kinds.length === 0) return out;
  for (const node of tree.rootNode.descendantsOfType(kinds as string[])) {
    if (!node) continue;
    out.nodes.push(node);
    out.types.push(node.typeId);
    out.ends.push(node.endIndex);
  }
  return out;
}
