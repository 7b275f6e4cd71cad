// Is a file a NixOS module, and what does it define? Follows lib/modules.nix
// (`unifyModuleSyntax`): a module with a top-level `config` or `options` defines only what
// is under `config` (plus `meta`); any other top-level key there is an error in Nix
// ("has an unsupported attribute"). Without them (the shorthand form) every top-level key
// is a definition except the module system's own keys.
import type { Node, Tree } from 'web-tree-sitter';
import {
  type AttrDefinition,
  attrpathSegments,
  attrsetDefinitions,
  childOfType,
  type PathSegment,
  unwrapValue,
} from './attrpaths.js';
import { bindingsComplete, forEachBinding, plainKey } from './bindings-of.js';
import type { NixFile } from './file.js';
import { attrName } from './names.js';
import { analyzeScopes, type ScopeAnalysis } from './scopes.js';

/** Top-level keys the module system consumes itself in the shorthand form (never definitions). */
export const SHORTHAND_RESERVED = [
  '_class',
  '_file',
  'key',
  'disabledModules',
  'require',
  'imports',
  'freeformType',
];
/** Top-level keys allowed next to `config`/`options`; `meta` among them is a definition. */
export const EXPLICIT_ALLOWED = [
  '_class',
  '_file',
  'key',
  'disabledModules',
  'imports',
  'options',
  'config',
  'meta',
  'freeformType',
];

/** Arguments the module system passes to every module function. */
export const MODULE_ARGS = ['config', 'lib', 'pkgs', 'options', 'modulesPath', 'specialArgs'];

export interface ModuleArg {
  name: string;
  /** The formal node (`config`, `lib ? …`). */
  formal: Node;
  identifier: Node;
}

export interface ModuleInfo {
  isModule: boolean;
  /** The module function (`{ config, lib, ... }: { … }`), when the module is one. */
  function: Node | undefined;
  /** Its formals, in order. */
  args: ModuleArg[];
  /** True when the formals end in `...`. */
  ellipsis: boolean;
  /** The attrset the module evaluates to (through let/with/parentheses). */
  rootAttrset: Node | undefined;
  /** 'explicit' when a top-level `config` or `options` exists, else 'shorthand'. */
  form: 'explicit' | 'shorthand';
  /** Value nodes of top-level `imports` bindings (normally one list). */
  imports: Node[];
  /** Option declarations under `options`, paths relative to `options`. */
  options: AttrDefinition[];
  /** Config definitions, paths from the config root (`config.` dropped in the explicit form). */
  definitions: AttrDefinition[];
  /** Explicit form only: top-level keys other than config/options/imports/…, which Nix rejects. */
  unsupported: AttrDefinition[];
}

const memo = new WeakMap<Tree, ModuleInfo>();

/** Module facts of a file, computed once per parsed tree. */
export function moduleInfo(file: NixFile): ModuleInfo {
  let info = memo.get(file.tree);
  if (!info) {
    const root = file.root.childForFieldName('expression') ?? firstNamed(file.root);
    info = root ? analyzeModule(root, () => analyzeScopes(file.tree)) : notAModule();
    memo.set(file.tree, info);
  }
  return info;
}

function firstNamed(node: Node): Node | undefined {
  for (const c of node.namedChildren) {
    if (c && c.type !== 'comment') return c;
  }
  return undefined;
}

function notAModule(): ModuleInfo {
  return {
    isModule: false,
    function: undefined,
    args: [],
    ellipsis: false,
    rootAttrset: undefined,
    form: 'shorthand',
    imports: [],
    options: [],
    definitions: [],
    unsupported: [],
  };
}

/** One of the module system's argument names, or `...`, marks a function it would call. */
function looksLikeModuleFunction(fn: Node): boolean {
  const formals = fn.childForFieldName('formals');
  if (!formals) return false;
  // The module system passes every argument itself: a default (`lib ? import <nixpkgs/lib>`)
  // marks a function someone calls by hand (`import ./x { }`, callPackage), not a module.
  if (formals.namedChildren.some((f) => f?.type === 'formal' && f.childForFieldName('default'))) return false;
  if (childOfType(formals, 'ellipses') !== undefined) return true;
  for (const formal of formals.namedChildren) {
    const id = formal?.type === 'formal' ? formal.childForFieldName('name') : null;
    if (id && MODULE_ARGS.includes(id.text)) return true;
  }
  return false;
}

/** `{ lib, ... }: assert …; { … }`: a library or package function checks its inputs, a module does not. */
function assertsFirst(fn: Node): boolean {
  let n = fn.childForFieldName('body');
  while (n?.type === 'parenthesized_expression' || n?.type === 'let_expression')
    n =
      n.type === 'let_expression'
        ? n.childForFieldName('body')
        : (n.namedChildren.find((c) => c?.type !== 'comment') ?? null);
  return n?.type === 'assert_expression';
}

/** The function a module expression is, when it takes formals (`{ … }:` or `args@{ … }:`). */
export function moduleFunctionOf(expression: Node): Node | undefined {
  const e = unwrapValue(expression);
  return e.type === 'function_expression' && e.childForFieldName('formals') ? e : undefined;
}

/**
 * Module facts of any expression (a file's root, or an inline module in `imports`): a
 * function of formals returning an attrset, or an attrset with `imports`/`options`/`config`.
 */
export function analyzeModule(
  expression: Node,
  /** Scopes resolve bare `mkIf` & co; a function defers the analysis until paths are asked for. */
  scopes?: ScopeAnalysis | (() => ScopeAnalysis),
  /** Where the context says it is a module (an element of `imports`): any attrset counts. */
  known = false,
): ModuleInfo {
  const info = notAModule();
  const fn = moduleFunctionOf(expression);
  const body = unwrapValue(fn ? (fn.childForFieldName('body') ?? fn) : expression);
  if (body.type !== 'attrset_expression' && body.type !== 'rec_attrset_expression') return info;
  const keys = topLevelKeys(body);
  const explicit = keys.some((k) => k.name === 'config' || k.name === 'options');
  if (!known && !explicit && !keys.some((k) => k.name === 'imports')) {
    // A bare attrset, or a function that does not look like one the module system calls
    // (`{ a, b }: { … }` is a library function, not a module), is left to the general rules.
    if (!fn || !looksLikeModuleFunction(fn) || assertsFirst(fn)) return info;
  }

  info.isModule = true;
  info.rootAttrset = body;
  info.form = explicit ? 'explicit' : 'shorthand';
  for (const k of keys) {
    if ((k.name === 'imports' || k.name === 'require') && k.value) info.imports.push(k.value);
  }
  if (fn) {
    info.function = fn;
    const formals = fn.childForFieldName('formals');
    if (formals) {
      info.ellipsis = childOfType(formals, 'ellipses') !== undefined;
      for (const formal of formals.namedChildren) {
        const id = formal?.type === 'formal' ? formal.childForFieldName('name') : null;
        if (formal && id && !id.isMissing) info.args.push({ name: id.text, formal, identifier: id });
      }
    }
  }
  // The paths are the costly part and most rules only need to know that this is a module.
  let classified: Pick<ModuleInfo, 'definitions' | 'options' | 'unsupported'> | undefined;
  const classify = () => {
    const resolved = typeof scopes === 'function' ? scopes() : scopes;
    classified ??= classifyDefinitions(attrsetDefinitions(body, { scopes: resolved }), explicit);
    return classified;
  };
  Object.defineProperties(info, {
    definitions: { get: () => classify().definitions, enumerable: true },
    options: { get: () => classify().options, enumerable: true },
    unsupported: { get: () => classify().unsupported, enumerable: true },
  });
  return info;
}

/**
 * First names of the bindings of an attrset, with the value when the binding is just that
 * name and the name is `imports` or `require` (the only values read).
 */
function topLevelKeys(attrset: Node): { name: string | undefined; value: Node | undefined }[] {
  const out: { name: string | undefined; value: Node | undefined }[] = [];
  const importsValue = (b: Node, names: readonly (string | undefined)[]) =>
    names.length === 1 && (names[0] === 'imports' || names[0] === 'require')
      ? (b.childForFieldName('expression') ?? undefined)
      : undefined;
  const inherited = (b: Node) => {
    for (const attr of b.childForFieldName('attrs')?.namedChildren ?? []) {
      if (attr && attr.type !== 'comment') out.push({ name: attrName(attr), value: undefined });
    }
  };
  if (bindingsComplete(attrset.tree)) {
    // Without syntax errors: bindings from the node index, plain keys read from the text.
    const text = attrset.text;
    const base = attrset.startIndex;
    forEachBinding(attrset, (b, kind) => {
      if (kind !== 'binding') return inherited(b);
      const names =
        plainKey(text, b.startIndex - base) ??
        attrpathSegments(b.childForFieldName('attrpath') as Node).map((s) => s.name);
      out.push({ name: names[0], value: importsValue(b, names) });
    });
    return out;
  }
  const set = childOfType(attrset, 'binding_set');
  for (const b of set?.namedChildren ?? []) {
    if (b?.type === 'binding') {
      const attrpath = b.childForFieldName('attrpath');
      const names = attrpath ? attrpathSegments(attrpath).map((s) => s.name) : [];
      out.push({ name: names[0], value: importsValue(b, names) });
    } else if (b?.type === 'inherit' || b?.type === 'inherit_from') inherited(b);
  }
  return out;
}

function classifyDefinitions(
  top: AttrDefinition[],
  explicit: boolean,
): Pick<ModuleInfo, 'definitions' | 'options' | 'unsupported'> {
  const out: Pick<ModuleInfo, 'definitions' | 'options' | 'unsupported'> = {
    definitions: [],
    options: [],
    unsupported: [],
  };
  for (const d of top) {
    const name = d.segments[0]?.name;
    if (name === 'imports' || (name === 'require' && !explicit)) continue;
    if (name === 'options') {
      if (d.segments.length > 1) out.options.push(dropFirst(d));
      continue;
    }
    if (explicit) {
      if (name === 'config') {
        if (d.segments.length > 1) out.definitions.push(dropFirst(d));
      } else if (name === 'meta') out.definitions.push(d);
      else if (name === undefined || !EXPLICIT_ALLOWED.includes(name)) out.unsupported.push(d);
    } else if (name === undefined || !SHORTHAND_RESERVED.includes(name)) {
      out.definitions.push(d);
    }
  }
  return out;
}

function dropFirst(d: AttrDefinition): AttrDefinition {
  return { ...d, segments: d.segments.slice(1) as PathSegment[] };
}

/**
 * Modules written inline in a module's `imports` list (`imports = [ ./a.nix { … } ({ lib, ... }: { … }) ]`),
 * in source order; paths and other expressions are skipped.
 */
export function inlineModules(
  info: ModuleInfo,
  scopes?: ScopeAnalysis | (() => ScopeAnalysis),
): ModuleInfo[] {
  const out: ModuleInfo[] = [];
  for (const value of info.imports) {
    const list = unwrapValue(value);
    if (list.type !== 'list_expression') continue;
    for (const element of list.namedChildren) {
      if (!element || element.type === 'comment') continue;
      const m = analyzeModule(element, scopes, true);
      if (m.isModule) out.push(m);
    }
  }
  return out;
}
