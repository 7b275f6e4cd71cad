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
}

export type Lookup =
  | { known: true }
  /** `at`: index of the first segment that is no child of `parent`. */
  | { known: false; at: number; parent: TrieNode };

// Every field set from the start: nodes of one shape keep the lint's lookups monomorphic.
const newNode = (): TrieNode => ({
  children: undefined,
  any: undefined,
  placeholder: undefined,
  option: false,
  open: false,
  closedIn: undefined,
});

export function isPlaceholder(segment: string): boolean {
  return segment === '*' || (segment.length > 2 && segment.startsWith('<') && segment.endsWith('>'));
}

export class OptionsTrie {
  readonly root = newNode();
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
    for (const path of index.closed) this.node(path).closedIn = mark;
    for (const path of index.options) {
      const node = this.node(path);
      node.option = true;
      if (node.closedIn !== mark) node.open = true;
    }
    for (const path of index.errors) this.node(path).open = true;
  }

  private node(path: string[]): TrieNode {
    let node = this.root;
    for (const segment of path) {
      if (isPlaceholder(segment)) {
        node.any ??= newNode();
        node.placeholder ??= segment;
        node = node.any;
        continue;
      }
      node.children ??= new Map();
      let child = node.children.get(segment);
      if (!child) node.children.set(segment, (child = newNode()));
      node = child;
    }
    return node;
  }

  /** Every option path (for suggestions over full paths), collected when first asked. */
  optionPaths(): readonly string[][] {
    if (this.paths) return this.paths;
    const out: string[][] = [];
    const visit = (node: TrieNode, path: string[]) => {
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
