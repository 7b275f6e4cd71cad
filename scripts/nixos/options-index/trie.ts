// The options of one or more hosts as a trie, for the lint: is a definition path an option,
// inside an option's value, or nothing NixOS knows? Union over hosts: a path any host accepts
// is accepted. Placeholders (`<name>`, `*`) match any name.
import type { OptionsIndexFile } from './index-file.js';

export interface TrieNode {
  /** Made on the first child: most nodes are leaves, and a NixOS index has tens of thousands. */
  children?: Map<string, TrieNode>;
  /** The child standing for any name (`<name>` of attrsOf, `*` of listOf). */
  any?: TrieNode;
  /** The placeholder as NixOS shows it, for messages. */
  placeholder?: string;
  option: boolean;
  /** Anything may be defined below: an option without sub-options, a freeform one, or a part that failed to evaluate. */
  open: boolean;
  /** While an index is added: marked closed by it (its number). */
  closedIn?: number;
  /** Index entries below this node not yet sorted into its children (see OptionsTrie.expand). */
  pending?: Entry[];
  /** How many segments lead here. */
  depth: number;
}

/** One path of an index, waiting to be sorted down the trie. */
interface Entry {
  path: readonly string[];
  kind: 'closed' | 'option' | 'error';
  /** The index it came from (its number). */
  mark: number;
}

export type Lookup =
  | { known: true }
  /** `at`: index of the first segment that is no child of `parent`. */
  | { known: false; at: number; parent: TrieNode };

// Every field set from the start: nodes of one shape keep the lint's lookups monomorphic.
const newNode = (depth: number): TrieNode => ({
  children: undefined,
  any: undefined,
  placeholder: undefined,
  option: false,
  open: false,
  closedIn: undefined,
  pending: undefined,
  depth,
});

/** What an entry says of the node its path ends at, applied in the order the index lists them. */
function apply(node: TrieNode, e: Entry): void {
  if (e.kind === 'closed') node.closedIn = e.mark;
  else if (e.kind === 'error') node.open = true;
  else {
    node.option = true;
    if (node.closedIn !== e.mark) node.open = true;
  }
}

export function isPlaceholder(segment: string): boolean {
  return segment === '*' || (segment.length > 2 && segment.startsWith('<') && segment.endsWith('>'));
}

/**
 * Built lazily: an index holds some forty thousand paths, a fleet's modules touch a few hundred
 * of them, and a lint process (each worker thread too) would spend more time building the whole
 * trie than linting with it. Entries wait at the deepest node reached so far and move down one
 * level when a lookup first passes through (`expand`), in the order they were added, so every
 * node ends up exactly as a trie built at once.
 */
export class OptionsTrie {
  readonly root = newNode(0);
  /** Hosts the indexes came from, for messages. */
  readonly hosts: string[] = [];
  private paths: string[][] | undefined;

  static fromIndexes(indexes: OptionsIndexFile[]): OptionsTrie {
    const trie = new OptionsTrie();
    for (const index of indexes) trie.add(index);
    return trie;
  }

  add(index: OptionsIndexFile): void {
    this.hosts.push(index.host);
    this.paths = undefined;
    // Closed options are few: mark them for this index first, then every option not marked is
    // open (union over hosts: open in one host is open).
    const mark = this.hosts.length;
    const put = (path: readonly string[], kind: Entry['kind']) => {
      if (path.length === 0) apply(this.root, { path, kind, mark });
      else (this.root.pending ??= []).push({ path, kind, mark });
    };
    for (const path of index.closed) put(path, 'closed');
    for (const path of index.options) put(path, 'option');
    for (const path of index.errors) put(path, 'error');
  }

  /** The node with its children sorted out: call before reading `children` or `any`. */
  expand(node: TrieNode): TrieNode {
    const list = node.pending;
    if (!list) return node;
    node.pending = undefined;
    const d = node.depth;
    for (const e of list) {
      const segment = e.path[d]!;
      let child: TrieNode | undefined;
      if (isPlaceholder(segment)) {
        node.any ??= newNode(d + 1);
        node.placeholder ??= segment;
        child = node.any;
      } else {
        node.children ??= new Map();
        child = node.children.get(segment);
        if (!child) node.children.set(segment, (child = newNode(d + 1)));
      }
      if (e.path.length === d + 1) apply(child, e);
      else (child.pending ??= []).push(e);
    }
    return node;
  }

  /** Every option path (for suggestions over full paths), collected when first asked. */
  optionPaths(): readonly string[][] {
    if (this.paths) return this.paths;
    const out: string[][] = [];
    const visit = (node: TrieNode, path: string[]) => {
      this.expand(node);
      if (node.option) out.push(path);
      for (const [name, child] of node.children ?? []) visit(child, [...path, name]);
      if (node.any) visit(node.any, [...path, node.placeholder ?? '<name>']);
    };
    visit(this.root, []);
    this.paths = out;
    return out;
  }

  /**
   * A definition path (undefined for a dynamic segment, `${…}`) against the options. Known when
   * it leads to an option or a namespace of options, or passes through an open option; a
   * dynamic segment where no placeholder is is taken as known (it may name anything).
   */
  lookup(path: readonly (string | undefined)[]): Lookup {
    let node = this.root;
    for (let i = 0; i < path.length; i++) {
      if (node.option && node.open) return { known: true };
      this.expand(node);
      const segment = path[i];
      if (segment === undefined) {
        if (!node.any) return { known: true };
        node = node.any;
        continue;
      }
      const next = node.children?.get(segment) ?? node.any;
      if (!next) return node.open ? { known: true } : { known: false, at: i, parent: node };
      node = next;
    }
    return { known: true };
  }
}
