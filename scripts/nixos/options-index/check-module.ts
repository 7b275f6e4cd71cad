// The definition paths of one NixOS module checked against the options trie in one walk down
// the module's attrsets, the trie followed step by step: where the path reaches an option
// that takes any value below it, the value is not looked at at all, and where a name is no
// option the walk stops there. Spellings as attrsetDefinitions (scripts/nix-ast/attrpaths.ts)
// sees them: nested and dotted paths, `config = …`, mkIf/mkMerge & co, `//`, let/with.
import type { Node } from 'web-tree-sitter';
import {
  type AttrDefinition,
  attrpathSegments,
  attrsetDefinitions,
  type PathSegment,
  unwrapValue,
  wrappedValues,
  wrapperCall,
} from '../../nix-ast/attrpaths.js';
import { forEachBinding, plainKey } from '../../nix-ast/bindings-of.js';
import { SHORTHAND_RESERVED } from '../../nix-ast/module.js';
import { attrName } from '../../nix-ast/names.js';
import type { ScopeAnalysis } from '../../nix-ast/scopes.js';
import type { OptionsTrie, TrieNode } from './trie.js';

export interface UnknownDefinition {
  /** The path up to and including the name that is no option. */
  segments: PathSegment[];
  /** Below it, the first full path written (for suggestions), names only. */
  rest: (string | undefined)[];
  parent: TrieNode;
}

/** Where the walk stands: a trie node, or `open` (anything goes from here on). */
type At = TrieNode | 'open';

/** A definition's value, or the binding whose value it is (read from it when needed). */
type ValueOf = { binding: Node } | Node;

function valueNode(value: ValueOf | undefined): Node | undefined {
  if (!value || !('binding' in value)) return value;
  return value.binding.childForFieldName('expression') ?? undefined;
}

/** A binding's key: its segments, or the binding whose attrpath they are read from when needed. */
type Key = PathSegment[] | { binding: Node; drop: number };

/** The keys from the body down to a nested attrset, innermost last; segments only for a report. */
interface Trail {
  up: Trail | undefined;
  key: Key;
}

function trailSegments(trail: Trail | undefined): PathSegment[] {
  const keys: Key[] = [];
  for (let t = trail; t; t = t.up) keys.push(t.key);
  return keys.reverse().flatMap(keySegments);
}

function keySegments(key: Key): PathSegment[] {
  if (Array.isArray(key)) return key;
  const segments = attrpathSegments(key.binding.childForFieldName('attrpath') as Node);
  return key.drop > 0 ? segments.slice(key.drop) : segments;
}

const SHORTHAND_SKIP = new Set(SHORTHAND_RESERVED);

/**
 * The unknown definitions of a module whose body is `root` (an attrset); `explicit` when it
 * has a top-level `config`/`options` (then only `config` and `meta` define anything).
 */
export function unknownDefinitions(
  root: Node,
  explicit: boolean,
  trie: OptionsTrie,
  scopes: ScopeAnalysis | undefined,
  skipFirst: ReadonlySet<string>,
): UnknownDefinition[] {
  const out: UnknownDefinition[] = [];
  /** The next place, or undefined when `name` is no child of `at` (a miss). */
  const step = (at: At, name: string | undefined): At | undefined => {
    if (at === 'open' || (at.option && at.open)) return 'open';
    trie.expand(at);
    if (name === undefined) return at.any ?? 'open';
    const next = at.children?.get(name) ?? at.any;
    if (next) return next;
    return at.open ? 'open' : undefined;
  };

  const walkValue = (value: Node, path: Trail | undefined, at: At) => {
    if (at === 'open' || (at.option && at.open)) return;
    const v = unwrapValue(value);
    // Each `type` read crosses into wasm: read it once.
    const type = v.type;
    if (type === 'attrset_expression' || type === 'rec_attrset_expression') {
      walkBindings(v, path, at);
      return;
    }
    if (type === 'binary_expression') {
      if (v.childForFieldName('operator')?.type !== '//') return;
      const left = v.childForFieldName('left');
      const right = v.childForFieldName('right');
      if (left) walkValue(left, path, at);
      if (right) walkValue(right, path, at);
      return;
    }
    if (type !== 'apply_expression') return;
    const call = wrapperCall(v, scopes);
    if (!call) return;
    for (const content of wrappedValues(call)) walkValue(content, path, at);
  };

  /**
   * Follows a key's names from `at`; reports the first unknown one; then the value, if any.
   * The segments (nodes) of the keys are made only for a report.
   */
  const walkPath = (
    names: readonly (string | undefined)[],
    key: Key,
    path: Trail | undefined,
    at: At,
    value: ValueOf | undefined,
  ) => {
    let here = at;
    for (let i = 0; i < names.length; i++) {
      const next = step(here, names[i]);
      if (next === undefined) {
        out.push({
          segments: [...trailSegments(path), ...keySegments(key).slice(0, i + 1)],
          rest: [...names.slice(i + 1), ...firstLeaf(valueNode(value))],
          parent: here as TrieNode,
        });
        return;
      }
      here = next;
      if (here === 'open') return;
    }
    // Most definitions end at an option that takes any value: no nodes or path copy for them.
    if (value && here !== 'open' && !(here.option && here.open))
      walkValue(valueNode(value) as Node, { up: path, key }, here);
  };

  /** The names of the first definition below a value (only asked for an unknown path). */
  const firstLeaf = (value: Node | undefined): (string | undefined)[] => {
    const v = value ? unwrapValue(value) : undefined;
    const type = v?.type;
    if (
      !v ||
      (type !== 'attrset_expression' && type !== 'rec_attrset_expression' && type !== 'apply_expression')
    )
      return [];
    const first: AttrDefinition | undefined = attrsetDefinitions(v, { scopes })[0];
    return first ? first.segments.map((s) => s.name) : [];
  };

  // The body's text, to read plain keys without asking tree-sitter for their nodes.
  const text = root.text;
  const base = root.startIndex;

  const walkBindings = (attrset: Node, path: Trail | undefined, at: At, top?: 'explicit' | 'shorthand') => {
    forEachBinding(attrset, (b, kind, complete) => {
      if (kind === 'binding') {
        let names: readonly (string | undefined)[];
        let key: Key;
        let value: ValueOf | null;
        const plain = complete ? plainKey(text, b.startIndex - base) : undefined;
        if (plain) {
          // A complete tree: the binding starts with this attrpath and has a value, read
          // when the walk needs it (most paths end at an option taking any value).
          names = plain;
          key = { binding: b, drop: 0 };
          value = { binding: b };
        } else {
          const attrpath = b.childForFieldName('attrpath');
          value = b.childForFieldName('expression');
          if (!attrpath || !value) return;
          key = attrpathSegments(attrpath);
          names = key.map((s) => s.name);
        }
        const first = names[0];
        if (top && first !== undefined && skipFirst.has(first)) return;
        if (top === 'shorthand' && first !== undefined && SHORTHAND_SKIP.has(first)) return;
        if (top === 'explicit') {
          // Only `config` (its path from the config root) and `meta` define; the rest is
          // `options`, the module system's own keys, or what unknown-option-namespace reports.
          if (first === 'config') {
            names = names.slice(1);
            key = Array.isArray(key) ? key.slice(1) : { binding: b, drop: 1 };
          } else if (first !== 'meta') return;
          if (names.length === 0) {
            walkValue(valueNode(value) as Node, path, at);
            return;
          }
          const name = names[0];
          if (name !== undefined && skipFirst.has(name)) return;
        }
        walkPath(names, key, path, at, value);
      } else {
        if (top === 'explicit') return;
        for (const attr of b.childForFieldName('attrs')?.namedChildren ?? []) {
          if (!attr || attr.type === 'comment') continue;
          const name = attrName(attr);
          if (top && name !== undefined && (skipFirst.has(name) || SHORTHAND_SKIP.has(name))) continue;
          walkPath([name], [{ name, node: attr }], path, at, undefined);
        }
      }
    });
  };

  walkBindings(root, undefined, trie.root, explicit ? 'explicit' : 'shorthand');
  return out;
}
