// Lexical scopes of a Nix file: which binding each variable refers to.
//
// Nix's rules, which this follows:
// - `let`, `rec { }` and the old `let { … body = …; }` bind all their names at once: every
//   value (and every `inherit (e)` source `e`) sees every name of the same set.
// - A plain `inherit x;` inside a let/rec refers to `x` of the enclosing scope, never to
//   itself; in a plain attrset it is just a reference.
// - A function's formals, their defaults and its `@` name share one scope, so a default
//   can refer to another formal.
// - Lexical bindings win over `with`, and so do Nix's own globals (`with { map = 1; }; map`
//   is the builtin `map`): a name comes from a `with` only when nothing lexical binds it.
//
// One pass over the nodes that matter, collected in C; memoized per tree.
import type { Node, Tree } from 'web-tree-sitter';
import { isGlobalName } from './builtins.js';
import { attrName } from './names.js';
import { nodesOfKinds, shareKinds } from './node-index.js';

export type ScopeKind = 'let' | 'rec' | 'function' | 'with';

/** How a name was bound: `let`, `rec { }`, a formal `{ a }:`, a plain lambda `a:`, or an `a@{ }` pattern. */
export type BindingKind = 'let' | 'rec' | 'formal' | 'lambda' | 'pattern';

export interface Scope {
  kind: ScopeKind;
  /** let_expression, rec_attrset_expression, let_attrset_expression, function_expression or with_expression. */
  node: Node;
  parent: Scope | undefined;
  /** Names this scope binds (none for `with`, whose names are unknown statically). */
  bindings: Map<string, Binding>;
}

export interface Declaration {
  /** The node spelling the name: identifier, string or interpolation of an attrpath, formal name, or lambda argument. */
  identifier: Node;
  /** binding, inherit, inherit_from, formal, or (for lambda and pattern names) function_expression. */
  declaration: Node;
}

export interface Binding extends Declaration {
  name: string;
  kind: BindingKind;
  /** Set when the name comes from `inherit x;` ('plain') or `inherit (e) x;` ('from'). */
  inherit?: 'plain' | 'from';
  /** Further declarations of the same name in the same scope (`let a.b = 1; a.c = 2;`). */
  more: Declaration[];
  scope: Scope;
  /** variable_expression nodes (and identifiers of plain `inherit`) that resolve to this binding. */
  references: Node[];
}

export type Resolution =
  | { kind: 'binding'; name: string; binding: Binding }
  | { kind: 'with'; name: string /** The innermost enclosing with_expression. */; with: Node }
  | { kind: 'builtin'; name: string }
  | { kind: 'unresolved'; name: string };

export interface Reference {
  /** variable_expression, or the identifier of a plain `inherit`. */
  node: Node;
  resolution: Resolution;
}

export interface ScopeAnalysis {
  readonly scopes: readonly Scope[];
  /** Every binding, in the order scopes open (document order of their scopes). */
  readonly bindings: readonly Binding[];
  /** Every variable reference, in document order. */
  readonly references: readonly Reference[];
  /** What a variable_expression (or its identifier, or a plain-inherit identifier) refers to. */
  resolve(node: Node): Resolution | undefined;
  /** The binding declared by a name node (a Declaration.identifier). */
  bindingOf(identifier: Node): Binding | undefined;
  /** True when something outside the binding's own definition refers to it (rec bindings always count as used: they are attributes). */
  isUsed(binding: Binding): boolean;
  /** let bindings, formals, lambda arguments and `@` names that nothing uses. */
  unusedBindings(): Binding[];
  /** The references inside a node's range, in document order. */
  referencesWithin(node: Node): Reference[];
  /**
   * True when evaluating `node` can read `target`: a reference inside it resolves to
   * `target`, or to a let/rec binding whose definition does, transitively
   * (`let c = config; x = c.foo; in [ x ]` depends on `config`).
   */
  dependsOn(node: Node, target: Binding): boolean;
}

const memo = new WeakMap<Tree, ScopeAnalysis>();

const SCOPE_NODE_KINDS = [
  'variable_expression',
  'with_expression',
  'let_expression',
  'let_attrset_expression',
  'rec_attrset_expression',
  'function_expression',
  'inherit',
];
shareKinds(SCOPE_NODE_KINDS);

/** The scope analysis of a parsed tree, computed on first use and then shared by every rule. */
export function analyzeScopes(tree: Tree): ScopeAnalysis {
  let analysis = memo.get(tree);
  if (!analysis) {
    analysis = analyze(tree);
    memo.set(tree, analysis);
  }
  return analysis;
}

function analyze(tree: Tree): ScopeAnalysis {
  const scopes: Scope[] = [];
  const bindings: Binding[] = [];
  const references: Reference[] = [];
  // Built on the first resolve(): the unused-* rules never ask, so most files never pay for it.
  let byReference: Map<number, Resolution> | undefined;
  const byIdentifier = new Map<number, Binding>();
  // For each name, the bindings that are visible right now, innermost last.
  const visible = new Map<string, Binding[]>();
  const withs: Node[] = [];
  let current: Scope | undefined;

  const declare = (
    scope: Scope,
    name: string,
    kind: BindingKind,
    d: Declaration,
    inherit?: 'plain' | 'from',
  ) => {
    const existing = scope.bindings.get(name);
    if (existing) {
      existing.more.push(d);
      return;
    }
    const b: Binding = { name, kind, ...d, more: [], scope, references: [] };
    if (inherit) b.inherit = inherit;
    scope.bindings.set(name, b);
    bindings.push(b);
    byIdentifier.set(d.identifier.id, b);
  };

  const open = (scope: Scope) => {
    scopes.push(scope);
    current = scope;
    if (scope.kind === 'with') {
      withs.push(scope.node);
      return;
    }
    for (const b of scope.bindings.values()) {
      let list = visible.get(b.name);
      if (!list) visible.set(b.name, (list = []));
      list.push(b);
    }
  };

  const close = () => {
    const scope = current as Scope;
    if (scope.kind === 'with') withs.pop();
    else for (const b of scope.bindings.values()) visible.get(b.name)?.pop();
    current = scope.parent;
  };

  // Resolutions are shared (one per binding, one per global name): a file has many
  // references and few distinct targets, and fewer objects mean less garbage to collect.
  const toBinding = new Map<Binding, Resolution>();
  const toGlobal = new Map<string, Resolution>();
  const lookup = (name: string, skip: Scope | undefined): Resolution => {
    const list = visible.get(name);
    if (list && list.length > 0) {
      let b = list[list.length - 1] as Binding;
      if (b.scope === skip) b = list[list.length - 2] as Binding;
      if (b) {
        let r = toBinding.get(b);
        if (!r) toBinding.set(b, (r = { kind: 'binding', name, binding: b }));
        return r;
      }
    }
    if (isGlobalName(name)) {
      let r = toGlobal.get(name);
      if (!r) toGlobal.set(name, (r = { kind: 'builtin', name }));
      return r;
    }
    const w = withs[withs.length - 1];
    if (w) return { kind: 'with', name, with: w };
    return { kind: 'unresolved', name };
  };

  const reference = (node: Node, name: string, skip: Scope | undefined) => {
    const resolution = lookup(name, skip);
    if (resolution.kind === 'binding') resolution.binding.references.push(node);
    references.push({ node, resolution });
  };

  const declareBindingSet = (scope: Scope, set: Node, kind: BindingKind) => {
    for (const child of set.namedChildren) {
      if (!child) continue;
      if (child.type === 'binding') {
        const first = child.childForFieldName('attrpath')?.childForFieldName('attr');
        const name = first ? attrName(first) : undefined;
        if (first && name !== undefined)
          declare(scope, name, kind, { identifier: first, declaration: child });
      } else if (child.type === 'inherit' || child.type === 'inherit_from') {
        const attrs = child.childForFieldName('attrs');
        if (!attrs) continue;
        const from = child.type === 'inherit_from' ? 'from' : 'plain';
        for (const attr of attrs.namedChildren) {
          const name = attr ? attrName(attr) : undefined;
          if (attr && name !== undefined) {
            declare(scope, name, kind, { identifier: attr, declaration: child }, from);
          }
        }
      }
    }
  };

  const bindingSetOf = (node: Node): Node | undefined => {
    for (const child of node.namedChildren) {
      if (child?.type === 'binding_set') return child;
    }
    return undefined;
  };

  const recScope = (node: Node, kind: ScopeKind, bindingKind: BindingKind): Scope => {
    const scope: Scope = { kind, node, parent: current, bindings: new Map() };
    const set = bindingSetOf(node);
    if (set) declareBindingSet(scope, set, bindingKind);
    return scope;
  };

  const functionScope = (node: Node): Scope => {
    const scope: Scope = { kind: 'function', node, parent: current, bindings: new Map() };
    const universal = node.childForFieldName('universal');
    const formals = node.childForFieldName('formals');
    if (universal && !universal.isMissing) {
      declare(scope, universal.text, formals ? 'pattern' : 'lambda', {
        identifier: universal,
        declaration: node,
      });
    }
    if (formals) {
      for (const formal of formals.namedChildren) {
        if (formal?.type !== 'formal') continue;
        const name = formal.childForFieldName('name');
        if (name && !name.isMissing && name.text !== '') {
          declare(scope, name.text, 'formal', { identifier: name, declaration: formal });
        }
      }
    }
    return scope;
  };

  // tree-sitter collects the few node kinds that matter in C, in document order (outer
  // before inner), far faster than a JavaScript walk of every node; scopes nest properly,
  // so a stack of end offsets rebuilds the nesting from that list alone.
  const { nodes, types, ends: endOf } = nodesOfKinds(tree, SCOPE_NODE_KINDS);
  const typeNames = tree.language.types;
  const ends: number[] = [];
  // Bodies of `with` seen but not yet entered: the environment comes first, in the outer scope.
  const withBodies: { start: number; end: number; node: Node }[] = [];
  const closeUntil = (offset: number) => {
    while (ends.length > 0 && (ends[ends.length - 1] as number) <= offset) {
      ends.pop();
      close();
    }
  };
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as Node;
    const start = node.startIndex;
    const end = endOf[i] as number;
    if (end === start) continue;
    closeUntil(start);
    for (let i = withBodies.length - 1; i >= 0; i--) {
      const body = withBodies[i] as (typeof withBodies)[number];
      if (body.start > start) continue;
      withBodies.splice(i, 1);
      if (body.end <= start) continue; // nothing in it refers to anything
      open({ kind: 'with', node: body.node, parent: current, bindings: new Map() });
      ends.push(body.end);
    }
    switch (typeNames[types[i] as number]) {
      case 'variable_expression':
        reference(node, node.text, undefined);
        continue;
      case 'with_expression': {
        const body = node.childForFieldName('body');
        if (body && body.endIndex > body.startIndex) {
          withBodies.push({ start: body.startIndex, end: body.endIndex, node });
        }
        continue;
      }
      case 'let_expression':
      case 'let_attrset_expression':
        open(recScope(node, 'let', 'let'));
        break;
      case 'rec_attrset_expression':
        open(recScope(node, 'rec', 'rec'));
        break;
      case 'function_expression':
        open(functionScope(node));
        break;
      case 'inherit': {
        // `inherit x;` in a let/rec names the outer x, not the binding it creates.
        const owner = node.parent?.parent;
        const skip = owner && current && current.node.id === owner.id ? current : undefined;
        for (const attr of node.childForFieldName('attrs')?.namedChildren ?? []) {
          const name = attr ? attrName(attr) : undefined;
          if (attr && name !== undefined) reference(attr, name, skip);
        }
        continue;
      }
      default:
        continue;
    }
    ends.push(end);
  }
  while (ends.pop() !== undefined) close();

  const within = (node: Node, d: Declaration) =>
    node.startIndex >= d.declaration.startIndex && node.endIndex <= d.declaration.endIndex;
  const isUsed = (b: Binding): boolean => {
    if (b.kind === 'rec') return true;
    // A lambda's own body is inside its declaration (the function), so only let bindings
    // and formals discount references from their own definition (`let f = x: f x;`).
    if (b.kind === 'lambda' || b.kind === 'pattern') return b.references.length > 0;
    return b.references.some((r) => !within(r, b) && !b.more.some((d) => within(r, d)));
  };

  return {
    scopes,
    bindings,
    references,
    resolve(node) {
      if (!byReference) {
        byReference = new Map();
        for (const r of references) byReference.set(r.node.id, r.resolution);
      }
      return byReference.get(node.id) ?? (node.parent ? byReference.get(node.parent.id) : undefined);
    },
    bindingOf(identifier) {
      return byIdentifier.get(identifier.id);
    },
    isUsed,
    unusedBindings() {
      return bindings.filter((b) => !isUsed(b));
    },
    referencesWithin,
    dependsOn(node, target) {
      const seen = new Set<Binding>();
      const ranges: { startIndex: number; endIndex: number }[] = [node];
      for (let range = ranges.pop(); range; range = ranges.pop()) {
        for (const r of referencesWithin(range)) {
          if (r.resolution.kind !== 'binding') continue;
          const b = r.resolution.binding;
          if (b === target) return true;
          if (seen.has(b) || (b.kind !== 'let' && b.kind !== 'rec')) continue;
          seen.add(b);
          ranges.push(b.declaration);
          for (const d of b.more) ranges.push(d.declaration);
        }
      }
      return false;
    },
  };

  function referencesWithin(range: { startIndex: number; endIndex: number }): Reference[] {
    // References are in document order: binary search for the first one inside.
    let lo = 0;
    let hi = references.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((references[mid] as Reference).node.startIndex < range.startIndex) lo = mid + 1;
      else hi = mid;
    }
    const out: Reference[] = [];
    for (let i = lo; i < references.length; i++) {
      const r = references[i] as Reference;
      if (r.node.startIndex >= range.endIndex) break;
      if (r.node.endIndex <= range.endIndex) out.push(r);
    }
    return out;
  }
}
