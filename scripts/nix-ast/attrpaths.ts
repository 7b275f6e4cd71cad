// Full attribute paths of the definitions in an attrset, through every spelling Nix and the
// module system treat alike: `a = { b.c = 1; }`, `a.b = { c = 1; }` and `a.b.c = 1` all
// define `a.b.c`, and so do they under `lib.mkIf`, `lib.mkMerge [ … ]`, `lib.mkDefault`,
// `mkForce`, `mkOverride N`, `mkBefore`/`mkAfter`/`mkOrder`, `optionalAttrs` and `//`,
// and through parentheses, `let … in`, `with …;` and `assert …;` around a value.
import type { Node, Tree } from 'web-tree-sitter';
import { attrName, showAttrName } from './names.js';
import type { ScopeAnalysis } from './scopes.js';

export interface PathSegment {
  /** The static name, or undefined for an interpolated (dynamic) key. */
  name: string | undefined;
  /** The node spelling it: identifier, string_expression or interpolation. */
  node: Node;
}

/** Functions that wrap a definition without changing its path. */
export type WrapperName =
  | 'mkIf'
  | 'mkMerge'
  | 'mkDefault'
  | 'mkForce'
  | 'mkOverride'
  | 'mkOptionDefault'
  | 'mkVMOverride'
  | 'mkImageMediaOverride'
  | 'mkBefore'
  | 'mkAfter'
  | 'mkOrder'
  | 'optionalAttrs'
  | '//';

export interface Wrapper {
  name: WrapperName;
  /** The apply_expression (or binary_expression for `//`). */
  node: Node;
  /** The condition of `mkIf c …` / `optionalAttrs c …`. */
  condition?: Node;
}

export interface AttrDefinition {
  /** The full path from the root the walk started at. */
  segments: PathSegment[];
  /** binding, inherit or inherit_from node of the innermost definition. */
  binding: Node;
  /** The attrpath node of that binding (undefined for inherit). */
  attrpath: Node | undefined;
  /** Where to point a diagnostic at the name: the attrpath, or the inherited identifier. */
  key: Node;
  /** The value expression; for `inherit (e) x` the `e`, for plain `inherit x` undefined. */
  value: Node | undefined;
  /** Under mkIf or optionalAttrs: the definition may not apply. */
  conditional: boolean;
  /** Wrappers between the root and this definition, outermost first. */
  wrappers: Wrapper[];
}

/** Arity of each wrapper and whether the content is conditional; the content is the last argument. */
const WRAPPERS: Record<Exclude<WrapperName, '//'>, { arity: number; conditional?: boolean }> = {
  mkIf: { arity: 2, conditional: true },
  optionalAttrs: { arity: 2, conditional: true },
  mkMerge: { arity: 1 },
  mkDefault: { arity: 1 },
  mkForce: { arity: 1 },
  mkOverride: { arity: 2 },
  mkOptionDefault: { arity: 1 },
  mkVMOverride: { arity: 1 },
  mkImageMediaOverride: { arity: 1 },
  mkBefore: { arity: 1 },
  mkAfter: { arity: 1 },
  mkOrder: { arity: 2 },
};

function isWrapperName(name: string): name is Exclude<WrapperName, '//'> {
  return Object.hasOwn(WRAPPERS, name);
}

// Segments per attrpath node id, per tree: module facts, the namespace check and the options
// walk read the same keys, and each read crosses into wasm and builds Node objects.
const segmentMemo = new WeakMap<Tree, Map<number, PathSegment[]>>();

/**
 * The segments of an attrpath node (`a."b".${c}`), computed once per node. The list is
 * shared: callers copy it (`slice`, spread) rather than change it.
 */
export function attrpathSegments(attrpath: Node): PathSegment[] {
  let byId = segmentMemo.get(attrpath.tree);
  if (!byId) {
    byId = new Map();
    segmentMemo.set(attrpath.tree, byId);
  }
  let out = byId.get(attrpath.id);
  if (!out) {
    out = readSegments(attrpath);
    byId.set(attrpath.id, out);
  }
  return out;
}

/** An attrpath of plain identifiers only (`a.b.c`): no quotes, `${}`, spaces or comments. */
const PLAIN_PATH = /^[A-Za-z_][A-Za-z0-9_'-]*(?:\.[A-Za-z_][A-Za-z0-9_'-]*)*$/;

function readSegments(attrpath: Node): PathSegment[] {
  // Most keys are plain: their names are the text between the dots, read with one call
  // into wasm; the segment nodes are made only if someone asks (to report or fix).
  const text = attrpath.text;
  if (PLAIN_PATH.test(text)) {
    const names = text.split('.');
    const nodes: LazyNodes = { attrpath, nodes: undefined };
    const out: PathSegment[] = new Array(names.length);
    for (let i = 0; i < names.length; i++) out[i] = new PlainSegment(names[i] as string, nodes, i);
    return out;
  }
  return segmentNodes(attrpath).map((attr) => ({ name: attrName(attr), node: attr }));
}

interface LazyNodes {
  attrpath: Node;
  nodes: Node[] | undefined;
}

/** A segment of a plain attrpath: its node is looked up when first asked for. */
class PlainSegment implements PathSegment {
  constructor(
    readonly name: string,
    private readonly all: LazyNodes,
    private readonly at: number,
  ) {}

  get node(): Node {
    this.all.nodes ??= segmentNodes(this.all.attrpath);
    return this.all.nodes[this.at] as Node;
  }
}

function segmentNodes(attrpath: Node): Node[] {
  const out: Node[] = [];
  for (const attr of attrpath.namedChildren) {
    if (!attr || attr.type === 'comment' || attr.type === 'ERROR') continue;
    out.push(attr);
  }
  return out;
}

/** A path as Nix prints it: `hardware.opengl.enable`, `users.users."my-user"`, `a.${…}` for dynamic keys. */
export function formatPath(segments: readonly PathSegment[]): string {
  return segments.map((s) => (s.name === undefined ? s.node.text : showAttrName(s.name))).join('.');
}

/** The static names of a path, or undefined when any segment is dynamic. */
export function staticPath(segments: readonly PathSegment[]): string[] | undefined {
  const out: string[] = [];
  for (const s of segments) {
    if (s.name === undefined) return undefined;
    out.push(s.name);
  }
  return out;
}

/** Strips what does not change the value of an expression as an attrset: parentheses, let, with, assert. */
export function unwrapValue(node: Node): Node {
  let n: Node | null = node;
  for (;;) {
    // Each `type` read crosses into wasm: read it once.
    const type: string = n.type;
    switch (type) {
      case 'parenthesized_expression':
      case 'let_expression':
      case 'with_expression':
      case 'assert_expression': {
        const inner: Node | null =
          type === 'parenthesized_expression' ? firstExpression(n) : n.childForFieldName('body');
        if (!inner) return n;
        n = inner;
        break;
      }
      default:
        return n;
    }
  }
}

function firstExpression(n: Node): Node | null {
  for (const c of n.namedChildren) {
    if (c && c.type !== 'comment') return c;
  }
  return null;
}

export interface WrapperCall {
  name: Exclude<WrapperName, '//'>;
  args: Node[];
}

/**
 * Recognizes `lib.mkIf c x`, `lib.modules.mkIf c x` and a bare `mkIf c x` when `mkIf` comes
 * from a `with`, an `inherit (lib) mkIf`, or `let mkIf = lib.mkIf;` (scopes decide; without
 * scopes any bare name counts). Partial applications are not wrappers.
 */
export function wrapperCall(node: Node, scopes?: ScopeAnalysis): WrapperCall | undefined {
  if (node.type !== 'apply_expression') return undefined;
  const args: Node[] = [];
  let fn: Node = node;
  while (fn.type === 'apply_expression') {
    const arg = fn.childForFieldName('argument');
    const next = fn.childForFieldName('function');
    if (!arg || !next) return undefined;
    args.unshift(arg);
    fn = unwrapParens(next);
  }
  const name = calleeName(fn, scopes);
  if (!name || !isWrapperName(name)) return undefined;
  if (args.length !== WRAPPERS[name].arity) return undefined;
  return { name, args };
}

/**
 * The value a chain of wrappers holds: `lib.mkForce x`, `mkDefault (mkIf c x)` give `x`.
 * Stops at `mkMerge`, whose list holds several values (see `wrappedValues`).
 */
export function unwrapWrappers(node: Node, scopes?: ScopeAnalysis): Node {
  let n = unwrapValue(node);
  for (let call = wrapperCall(n, scopes); call && call.name !== 'mkMerge'; call = wrapperCall(n, scopes)) {
    n = unwrapValue(call.args[call.args.length - 1] as Node);
  }
  return n;
}

/** What a wrapper call wraps: the elements of `mkMerge [ … ]`, else its last argument. */
export function wrappedValues(call: WrapperCall): Node[] {
  const content = call.args[call.args.length - 1] as Node;
  if (call.name !== 'mkMerge') return [content];
  const list = unwrapValue(content);
  if (list.type !== 'list_expression') return [content];
  const out: Node[] = [];
  for (const element of list.namedChildren) if (element && element.type !== 'comment') out.push(element);
  return out;
}

function unwrapParens(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression') {
    const inner = firstExpression(n);
    if (!inner) break;
    n = inner;
  }
  return n;
}

function calleeName(fn: Node, scopes: ScopeAnalysis | undefined): string | undefined {
  const type = fn.type;
  if (type === 'select_expression') {
    if (fn.childForFieldName('default')) return undefined;
    const path = fn.childForFieldName('attrpath');
    const segments = path ? attrpathSegments(path) : [];
    return segments[segments.length - 1]?.name;
  }
  if (type !== 'variable_expression') return undefined;
  const name = fn.text;
  if (!scopes) return name;
  const r = scopes.resolve(fn);
  if (!r || r.kind === 'with' || r.kind === 'unresolved') return name;
  if (r.kind !== 'binding') return undefined;
  const b = r.binding;
  if (b.inherit === 'from') return name;
  if (b.kind === 'let' && b.declaration.type === 'binding') {
    const value = b.declaration.childForFieldName('expression');
    if (value?.type === 'select_expression') return calleeName(value, undefined) === name ? name : undefined;
  }
  return undefined;
}

export interface DefinitionOptions {
  /** Resolves bare wrapper names (`mkIf` from `with lib;`); recommended. */
  scopes?: ScopeAnalysis;
  /** Segments to put in front of every path. */
  prefix?: PathSegment[];
}

/**
 * Every leaf definition of an attrset expression (attrset, rec attrset, or anything
 * `unwrapValue` and the wrappers lead to): nested attrset values are followed, so the
 * leaves are the values that are not attrset literals, plus empty attrsets.
 */
export function attrsetDefinitions(node: Node, opts: DefinitionOptions = {}): AttrDefinition[] {
  const out: AttrDefinition[] = [];
  collectValue(node, opts.prefix ?? [], [], opts.scopes, out, undefined);
  return out;
}

interface Leaf {
  binding: Node;
  attrpath: Node | undefined;
  key: Node;
}

function collectValue(
  value: Node,
  prefix: PathSegment[],
  wrappers: Wrapper[],
  scopes: ScopeAnalysis | undefined,
  out: AttrDefinition[],
  leaf: Leaf | undefined,
): void {
  const v = unwrapValue(value);
  const emit = () => {
    if (leaf) out.push({ segments: prefix, ...leaf, value, conditional: isConditional(wrappers), wrappers });
  };
  switch (v.type) {
    case 'attrset_expression':
    case 'rec_attrset_expression': {
      const before = out.length;
      collectBindings(v, prefix, wrappers, scopes, out);
      if (out.length === before) emit();
      return;
    }
    case 'apply_expression': {
      const call = wrapperCall(v, scopes);
      if (!call) {
        emit();
        return;
      }
      const wrapper: Wrapper = { name: call.name, node: v };
      if (call.name === 'mkIf' || call.name === 'optionalAttrs') wrapper.condition = call.args[0];
      const inner = [...wrappers, wrapper];
      for (const content of wrappedValues(call)) collectValue(content, prefix, inner, scopes, out, leaf);
      return;
    }
    case 'binary_expression': {
      if (v.childForFieldName('operator')?.type !== '//') {
        emit();
        return;
      }
      const inner = [...wrappers, { name: '//' as const, node: v }];
      const left = v.childForFieldName('left');
      const right = v.childForFieldName('right');
      if (left) collectValue(left, prefix, inner, scopes, out, leaf);
      if (right) collectValue(right, prefix, inner, scopes, out, leaf);
      return;
    }
    default:
      emit();
  }
}

function isConditional(wrappers: Wrapper[]): boolean {
  return wrappers.some((w) => w.name === 'mkIf' || w.name === 'optionalAttrs');
}

function collectBindings(
  attrset: Node,
  prefix: PathSegment[],
  wrappers: Wrapper[],
  scopes: ScopeAnalysis | undefined,
  out: AttrDefinition[],
): void {
  const set = childOfType(attrset, 'binding_set');
  if (!set) return;
  for (const b of set.namedChildren) {
    if (!b) continue;
    if (b.type === 'binding') {
      const attrpath = b.childForFieldName('attrpath');
      const value = b.childForFieldName('expression');
      if (!attrpath || !value) continue;
      const segments = [...prefix, ...attrpathSegments(attrpath)];
      collectValue(value, segments, wrappers, scopes, out, { binding: b, attrpath, key: attrpath });
    } else if (b.type === 'inherit' || b.type === 'inherit_from') {
      const attrs = b.childForFieldName('attrs');
      const from = b.type === 'inherit_from' ? (b.childForFieldName('expression') ?? undefined) : undefined;
      for (const attr of attrs?.namedChildren ?? []) {
        if (!attr || attr.type === 'comment') continue;
        out.push({
          segments: [...prefix, { name: attrName(attr), node: attr }],
          binding: b,
          attrpath: undefined,
          key: attr,
          value: from,
          conditional: isConditional(wrappers),
          wrappers,
        });
      }
    }
  }
}

export function childOfType(node: Node, type: string): Node | undefined {
  for (const c of node.namedChildren) {
    if (c?.type === type) return c;
  }
  return undefined;
}
