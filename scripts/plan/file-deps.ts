// What one Nix file contributes to the import graph, read from its syntax tree: the paths it
// refers to (with whether each is imported as Nix or used as data, and for the flake, which
// literal host it belongs to), whether the flake uses `self` (then any file of the repository
// can matter), the role it gates its config on, and the roles it enables.
import type { Node } from 'web-tree-sitter';
import { type PathRef, treeFacts } from '../fleet/facts.js';
import { walkNodes } from '../nix-ast/cursor-walk.js';
import {
  analyzeModule,
  analyzeScopes,
  attrpathSegments,
  parseNix,
  staticPath,
  unwrapValue,
  unwrapWrappers,
  wrapperCall,
} from '../nix-ast/index.js';

export type DepRef = PathRef & {
  /** `import`: in `imports`/`modules`, or the argument of `import`/`callPackage`; a folder means its default.nix. */
  context: 'import' | 'data';
  /** Flake only: the literal `nixosConfigurations.<host>` this path is written under. */
  host?: string;
};

/** `config = lib.mkIf cfg.enable { … }` where `cfg` is `config.tappaas.roles.<role>`. */
export interface RoleGate {
  role: string;
  /** The file's text with the gated body cut out: equal at base and head means only the body changed. */
  outside: string;
  /** Attribute paths defined in the body, sorted: Nix evaluates these names even when the role is off. */
  keys: string[];
}

export interface RoleEnable {
  role: string;
  /** `tappaas.roles.<role>.enable = true` literally (else computed: who enables it is unknown). */
  literal: boolean;
}

export interface FileDeps {
  file: string;
  parsed: boolean;
  refs: DepRef[];
  /** Flake only: `self` is used, so the whole source tree is an input of every host. */
  usesSelf: boolean;
  roleGate?: RoleGate;
  roleEnables: RoleEnable[];
}

const IMPORT_FUNCTIONS = new Set(['import', 'callPackage', 'scopedImport']);
const IMPORT_LISTS = new Set(['imports', 'modules']);

export async function fileDeps(
  file: string,
  source: string,
  opts: { flake?: boolean } = {},
): Promise<FileDeps> {
  // A relative path literal always contains "./" (`./x`, `../x`, `./.`), and role facts need
  // "tappaas": a file with neither refers to no file and enables no role, whatever its syntax.
  // Most host and hardware files are such leaves; not parsing them halves a plan's start.
  if (!opts.flake && !source.includes('./') && !source.includes('tappaas'))
    return { file, parsed: true, refs: [], usesSelf: false, roleEnables: [] };
  const tree = await parseNix(source);
  try {
    const facts = treeFacts(file, tree, { flake: opts.flake });
    const root = tree.rootNode;
    const contexts = new Map<string, 'import' | 'data'>();
    const hostSpans = opts.flake ? literalHostSpans(root) : [];
    const hostAt = new Map<string, string>();
    let usesSelf = false;
    walkNodes(
      root,
      (node) => {
        if (node.type === 'path_expression') {
          const key = posKey(node);
          contexts.set(key, importContext(node) ? 'import' : 'data');
          const span = hostSpans.find((s) => node.startIndex >= s.start && node.endIndex <= s.end);
          if (span) hostAt.set(key, span.host);
        } else if (opts.flake && node.type === 'identifier' && node.text === 'self' && !inFormals(node)) {
          usesSelf = true;
        }
      },
      REFERENCE_NODES,
    );
    const refs: DepRef[] = facts.refs.map((r) => {
      const key = `${r.range.line}:${r.range.column}`;
      const host = hostAt.get(key);
      return { ...r, context: contexts.get(key) ?? 'data', ...(host ? { host } : {}) };
    });
    const out: FileDeps = { file, parsed: facts.parsed, refs, usesSelf, roleEnables: [] };
    if (opts.flake) return out;
    const expression =
      root.childForFieldName('expression') ?? root.namedChildren.find((c) => c?.type !== 'comment');
    if (!expression) return out;
    const scopes = analyzeScopes(tree);
    const info = analyzeModule(expression, scopes, true);
    for (const d of info.definitions) {
      const path = staticPath(d.segments);
      if (path?.length !== 4 || path[0] !== 'tappaas' || path[1] !== 'roles' || path[3] !== 'enable')
        continue;
      const value = d.value ? unwrapWrappers(d.value, scopes) : undefined;
      const literal = !d.conditional && value?.type === 'variable_expression' && value.text === 'true';
      out.roleEnables.push({ role: path[2]!, literal });
    }
    if (info.rootAttrset) {
      const gate = roleGate(info.rootAttrset, root, scopes);
      if (gate) out.roleGate = gate;
    }
    return out;
  } finally {
    tree.delete();
  }
}

function posKey(node: Node): string {
  return `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

const REFERENCE_NODES = new Set(['path_expression', 'identifier']);
const BINDING_NODES = new Set(['binding']);

function inFormals(node: Node): boolean {
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (n.type === 'formals') return true;
    if (n.type === 'function_expression') return false;
  }
  return false;
}

/** Is this path imported as Nix (a module, `import`, `callPackage`) rather than used as data? */
function importContext(path: Node): boolean {
  let n = path;
  // `./hardware + "/${name}-hw.nix"`: the sum is the value.
  if (n.parent?.type === 'binary_expression' && n.parent.childForFieldName('left')?.id === n.id) n = n.parent;
  for (;;) {
    const p = n.parent;
    if (!p) return false;
    if (p.type === 'parenthesized_expression' || p.type === 'list_expression') {
      n = p;
      continue;
    }
    if (p.type === 'binary_expression' && p.childForFieldName('operator')?.text === '++') {
      n = p;
      continue;
    }
    if (p.type === 'apply_expression' && p.childForFieldName('argument')?.id === n.id) {
      const fn = p.childForFieldName('function');
      return fn !== null && IMPORT_FUNCTIONS.has(lastName(fn) ?? '');
    }
    if (p.type === 'binding' && n.type === 'list_expression') {
      const attrpath = p.childForFieldName('attrpath');
      const segments = attrpath ? attrpathSegments(attrpath) : [];
      return IMPORT_LISTS.has(segments[segments.length - 1]?.name ?? '');
    }
    return false;
  }
}

function lastName(fn: Node): string | undefined {
  if (fn.type === 'variable_expression') return fn.text;
  if (fn.type !== 'select_expression') return undefined;
  const attrpath = fn.childForFieldName('attrpath');
  const segments = attrpath ? attrpathSegments(attrpath) : [];
  return segments[segments.length - 1]?.name;
}

/** Byte spans of `nixosConfigurations.<host> = …` and `nixosConfigurations = { <host> = …; }`. */
function literalHostSpans(root: Node): { start: number; end: number; host: string }[] {
  const spans: { start: number; end: number; host: string }[] = [];
  walkNodes(
    root,
    (node) => {
      if (node.type !== 'binding') return;
      const attrpath = node.childForFieldName('attrpath');
      const segments = attrpath ? attrpathSegments(attrpath) : [];
      const at = segments.findIndex((s) => s.name === 'nixosConfigurations');
      if (at < 0) return;
      const value = node.childForFieldName('expression');
      if (!value) return;
      const next = segments[at + 1];
      if (next) {
        if (next.name !== undefined)
          spans.push({ start: value.startIndex, end: value.endIndex, host: next.name });
        return;
      }
      const set = unwrapValue(value);
      if (set.type !== 'attrset_expression' && set.type !== 'rec_attrset_expression') return;
      const bindings = set.namedChildren.find((c) => c?.type === 'binding_set');
      for (const b of bindings?.namedChildren ?? []) {
        if (b?.type !== 'binding') continue;
        const path = b.childForFieldName('attrpath');
        const first = path ? attrpathSegments(path)[0] : undefined;
        const inner = b.childForFieldName('expression');
        if (first?.name !== undefined && inner)
          spans.push({ start: inner.startIndex, end: inner.endIndex, host: first.name });
      }
    },
    BINDING_NODES,
  );
  return spans;
}

const ROLE_PATH = /^config\.tappaas\.roles\.([A-Za-z0-9_'-]+)$/;

function roleGate(attrset: Node, root: Node, scopes: ReturnType<typeof analyzeScopes>): RoleGate | undefined {
  const set = attrset.namedChildren.find((c) => c?.type === 'binding_set');
  const config = set?.namedChildren.find((b) => {
    if (b?.type !== 'binding') return false;
    const path = b.childForFieldName('attrpath');
    const segments = path ? attrpathSegments(path) : [];
    return segments.length === 1 && segments[0]!.name === 'config';
  });
  const value = config?.childForFieldName('expression');
  if (!value) return undefined;
  const call = wrapperCall(unwrapValue(value), scopes);
  if (call?.name !== 'mkIf') return undefined;
  const condition = call.args[0]!.text.replace(/\s+/g, '');
  let role = /^config\.tappaas\.roles\.([A-Za-z0-9_'-]+)\.enable$/.exec(condition)?.[1];
  if (!role) {
    const alias = /^([A-Za-z_][A-Za-z0-9_'-]*)\.enable$/.exec(condition)?.[1];
    if (!alias) return undefined;
    // `cfg = config.tappaas.roles.<role>;`, bound exactly once in the file.
    const found: string[] = [];
    walkNodes(
      root,
      (n) => {
        if (n.type !== 'binding') return;
        if (n.childForFieldName('attrpath')?.text !== alias) return;
        const m = ROLE_PATH.exec(n.childForFieldName('expression')?.text.replace(/\s+/g, '') ?? '');
        found.push(m?.[1] ?? '');
      },
      BINDING_NODES,
    );
    if (found.length !== 1 || !found[0]) return undefined;
    role = found[0];
  }
  const body = call.args[1]!;
  const keys: string[] = [];
  walkNodes(
    body,
    (n) => {
      if (n.type === 'binding') keys.push(n.childForFieldName('attrpath')?.text.replace(/\s+/g, '') ?? '');
    },
    BINDING_NODES,
  );
  return { role, outside: tokensOutside(root, body), keys: keys.sort() };
}

/** The file's tokens (comments included) with the gated body as one placeholder. */
function tokensOutside(root: Node, body: Node): string {
  const out: string[] = [];
  const visit = (n: Node) => {
    if (n.id === body.id) {
      out.push('\u0000');
      return;
    }
    if (n.childCount === 0) {
      out.push(n.text);
      return;
    }
    for (const c of n.children) if (c) visit(c);
  };
  visit(root);
  return out.join(' ');
}
