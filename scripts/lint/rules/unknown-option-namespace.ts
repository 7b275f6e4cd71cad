// Top-level definitions in a NixOS module whose first name is no NixOS option namespace
// (`graphics = { … };` where `hardware.graphics` was meant). This is the check that needs no
// options index: the list of namespaces is data (scripts/nixos/option-namespaces.ts), and a
// module may add its own: everything it declares under `options` is known in that module.
//
// Option `extraNamespaces` (string[]): namespaces third-party modules declare (`sops`,
// `home-manager`, `disko`, `age`, …), known in every file; `tappaas` always is.
// Option `indexed` (set by the lint run when an options index is in use): unknown names are
// left to unknown-option, which checks whole paths against the index.
import type { Node } from 'web-tree-sitter';
import {
  type AttrDefinition,
  attrpathSegments,
  unwrapValue,
  wrappedValues,
  wrapperCall,
} from '../../nix-ast/attrpaths.js';
import { bindingsComplete, forEachBinding, plainKey } from '../../nix-ast/bindings-of.js';
import { EXPLICIT_ALLOWED, inlineModules, moduleInfo, SHORTHAND_RESERVED } from '../../nix-ast/module.js';
import { isNixosNamespace, suggestNamespace } from '../../nixos/option-namespaces.js';
import type { Rule, Suggestion } from '../types.js';

/** Our own modules' namespace (nix/modules/roles declare `options.tappaas.…`). */
const OWN_NAMESPACES = ['tappaas'];

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Top-level definitions in a NixOS module whose first name is no NixOS option namespace, and definitions beside `options`/`config`.',
      why: 'NixOS rejects a definition of an option that does not exist ("The option `graphics\' does not exist"), so the host stops evaluating; usually the name lost its prefix (`graphics` for `hardware.graphics`). Likewise a module with `options` or `config` at its top level may define nothing beside them. Without an options index this is the part that can be checked from the file alone.',
      bad: '{ ... }:\n{\n  graphics = {\n    enable = true;\n  };\n}',
      good: '{ ... }:\n{\n  hardware.graphics = {\n    enable = true;\n  };\n}',
      certainty:
        'A definition beside `options`/`config` is certain in any module (the module system rejects it). An unknown top-level name is a guess without an options index (a warning): the option may come from a module of another flake or another file. With an index, `unknown-option` checks whole paths instead.',
    },
    messages: {
      besideConfig:
        '`{{name}}` is defined next to `options`/`config` at the top level, so NixOS rejects the module ("unsupported attribute `{{name}}`").',
      unknownNamespace:
        '`{{name}}` is no NixOS option namespace: unless a module from another flake or file declares it, the host fails to evaluate ("The option `{{path}}` does not exist").{{suggestion}}',
    },
    defaultLevel: 'error',
    certainty: 'mixed',
    scope: 'nixos',
    hasSuggestions: true,
    schema: {
      type: 'object',
      properties: {
        extraNamespaces: {
          type: 'array',
          items: { type: 'string' },
          description:
            'Namespaces third-party modules declare (`sops`, `home-manager`, `disko`, `age`, …), known in every file; `tappaas` always is.',
        },
        indexed: {
          type: 'boolean',
          readOnly: true,
          description:
            'Set by the lint run when an options index is in use: unknown names are left to unknown-option.',
        },
      },
      additionalProperties: false,
    },
  },
  create(context) {
    const extra = context.options?.extraNamespaces;
    const extraNames = Array.isArray(extra) ? extra.filter((e): e is string => typeof e === 'string') : [];
    const always = new Set([...OWN_NAMESPACES, ...extraNames]);
    const indexed = context.options?.indexed === true;
    return {
      Program() {
        const info = moduleInfo(context.file);
        if (!info.isModule || (info.rootAttrset && allTopNamesKnown(info.rootAttrset, always))) return;
        // Next to `config`/`options`, any other key is rejected by NixOS, known namespace or not.
        const reported = new Set<number>();
        for (const def of info.unsupported) {
          const first = def.segments[0];
          if (!first || reported.has(first.node.id)) continue;
          reported.add(first.node.id);
          const name = first.name ?? first.node.text;
          context.report({
            node: first.node,
            messageId: 'besideConfig',
            // The module system rejects it in any module, not only NixOS's.
            scope: 'module',
            data: { name },
            help: `Move \`${name}\` into \`config = { … };\` (or \`config.${name}\`): once a module has \`options\` or \`config\` at its top level, every definition goes under \`config\`.`,
          });
        }
        if (indexed) return;
        // Cheap first pass: the first names only, before any of them is looked at twice.
        let unknown: AttrDefinition[] | undefined;
        for (const def of info.definitions) {
          const name = def.segments[0]?.name;
          if (name === undefined || isNixosNamespace(name)) continue;
          (unknown ??= []).push(def);
        }
        if (!unknown) return;
        const known = new Set(always);
        for (const o of info.options) if (o.segments[0]?.name) known.add(o.segments[0].name);
        for (const inline of inlineModules(info)) {
          for (const o of inline.options) if (o.segments[0]?.name) known.add(o.segments[0].name);
        }
        const seen = new Set<number>();
        for (const def of unknown) {
          const first = def.segments[0]!;
          const name = first.name as string;
          if (known.has(name) || seen.has(first.node.id)) continue;
          seen.add(first.node.id);
          const guess = suggestNamespace(name, extraNames);
          const path = def.segments
            .slice(0, 2)
            .map((s) => s.name ?? s.node.text)
            .join('.');
          const suggest: Suggestion[] = [];
          if (guess && first.node.parent?.type === 'attrpath') {
            suggest.push({
              message: `Write \`${guess}\` instead of \`${name}\`.`,
              fix: { start: first.node.startIndex, end: first.node.endIndex, text: guess },
            });
          }
          context.report({
            node: first.node,
            messageId: 'unknownNamespace',
            // Without an options index the name may come from a module we cannot see: a guess.
            severity: 'warning',
            namespace: name,
            data: { name, path, suggestion: guess ? ` Did you mean \`${guess}\`?` : '' },
            ...(suggest.length ? { suggest } : {}),
            help: guess
              ? `Write \`${guess}\` for \`${name}\`. If \`${name}\` comes from a third-party module (sops-nix, home-manager, …), add it to \`extraNamespaces\` of this rule in tappaas.json.`
              : `Put the definition under the NixOS option it belongs to. If \`${name}\` comes from a third-party module (sops-nix, home-manager, …), add it to \`extraNamespaces\` of this rule in tappaas.json.`,
          });
        }
      },
    };
  },
};

/** The text of the module body the fast path reads, and where it starts. */
interface BodyText {
  text: string;
  base: number;
}

/** First names a binding set defines, or undefined when one is dynamic or an inherit. */
function firstNames(attrset: Node, skip: number, body: BodyText): string[] | undefined {
  if (bindingsComplete(attrset.tree)) {
    // Without syntax errors: bindings from the node index, plain keys read from the text.
    const out: string[] = [];
    let named = true;
    forEachBinding(attrset, (b, kind) => {
      if (!named) return;
      const names =
        kind !== 'binding'
          ? []
          : (plainKey(body.text, b.startIndex - body.base) ??
            attrpathSegments(b.childForFieldName('attrpath') as Node).map((s) => s.name));
      const name = names[skip];
      if (name === undefined) named = false;
      else out.push(name);
    });
    return named ? out : undefined;
  }
  const out: string[] = [];
  const set = attrset.namedChildren.find((c) => c?.type === 'binding_set');
  for (const b of set?.namedChildren ?? []) {
    if (!b || b.type === 'comment') continue;
    if (b.type !== 'binding') return undefined;
    const ap = b.childForFieldName('attrpath');
    const segs = ap ? attrpathSegments(ap) : [];
    const name = segs[skip]?.name;
    if (name === undefined) return undefined;
    out.push(name);
  }
  return out;
}

/**
 * The fast path, without resolving every definition path: the first names a module
 * defines, read from the syntax alone (through `config = lib.mkIf … { … }`, mkMerge lists
 * and `//`), are all known. Anything less plain (a dynamic key, an inherit, a wrapper not
 * recognised without scopes) answers false and takes the full path.
 */
function allTopNamesKnown(root: Node, always: Set<string>): boolean {
  const body: BodyText = { text: root.text, base: root.startIndex };
  const top = firstNames(root, 0, body);
  if (!top) return false;
  const explicit = top.includes('config') || top.includes('options');
  if (!explicit) return top.every((n) => isNixosNamespace(n) || always.has(n) || SHORTHAND_KEYS.has(n));
  if (!top.every((n) => EXPLICIT_KEYS.has(n))) return false;
  const set = root.namedChildren.find((c) => c?.type === 'binding_set');
  const bindings = (set?.namedChildren ?? []).filter((b): b is Node => b?.type === 'binding');
  // What the module declares (`options.foo…`, `options = { foo = …; }`) is known in it.
  const declared = new Set(always);
  for (const b of bindings) {
    const segs = attrpathSegments(b.childForFieldName('attrpath') as Node);
    if (segs[0]?.name !== 'options') continue;
    const names =
      segs.length > 1 ? [segs[1]?.name] : namesOf(b.childForFieldName('expression') as Node, body);
    if (!names) return false;
    for (const n of names) {
      if (n === undefined) return false;
      declared.add(n);
    }
  }
  const known = (n: string | undefined) => n !== undefined && (isNixosNamespace(n) || declared.has(n));
  for (const b of bindings) {
    const segs = attrpathSegments(b.childForFieldName('attrpath') as Node);
    if (segs[0]?.name !== 'config') continue;
    if (segs.length > 1) {
      if (!known(segs[1]?.name)) return false;
      continue;
    }
    const names = namesOf(b.childForFieldName('expression') as Node, body);
    if (!names?.every(known)) return false;
  }
  return true;
}

/** First names an attrset value defines, through wrappers, mkMerge lists and `//`. */
function namesOf(node: Node, body: BodyText): string[] | undefined {
  const v = unwrapValue(node);
  const type = v.type;
  if (type === 'attrset_expression' || type === 'rec_attrset_expression') return firstNames(v, 0, body);
  if (type === 'binary_expression') {
    if (v.childForFieldName('operator')?.type !== '//') return undefined;
    const left = v.childForFieldName('left');
    const right = v.childForFieldName('right');
    const l = left && namesOf(left, body);
    const r = right && namesOf(right, body);
    return l && r ? [...l, ...r] : undefined;
  }
  const call = type === 'apply_expression' ? wrapperCall(v) : undefined;
  if (!call) return undefined;
  const out: string[] = [];
  for (const content of wrappedValues(call)) {
    const names = namesOf(content, body);
    if (!names) return undefined;
    out.push(...names);
  }
  return out;
}

/** Keys the module system reads itself at the top level of a shorthand module. */
const SHORTHAND_KEYS = new Set(SHORTHAND_RESERVED);
/** Keys allowed next to `config`/`options` at the top level. */
const EXPLICIT_KEYS = new Set(EXPLICIT_ALLOWED);

export default rule;
