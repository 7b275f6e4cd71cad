// What the module system forces of an `imports` value before `config` exists, and where that
// reads `config` (lib/modules.nix, collectStructuredModules and loadModule).
//
// To collect modules it needs the imports list itself (its spine), and of each element just
// enough to load it: a path or string in full; an attrset's top-level names and its
// `imports`, `disabledModules`, `key` and `_class`; a function's result, called with lazy
// arguments; a `mkIf`/`mkOverride` value only as such (`{ _type = "if"; … }`, condition and
// content stay thunks). Everything else (definitions, the content of `mkIf`, arguments of a
// function we do not know) is read later, when `config` exists. Reading `config` in a forced
// part is infinite recursion; reading it elsewhere is fine.
//
// So this is a small strictness analysis over the syntax: `demand(node, mode)` walks only
// what evaluating `node` to `mode` certainly forces, through let aliases and the few library
// functions whose strictness is known (`optional`, `optionals`, `map`, `filter`, …). An
// unknown function's arguments count as lazy: reporting them would be a guess, and this rule
// reports only certain recursion. One assumption: every branch of an `if`, both operands of
// `&&`/`||` and the body of a function given to `map`/`filter` run on some host (code there
// that reads config in imports can never work). Checked against lib.evalModules in the tests.
import type { Node } from 'web-tree-sitter';
import { attrpathSegments } from '../../../nix-ast/attrpaths.js';
import type { Binding, ScopeAnalysis } from '../../../nix-ast/scopes.js';

/**
 * How much of a value is forced: nothing, its head (WHNF), all of it, a module as
 * `loadModule` loads it, or a list whose elements are forced as `elem`.
 */
export type Mode =
  | { kind: 'lazy' }
  | { kind: 'whnf' }
  | { kind: 'deep' }
  | { kind: 'module' }
  | { kind: 'list'; elem: Mode };

const LAZY: Mode = { kind: 'lazy' };
const WHNF: Mode = { kind: 'whnf' };
const DEEP: Mode = { kind: 'deep' };
export const MODULE: Mode = { kind: 'module' };
const list = (elem: Mode): Mode => ({ kind: 'list', elem });
/** The imports list: its spine and every element loaded as a module. */
export const MODULE_LIST: Mode = list(MODULE);

function modeKey(m: Mode): string {
  return m.kind === 'list' ? `[${modeKey(m.elem)}]` : m.kind;
}

/** What the elements of a value forced in `m` are forced to. */
function elementMode(m: Mode): Mode {
  return m.kind === 'list' ? m.elem : m.kind === 'deep' ? DEEP : LAZY;
}

/** The least mode both force (for a lambda argument used in several places). */
function join(a: Mode, b: Mode): Mode {
  if (a.kind === 'lazy') return b;
  if (b.kind === 'lazy') return a;
  if (a.kind === 'deep' || b.kind === 'deep') return DEEP;
  if (modeKey(a) === modeKey(b)) return a;
  return WHNF;
}

/** Top-level keys of a module that `loadModule` and the collection of imports read. */
const MODULE_KEYS: Record<string, Mode> = {
  imports: MODULE_LIST,
  disabledModules: DEEP,
  key: DEEP,
  _class: DEEP,
};

/** A place where `config` is read while imports are collected. */
export interface ConfigRead {
  /** Where to report: the `config…` expression, or the let alias that leads to it. */
  node: Node;
  /** The alias's name, when the read goes through one. */
  alias?: string;
}

/**
 * The reads of `config` that forcing `value` to `mode` certainly does. `moduleFunction` is
 * the file's module function (its `config` formal and `args@` pattern are `config`); the
 * formals of inline module functions met on the way count too.
 */
export function configReads(
  value: Node,
  mode: Mode,
  scopes: ScopeAnalysis,
  moduleFunction: Node | undefined,
): ConfigRead[] {
  const walker = new Walker(scopes);
  if (moduleFunction) walker.moduleFunctions.add(moduleFunction.id);
  const reads: ConfigRead[] = [];
  walker.demand(value, mode, (read) => reads.push(read));
  const seen = new Set<number>();
  return reads.filter((r) => !seen.has(r.node.id) && seen.add(r.node.id));
}

type OnRead = (read: ConfigRead) => void;
/** A subexpression and how far it is forced. */
type Part = [Node | null | undefined, Mode];

class Walker {
  /** Ids of functions the module system calls with its arguments. */
  readonly moduleFunctions = new Set<number>();
  /** Whether forcing a let binding's value to a mode reads config (false while in progress). */
  private readonly aliasMemo = new Map<string, boolean>();
  /** Lambda arguments being watched (for `map f xs`): the mode each is forced to. */
  private readonly watched = new Map<Binding, Mode>();

  constructor(private readonly scopes: ScopeAnalysis) {}

  /** Walks what forcing `node` to `mode` evaluates; returns true when that reads config. */
  demand(node: Node | null | undefined, mode: Mode, onRead: OnRead): boolean {
    if (!node || mode.kind === 'lazy') return false;
    switch (node.type) {
      case 'parenthesized_expression':
        return this.demand(firstExpression(node), mode, onRead);
      case 'variable_expression':
        return this.variable(node, mode, onRead);
      case 'select_expression':
        return this.select(node, onRead);
      case 'apply_expression':
        return this.apply(node, mode, onRead);
      case 'if_expression':
        return this.all(onRead, [
          [node.childForFieldName('condition'), WHNF],
          [node.childForFieldName('consequence'), mode],
          [node.childForFieldName('alternative'), mode],
        ]);
      case 'assert_expression':
        return this.all(onRead, [
          [node.childForFieldName('condition'), WHNF],
          [node.childForFieldName('body'), mode],
        ]);
      case 'let_expression':
      case 'with_expression':
        // Let values are reached through the names that use them; a `with` environment is
        // read only for names nothing else binds, which is not certain.
        return this.demand(node.childForFieldName('body'), mode, onRead);
      case 'binary_expression':
        return this.binary(node, mode, onRead);
      case 'unary_expression':
        return this.demand(node.childForFieldName('argument'), WHNF, onRead);
      case 'has_attr_expression':
        return this.demand(node.childForFieldName('expression'), WHNF, onRead);
      case 'list_expression': {
        const elem = elementMode(mode.kind === 'module' ? MODULE_LIST : mode);
        return this.all(
          onRead,
          node.namedChildren.map((c) => [c, elem]),
        );
      }
      case 'attrset_expression':
      case 'rec_attrset_expression':
        return this.attrset(node, mode, onRead);
      case 'function_expression':
        return mode.kind === 'module' ? this.moduleFunction(node, onRead) : false;
      case 'string_expression':
      case 'indented_string_expression':
      case 'path_expression':
      case 'hpath_expression':
        // A string or path is forced whole: every interpolation is evaluated.
        return this.all(
          onRead,
          node.namedChildren.flatMap((c): Part[] =>
            c?.type === 'interpolation' ? [[interpolated(c), DEEP]] : [],
          ),
        );
      default:
        return false;
    }
  }

  private all(onRead: OnRead, parts: Part[]): boolean {
    let found = false;
    for (const [n, m] of parts) if (this.demand(n, m, onRead)) found = true;
    return found;
  }

  private variable(node: Node, mode: Mode, onRead: OnRead): boolean {
    const r = this.scopes.resolve(node);
    if (r?.kind !== 'binding') return false;
    const b = r.binding;
    if (this.isConfig(b)) {
      onRead({ node });
      return true;
    }
    const watched = this.watched.get(b);
    if (watched) {
      this.watched.set(b, join(watched, mode));
      return false;
    }
    if (this.aliasReads(b, mode)) {
      onRead({ node, alias: b.name });
      return true;
    }
    return false;
  }

  /**
   * `config.a.b`, `args.config.a`, `cfg.name`: the selected set is forced to WHNF. What the
   * attribute holds is not followed (which binding of a set it is is not tracked).
   */
  private select(node: Node, onRead: OnRead): boolean {
    const base = node.childForFieldName('expression');
    const path = node.childForFieldName('attrpath');
    if (base?.type === 'variable_expression') {
      const r = this.scopes.resolve(base);
      const b = r?.kind === 'binding' ? r.binding : undefined;
      const first = path ? attrpathSegments(path)[0]?.name : undefined;
      if (b && (this.isConfig(b) || (this.isModulePattern(b) && first === 'config'))) {
        onRead({ node });
        return true;
      }
    }
    // Dynamic attribute names are forced too; the `or` default only when the attribute is missing.
    const names = (path?.namedChildren ?? []).filter((s) => s?.type === 'interpolation');
    return this.all(onRead, [[base, WHNF], ...names.map((s): Part => [interpolated(s), DEEP])]);
  }

  private binary(node: Node, mode: Mode, onRead: OnRead): boolean {
    const op = node.childForFieldName('operator')?.type;
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    switch (op) {
      case '++':
        return this.all(onRead, [
          [left, mode.kind === 'list' ? mode : list(elementMode(mode))],
          [right, mode.kind === 'list' ? mode : list(elementMode(mode))],
        ]);
      case '+':
      case '==':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=':
        // String and path concatenation and comparison evaluate both sides in full.
        return this.all(onRead, [
          [left, DEEP],
          [right, DEEP],
        ]);
      default:
        // `//`, `&&`, `||`, `->`, arithmetic: both operands to WHNF.
        return this.all(onRead, [
          [left, WHNF],
          [right, WHNF],
        ]);
    }
  }

  private attrset(node: Node, mode: Mode, onRead: OnRead): boolean {
    const parts: Part[] = [];
    const set = node.namedChildren.find((c) => c?.type === 'binding_set');
    for (const b of set?.namedChildren ?? []) {
      if (b?.type !== 'binding') continue;
      const ap = b.childForFieldName('attrpath');
      const first = ap?.namedChildren[0];
      if (!first) continue;
      // The names of a set are forced with it; only the first key of a path is a name of this set.
      if (first.type === 'interpolation') parts.push([interpolated(first), DEEP]);
      else if (first.type === 'string_expression') parts.push([first, DEEP]);
      const name = attrpathSegments(ap as Node)[0]?.name;
      const single = (ap as Node).namedChildren.length === 1;
      const valueMode =
        mode.kind === 'deep'
          ? DEEP
          : mode.kind === 'module' && name && single
            ? (MODULE_KEYS[name] ?? LAZY)
            : LAZY;
      parts.push([b.childForFieldName('expression'), valueMode]);
    }
    return this.all(onRead, parts);
  }

  /** An inline module function: called with lazy arguments, its result loaded as a module. */
  private moduleFunction(node: Node, onRead: OnRead): boolean {
    this.moduleFunctions.add(node.id);
    return this.demand(node.childForFieldName('body'), MODULE, onRead);
  }

  private apply(node: Node, mode: Mode, onRead: OnRead): boolean {
    const args: Node[] = [];
    let fn: Node | null = node;
    while (fn?.type === 'apply_expression') {
      const arg = fn.childForFieldName('argument');
      if (arg) args.unshift(arg);
      fn = fn.childForFieldName('function');
    }
    while (fn?.type === 'parenthesized_expression') fn = firstExpression(fn);
    if (!fn) return false;
    const name = this.libraryName(fn);
    // `import ./x.nix { … }`: a known function applied to its own arguments, whose result
    // is then called with the rest (unknown, so lazy).
    for (let k = args.length; name && k > 0; k--) {
      const known = this.knownCall(name, args.slice(0, k), k === args.length ? mode : WHNF, onRead);
      if (known !== undefined) return known;
    }
    // An unknown function: it is called, so it is forced; what it does with its arguments is unknown.
    return this.demand(fn, WHNF, onRead);
  }

  /**
   * Calls whose strictness is known: undefined when `name` with this many arguments is not
   * one of them. The library functions that wrap a value (`mkIf`, `mkDefault`, …) and the
   * option-module builders are not listed: they force nothing of their arguments, like any
   * unknown function here.
   */
  private knownCall(name: string, args: Node[], mode: Mode, onRead: OnRead): boolean | undefined {
    const [a, b] = args;
    const n = args.length;
    switch (`${name}/${n}`) {
      case 'optional/2':
        return this.all(onRead, [
          [a, WHNF],
          [b, elementMode(mode)],
        ]);
      case 'optionals/2':
        return this.all(onRead, [
          [a, WHNF],
          [b, mode.kind === 'list' ? mode : list(elementMode(mode))],
        ]);
      case 'map/2':
      case 'concatMap/2':
      case 'filter/2': {
        const bodyMode = name === 'filter' ? WHNF : name === 'map' ? elementMode(mode) : mode;
        const { found, argMode } = this.lambdaBody(a as Node, bodyMode, onRead);
        const listMode = list(name === 'filter' ? join(argMode, elementMode(mode)) : argMode);
        return this.demand(b, listMode, onRead) || found;
      }
      case 'concatLists/1':
      case 'flatten/1':
        return this.demand(a, list(mode.kind === 'list' ? mode : list(elementMode(mode))), onRead);
      case 'attrValues/1':
      case 'attrNames/1':
      case 'length/1':
        return this.demand(a, WHNF, onRead);
      case 'import/1':
      case 'toString/1':
      case 'readDir/1':
      case 'pathExists/1':
      case 'listFilesRecursive/1':
        return this.demand(a, DEEP, onRead);
      default:
        return undefined;
    }
  }

  /** The body of `x: body` forced to `mode`, and how far that forces `x`. */
  private lambdaBody(fn: Node, mode: Mode, onRead: OnRead): { found: boolean; argMode: Mode } {
    let f: Node | null = fn;
    while (f?.type === 'parenthesized_expression') f = firstExpression(f);
    if (f?.type !== 'function_expression' || f.childForFieldName('formals')) {
      return { found: this.demand(fn, WHNF, onRead), argMode: LAZY };
    }
    const id = f.childForFieldName('universal');
    const arg = id ? this.scopes.bindingOf(id) : undefined;
    if (arg) this.watched.set(arg, LAZY);
    const found = this.demand(f.childForFieldName('body'), mode, onRead);
    const argMode = (arg && this.watched.get(arg)) ?? LAZY;
    if (arg) this.watched.delete(arg);
    return { found, argMode };
  }

  /** Does forcing this let (or rec) binding's value to `mode` read config? */
  private aliasReads(b: Binding, mode: Mode): boolean {
    if (b.kind !== 'let' && b.kind !== 'rec') return false;
    const key = `${b.identifier.id}:${modeKey(mode)}`;
    const memo = this.aliasMemo.get(key);
    if (memo !== undefined) return memo;
    this.aliasMemo.set(key, false);
    const quiet: OnRead = () => {};
    const d = b.declaration;
    let found = false;
    if (d.type === 'binding') {
      // `let a.b = …;` binds a set: its value as written is below the first key, so WHNF of `a` forces nothing of it.
      const single = (d.childForFieldName('attrpath')?.namedChildren.length ?? 0) === 1;
      found = single && this.demand(d.childForFieldName('expression'), mode, quiet);
    } else if (d.type === 'inherit_from') {
      found = this.demand(d.childForFieldName('expression'), WHNF, quiet);
    }
    this.aliasMemo.set(key, found);
    return found;
  }

  /** The `config` formal of a function the module system calls. */
  private isConfig(b: Binding): boolean {
    return b.kind === 'formal' && b.name === 'config' && this.moduleFunctions.has(b.scope.node.id);
  }

  /** The `args` of `args@{ … }:` of a module function (`args.config` is config). */
  private isModulePattern(b: Binding): boolean {
    return b.kind === 'pattern' && this.moduleFunctions.has(b.scope.node.id);
  }

  /**
   * The name of a library function: `lib.x`, `lib.lists.x`, `builtins.x`, `pkgs.lib.x`, or a
   * bare name that is a Nix builtin, comes from a `with`, or is inherited from `lib` or
   * `builtins`. Anything else (a local function, `mylib.x`) is unknown.
   */
  private libraryName(fn: Node): string | undefined {
    if (fn.type === 'select_expression') {
      if (fn.childForFieldName('default')) return undefined;
      const base = fn.childForFieldName('expression');
      const segs = attrpathSegments(fn.childForFieldName('attrpath') as Node).map((s) => s.name);
      if (base?.type !== 'variable_expression' || segs.some((s) => s === undefined)) return undefined;
      const root = [base.text, ...segs];
      const lib = root[0] === 'pkgs' ? root.slice(1) : root;
      if (lib[0] !== 'lib' && lib[0] !== 'builtins') return undefined;
      return lib[lib.length - 1];
    }
    if (fn.type !== 'variable_expression') return undefined;
    const r = this.scopes.resolve(fn);
    if (!r) return undefined;
    if (r.kind === 'builtin' || r.kind === 'with') return r.name;
    if (r.kind !== 'binding' || r.binding.inherit !== 'from') return undefined;
    const from = r.binding.declaration.childForFieldName('expression')?.text.split('.')[0];
    return from === 'lib' || from === 'builtins' ? r.name : undefined;
  }
}

/** The expression of `${…}`. */
function interpolated(node: Node | null): Node | null {
  return node?.childForFieldName('expression') ?? firstExpression(node);
}

function firstExpression(n: Node | null | undefined): Node | null {
  for (const c of n?.namedChildren ?? []) {
    if (c && c.type !== 'comment') return c;
  }
  return null;
}
