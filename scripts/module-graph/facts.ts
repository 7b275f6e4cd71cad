// What one Nix file tells about the repository's module graph, read from its syntax alone:
// the files it refers to and where each reference sits (steps.ts), the top-level names of
// the options it declares, and for the flake its inputs. Plain JSON, so it can be cached by
// path and blob. Nothing is evaluated.
import type { Node, Tree } from 'web-tree-sitter';
import { type PathRef, pathRef } from '../fleet/facts.js';
import { attrpathSegments, unwrapValue } from '../nix-ast/attrpaths.js';
import { nodesOfKinds, shareKinds } from '../nix-ast/node-index.js';
import { parseNix } from '../nix-ast/parser.js';
import { stringValue } from '../nix-ast/strings.js';
import { type Step, stepsTo } from './steps.js';

/** A reference without its source range: where it points and how it is used. */
export type GraphRef = DistributiveOmit<PathRef, 'range'> & { steps: Step[] };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface FlakeInput {
  name: string;
  /** The flake reference (`github:Mic92/sops-nix`), when it is a literal string. */
  url?: string;
}

export interface ModuleFacts {
  refs: GraphRef[];
  /** First names of the options the file declares (`options.services.x` → `services`). */
  declares: string[];
  /** flake.nix only: its inputs. */
  inputs?: FlakeInput[];
}

const PATH_KINDS = ['path_expression'];
shareKinds(PATH_KINDS);

/** The facts of a file that refers to no file and declares nothing. */
export const EMPTY_FACTS: ModuleFacts = { refs: [], declares: [] };

/**
 * The facts of a file's text. A file with neither a relative path (`./`) nor the word
 * `options` refers to no file and declares nothing: it is not even parsed.
 */
export async function moduleFactsOf(file: string, source: string, opts: { flake?: boolean } = {}) {
  if (!hasFacts(source, opts)) return EMPTY_FACTS;
  const tree = await parseNix(source);
  try {
    return moduleFactsOfTree(file, tree, opts);
  } finally {
    tree.delete();
  }
}

/** Whether a text can have facts at all: a relative path, an option declaration, or the flake. */
export function hasFacts(source: string, opts: { flake?: boolean }): boolean {
  return opts.flake === true || source.includes('./') || source.includes('options');
}

/** The facts of an already parsed file (the caller owns the tree). */
export function moduleFactsOfTree(file: string, tree: Tree, opts: { flake?: boolean } = {}): ModuleFacts {
  const root = tree.rootNode;
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
  const refs: GraphRef[] = [];
  // From the lint walk's node index when the tree was linted, else found inside the wasm side
  // (a cursor walk would cross into it at every node).
  for (const node of nodesOfKinds(tree, PATH_KINDS).nodes) {
    const ref = pathRef(node, dir);
    if (!ref) continue;
    const { range: _range, ...rest } = ref;
    refs.push({ ...rest, steps: stepsTo(node) });
  }
  const facts: ModuleFacts = { refs, declares: [] };
  const expression =
    root.childForFieldName('expression') ?? root.namedChildren.find((c) => c?.type !== 'comment');
  if (!expression) return facts;
  if (opts.flake) {
    facts.inputs = flakeInputs(expression);
    return facts;
  }
  if (root.text.includes('options')) facts.declares = declaredNamespaces(expression);
  return facts;
}

/**
 * First names under `options` (`options.services.x = …`, `options = { services.x = …; }`) in
 * the module's attrset and in the inline modules of its `imports`. Read from the syntax of
 * those bindings only: declarations are not written under `mkIf`, and a full definition walk
 * would cost more than the rest of a file's facts.
 */
function declaredNamespaces(expression: Node): string[] {
  const names = new Set<string>();
  const body = moduleBody(expression);
  if (!body) return [];
  for (const b of bindingsOf(body)) {
    const segments = attrpathSegments(b.attrpath);
    const first = segments[0]?.name;
    if (first === 'options') {
      if (segments.length > 1) {
        if (segments[1]!.name !== undefined) names.add(segments[1]!.name);
      } else for (const n of firstNamesOf(b.value)) names.add(n);
    } else if (first === 'imports' && segments.length === 1) {
      const list = unwrapValue(b.value);
      if (list.type !== 'list_expression') continue;
      for (const element of list.namedChildren) {
        if (element && element.type !== 'comment')
          for (const n of declaredNamespacesInline(element)) names.add(n);
      }
    }
  }
  return [...names].sort();
}

function declaredNamespacesInline(element: Node): string[] {
  const body = moduleBody(element);
  if (!body) return [];
  const out: string[] = [];
  for (const b of bindingsOf(body)) {
    const segments = attrpathSegments(b.attrpath);
    if (segments[0]?.name !== 'options') continue;
    if (segments.length > 1) {
      if (segments[1]!.name !== undefined) out.push(segments[1]!.name);
    } else out.push(...firstNamesOf(b.value));
  }
  return out;
}

/** The attrset a module evaluates to: the body of its function, through let/with/parentheses. */
function moduleBody(expression: Node): Node | undefined {
  let e = unwrapValue(expression);
  if (e.type === 'function_expression') {
    const body = e.childForFieldName('body');
    if (!body) return undefined;
    e = unwrapValue(body);
  }
  return e.type === 'attrset_expression' || e.type === 'rec_attrset_expression' ? e : undefined;
}

function bindingsOf(set: Node): { attrpath: Node; value: Node }[] {
  const out: { attrpath: Node; value: Node }[] = [];
  const bindings = set.namedChildren.find((c) => c?.type === 'binding_set');
  for (const b of bindings?.namedChildren ?? []) {
    if (b?.type !== 'binding') continue;
    const attrpath = b.childForFieldName('attrpath');
    const value = b.childForFieldName('expression');
    if (attrpath && value) out.push({ attrpath, value });
  }
  return out;
}

/** First names an attrset value defines (through `//` and `mkMerge`-free wrappers). */
function firstNamesOf(value: Node): string[] {
  const v = unwrapValue(value);
  if (v.type === 'binary_expression' && v.childForFieldName('operator')?.type === '//') {
    const left = v.childForFieldName('left');
    const right = v.childForFieldName('right');
    return [...(left ? firstNamesOf(left) : []), ...(right ? firstNamesOf(right) : [])];
  }
  if (v.type !== 'attrset_expression' && v.type !== 'rec_attrset_expression') return [];
  const out: string[] = [];
  for (const b of bindingsOf(v)) {
    const name = attrpathSegments(b.attrpath)[0]?.name;
    if (name !== undefined) out.push(name);
  }
  return out;
}

/** `inputs = { a.url = "…"; b = { url = "…"; }; c.follows = …; }` or `inputs.a.url = "…"`. */
function flakeInputs(expression: Node): FlakeInput[] {
  const top = unwrapValue(expression);
  if (top.type !== 'attrset_expression' && top.type !== 'rec_attrset_expression') return [];
  const byName = new Map<string, FlakeInput>();
  const note = (name: string | undefined, url: string | undefined) => {
    if (name === undefined) return;
    const input = byName.get(name) ?? { name };
    if (url !== undefined) input.url = url;
    byName.set(name, input);
  };
  const visit = (set: Node, prefix: (string | undefined)[]) => {
    const bindings = set.namedChildren.find((c) => c?.type === 'binding_set');
    for (const b of bindings?.namedChildren ?? []) {
      if (b?.type === 'inherit' || b?.type === 'inherit_from') {
        if (prefix.length === 1) {
          for (const a of b.childForFieldName('attrs')?.namedChildren ?? [])
            if (a && a.type !== 'comment') note(a.text, undefined);
        }
        continue;
      }
      if (b?.type !== 'binding') continue;
      const attrpath = b.childForFieldName('attrpath');
      const value = b.childForFieldName('expression');
      if (!attrpath || !value) continue;
      const path = [...prefix, ...attrpathSegments(attrpath).map((s) => s.name)];
      if (path[0] !== 'inputs') continue;
      const inner = unwrapValue(value);
      if (path.length === 1 || (path.length === 2 && inner.type === 'attrset_expression')) {
        if (inner.type === 'attrset_expression' || inner.type === 'rec_attrset_expression')
          visit(inner, path);
        continue;
      }
      // inputs.<name>.url = "…"; inputs.<name> = "…" is not valid, but a name is a name.
      const url = path.length === 3 && path[2] === 'url' ? stringValue(inner) : undefined;
      note(path[1], url);
    }
  };
  visit(top, []);
  return [...byName.values()];
}
