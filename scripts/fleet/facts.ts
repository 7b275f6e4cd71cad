// What the structure checks need to know about one fleet file, read from its syntax tree:
// the paths it refers to (imports, `import ./x.nix`, path literals, folders it reads), the
// roles and host name it sets, its `system.stateVersion`, and for the flake, the names of
// its `nixosConfigurations`. Nothing is evaluated; what is not spelled statically is
// reported as "generated" so that the checks stay silent rather than guess.
import { posix } from 'node:path';
import type { Node, Tree } from 'web-tree-sitter';
import { normalizePath } from '../config/fleet.js';
import { walkNodes } from '../nix-ast/cursor-walk.js';
import {
  analyzeModule,
  analyzeScopes,
  attrName,
  attrpathSegments,
  decodeString,
  INTERPOLATION,
  parseNix,
  rangeOf,
  type SourceRange,
  staticPath,
  stringValue,
  unwrapValue,
  unwrapWrappers,
} from '../nix-ast/index.js';

/**
 * A reference from one file to others. `path`: one file, or a folder (meaning its
 * `default.nix`). `folder`: every `.nix` file of a folder read with `builtins.readDir`.
 * `pattern`: the files of `dir` named `<prefix>…<suffix>` (`./hosts + "/${name}.nix"`).
 */
export type PathRef =
  | { kind: 'path'; target: string; range: SourceRange }
  | { kind: 'folder'; dir: string; range: SourceRange }
  | { kind: 'pattern'; dir: string; prefix: string; suffix: string; range: SourceRange };

export interface Located<T> {
  value: T;
  range: SourceRange;
}

export interface FlakeHosts {
  /** True when the names are computed (e.g. `lib.genAttrs hostNames mkHost`). */
  generated: boolean;
  /** Literal names, each where it is spelled. */
  names: Located<string>[];
  range: SourceRange;
}

export interface FileFacts {
  /** Repo-relative path. */
  file: string;
  /** False when the file does not parse cleanly; the lint reports it, the checks trust less. */
  parsed: boolean;
  refs: PathRef[];
  /** `networking.hostName` when set to a literal string. */
  hostName?: Located<string>;
  /** Roles enabled with `tappaas.roles.<role>.enable = true`. */
  roles: Located<string>[];
  /** `system.stateVersion` when set to a literal string. */
  stateVersion?: Located<string>;
  /** Flake only: its `nixosConfigurations`, when the file has them. */
  flakeHosts?: FlakeHosts;
}

export interface FactOptions {
  /** Read `nixosConfigurations` (the flake). */
  flake?: boolean;
}

export async function fileFacts(file: string, source: string, opts: FactOptions = {}): Promise<FileFacts> {
  const tree = await parseNix(source);
  try {
    return treeFacts(file, tree, opts);
  } finally {
    tree.delete();
  }
}

/** The facts of an already parsed file (the caller owns and deletes the tree). */
export function treeFacts(file: string, tree: Tree, opts: FactOptions = {}): FileFacts {
  const root = tree.rootNode;
  const facts: FileFacts = { file, parsed: !root.hasError, refs: [], roles: [] };
  const dir = posix.dirname(file);
  walkNodes(root, (node) => {
    if (node.type === 'path_expression') {
      const ref = pathRef(node, dir);
      if (ref) facts.refs.push(ref);
    }
  });
  if (opts.flake) {
    facts.flakeHosts = flakeHosts(root);
    return facts;
  }
  const expression =
    root.childForFieldName('expression') ?? root.namedChildren.find((c) => c?.type !== 'comment');
  if (!expression) return facts;
  // In the fleet every file reached from the flake is a module, even a bare attrset.
  const scopes = analyzeScopes(tree);
  const info = analyzeModule(expression, scopes, true);
  for (const d of info.definitions) {
    const path = staticPath(d.segments);
    if (!path || !d.value) continue;
    // `lib.mkDefault "25.05"` and `("25.05")` are the value "25.05" for our purposes.
    const value = unwrapWrappers(d.value, scopes);
    const at = rangeOf(d.key);
    if (path.length === 4 && path[0] === 'tappaas' && path[1] === 'roles' && path[3] === 'enable') {
      if (value.type === 'variable_expression' && value.text === 'true')
        facts.roles.push({ value: path[2]!, range: at });
    } else if (path.join('.') === 'networking.hostName') {
      const s = stringValue(value);
      if (s !== undefined) facts.hostName = { value: s, range: rangeOf(value) };
    } else if (path.join('.') === 'system.stateVersion') {
      const s = stringValue(value);
      if (s !== undefined) facts.stateVersion = { value: s, range: rangeOf(value) };
    }
  }
  return facts;
}

/** Static text of a path or string literal up to its first interpolation, and after its last. */
function splitParts(node: Node): { head: string; tail: string; dynamic: boolean } | undefined {
  if (node.type === 'string_expression') {
    // A string's text is its value as Nix decodes it (escapes), not its spelling.
    const d = decodeString(node);
    if (!d) return undefined;
    const first = d.text.indexOf(INTERPOLATION);
    if (first === -1) return { head: d.text, tail: '', dynamic: false };
    return {
      head: d.text.slice(0, first),
      tail: d.text.slice(d.text.lastIndexOf(INTERPOLATION) + 1),
      dynamic: true,
    };
  }
  let head = '';
  let tail = '';
  let dynamic = false;
  for (const part of node.namedChildren) {
    if (!part) continue;
    if (part.type === 'interpolation') {
      dynamic = true;
      tail = '';
    } else if (dynamic) tail += part.text;
    else head += part.text;
  }
  return { head, tail, dynamic };
}

function resolveFrom(dir: string, relative: string): string | undefined {
  const target = normalizePath(posix.join(dir === '.' ? '' : dir, relative));
  return target.startsWith('..') ? undefined : target;
}

/** The file reference a path literal makes, relative to the file's folder `dir`; undefined for `/abs`, `~/x`, `<x>`. */
export function pathRef(node: Node, dir: string): PathRef | undefined {
  const range = rangeOf(node);
  const parts = splitParts(node);
  if (!parts) return undefined;
  const { head, tail, dynamic } = parts;
  // Only paths relative to the file: `/etc/x`, `~/x` and `<nixpkgs>` are outside the fleet.
  if (!head.startsWith('./') && !head.startsWith('../') && head !== '.' && head !== '..') return undefined;
  if (dynamic) {
    // `./hosts/${name}.nix`: the folder part is static, the name is a pattern.
    const slash = head.lastIndexOf('/');
    const folder = resolveFrom(dir, head.slice(0, slash + 1) || '.');
    if (folder === undefined) return undefined;
    return { kind: 'pattern', dir: folder, prefix: head.slice(slash + 1), suffix: tail, range };
  }
  const target = resolveFrom(dir, head);
  if (target === undefined) return undefined;
  const parent = node.parent;
  // `./nix/hardware + "/${name}-hw.nix"` (the form the guide's flake uses).
  if (parent?.type === 'binary_expression' && parent.childForFieldName('left')?.id === node.id) {
    const right = parent.childForFieldName('right');
    if (right?.type === 'string_expression' && parent.childForFieldName('operator')?.text === '+') {
      const parts = splitParts(right);
      if (!parts) return undefined;
      if (!parts.dynamic) {
        const joined = resolveFrom(dir, `${head}${parts.head}`);
        return joined === undefined ? undefined : { kind: 'path', target: joined, range };
      }
      const rest = `${head}${parts.head}`;
      const slash = rest.lastIndexOf('/');
      const folder = resolveFrom(dir, rest.slice(0, slash + 1) || '.');
      if (folder === undefined) return undefined;
      return { kind: 'pattern', dir: folder, prefix: rest.slice(slash + 1), suffix: parts.tail, range };
    }
  }
  if (isReadDirArgument(node)) return { kind: 'folder', dir: target, range };
  return { kind: 'path', target, range };
}

/** `builtins.readDir ./x`, `readDir ./x`, `lib.filesystem.listFilesRecursive ./x` and the like. */
function isReadDirArgument(node: Node): boolean {
  let n = node;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  const apply = n.parent;
  if (apply?.type !== 'apply_expression' || apply.childForFieldName('argument')?.id !== n.id) return false;
  const fn = apply.childForFieldName('function');
  const name =
    fn?.type === 'select_expression'
      ? lastName(fn)
      : fn?.type === 'variable_expression'
        ? fn.text
        : undefined;
  return name === 'readDir' || name === 'listFilesRecursive' || name === 'filesInDir';
}

function lastName(select: Node): string | undefined {
  const path = select.childForFieldName('attrpath');
  const segments = path ? attrpathSegments(path) : [];
  return segments[segments.length - 1]?.name;
}

/** Every spelling of `nixosConfigurations` in the flake: a set of names, dotted names, or computed. */
function flakeHosts(root: Node): FlakeHosts | undefined {
  let found: FlakeHosts | undefined;
  walkNodes(root, (node) => {
    if (node.type !== 'binding') return;
    const attrpath = node.childForFieldName('attrpath');
    if (!attrpath) return;
    const segments = attrpathSegments(attrpath);
    const at = segments.findIndex((s) => s.name === 'nixosConfigurations');
    if (at < 0) return;
    found ??= { generated: false, names: [], range: rangeOf(segments[at]!.node) };
    const next = segments[at + 1];
    if (next) {
      if (next.name === undefined) found.generated = true;
      else found.names.push({ value: next.name, range: rangeOf(next.node) });
      return;
    }
    const value = node.childForFieldName('expression');
    const set = value ? unwrapValue(value) : undefined;
    if (set?.type !== 'attrset_expression' && set?.type !== 'rec_attrset_expression') {
      found.generated = true;
      return;
    }
    const bindings = set.namedChildren.find((c) => c?.type === 'binding_set');
    for (const b of bindings?.namedChildren ?? []) {
      if (b?.type === 'binding') {
        const first = b.childForFieldName('attrpath')?.namedChildren.find((c) => c?.type !== 'comment');
        const name = first ? attrName(first) : undefined;
        if (name === undefined || !first) found.generated = true;
        else found.names.push({ value: name, range: rangeOf(first) });
      } else if (b?.type === 'inherit' || b?.type === 'inherit_from') {
        for (const attr of b.childForFieldName('attrs')?.namedChildren ?? []) {
          const name = attr ? attrName(attr) : undefined;
          if (attr && name !== undefined) found.names.push({ value: name, range: rangeOf(attr) });
        }
      }
    }
  });
  return found;
}
