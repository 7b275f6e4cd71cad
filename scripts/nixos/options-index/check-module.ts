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
  childOfType,
  type PathSegment,
  unwrapValue,
  wrapperCall,
} from '../../nix-ast/attrpaths.js';
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
  const step = (at: At, segment: PathSegment): At | { miss: TrieNode } => {
    if (at === 'open' || (at.option && at.open)) return 'open';
    if (segment.name === undefined) return at.any ?? 'open';
    const next = at.children?.get(segment.name) ?? at.any;
    if (next) return next;
    return at.open ? 'open' : { miss: at };
  };

  const walkValue = (value: Node, path: PathSegment[], at: At) => {
    if (at === 'open' || (at.option && at.open)) return;
    const v = unwrapValue(value);
    if (v.type === 'attrset_expression' || v.type === 'rec_attrset_expression') {
      walkBindings(v, path, at);
      return;
    }
    if (v.type === 'binary_expression') {
      if (v.childForFieldName('operator')?.type !== '//') return;
      const left = v.childForFieldName('left');
      const right = v.childForFieldName('right');
      if (left) walkValue(left, path, at);
      if (right) walkValue(right, path, at);
      return;
    }
    if (v.type !== 'apply_expression') return;
    const call = wrapperCall(v, scopes);
    if (!call) return;
    const content = call.args[call.args.length - 1] as Node;
    const list = unwrapValue(content);
    if (call.name === 'mkMerge' && list.type === 'list_expression') {
      for (const element of list.namedChildren)
        if (element && element.type !== 'comment') walkValue(element, path, at);
      return;
    }
    walkValue(content, path, at);
  };

  /** Follows `segments` from `at`; reports the first unknown one; then the value, if any. */
  const walkPath = (segments: PathSegment[], path: PathSegment[], at: At, value: Node | undefined) => {
    let here = at;
    for (let i = 0; i < segments.length; i++) {
      const r = step(here, segments[i]!);
      if (typeof r === 'object' && 'miss' in r) {
        const below = segments.slice(i + 1).map((s) => s.name);
        out.push({
          segments: [...path, ...segments.slice(0, i + 1)],
          rest: [...below, ...firstLeaf(value)],
          parent: r.miss,
        });
        return;
      }
      here = r;
      if (here === 'open') return;
    }
    if (value) walkValue(value, [...path, ...segments], here);
  };

  /** The names of the first definition below a value (only asked for an unknown path). */
  const firstLeaf = (value: Node | undefined): (string | undefined)[] => {
    const v = value ? unwrapValue(value) : undefined;
    if (
      !v ||
      (v.type !== 'attrset_expression' &&
        v.type !== 'rec_attrset_expression' &&
        v.type !== 'apply_expression')
    )
      return [];
    const first: AttrDefinition | undefined = attrsetDefinitions(v, { scopes })[0];
    return first ? first.segments.map((s) => s.name) : [];
  };

  const walkBindings = (attrset: Node, path: PathSegment[], at: At, top?: 'explicit' | 'shorthand') => {
    const set = childOfType(attrset, 'binding_set');
    for (const b of set?.namedChildren ?? []) {
      if (!b) continue;
      if (b.type === 'binding') {
        const attrpath = b.childForFieldName('attrpath');
        const value = b.childForFieldName('expression');
        if (!attrpath || !value) continue;
        let segments = attrpathSegments(attrpath);
        const first = segments[0]?.name;
        if (top && first !== undefined && skipFirst.has(first)) continue;
        if (top === 'shorthand' && first !== undefined && SHORTHAND_SKIP.has(first)) continue;
        if (top === 'explicit') {
          // Only `config` (its path from the config root) and `meta` define; the rest is
          // `options`, the module system's own keys, or what unknown-option-namespace reports.
          if (first === 'config') segments = segments.slice(1);
          else if (first !== 'meta') continue;
          if (segments.length === 0) {
            walkValue(value, path, at);
            continue;
          }
          const name = segments[0]?.name;
          if (name !== undefined && skipFirst.has(name)) continue;
        }
        walkPath(segments, path, at, value);
      } else if (b.type === 'inherit' || b.type === 'inherit_from') {
        if (top === 'explicit') continue;
        for (const attr of b.childForFieldName('attrs')?.namedChildren ?? []) {
          if (!attr || attr.type === 'comment') continue;
          const name = attrName(attr);
          if (top && name !== undefined && (skipFirst.has(name) || SHORTHAND_SKIP.has(name))) continue;
          walkPath([{ name, node: attr }], path, at, undefined);
        }
      }
    }
  };

  walkBindings(root, [], trie.root, explicit ? 'explicit' : 'shorthand');
  return out;
}
