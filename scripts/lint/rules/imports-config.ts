// `imports` that depend on the module's `config`. The module system must know every module
// (so every `imports` list) before it can compute `config`; an import path or list that
// reads `config` asks for `config` while it is being built, and evaluation ends in
// "infinite recursion encountered". The guide's `./hosts/${config.networking.hostName}.nix`
// is the classic case.
import type { Node } from 'web-tree-sitter';
import type { NixFile } from '../../nix-ast/file.js';
import { moduleInfo } from '../../nix-ast/module.js';
import { analyzeScopes, type Binding } from '../../nix-ast/scopes.js';
import type { Rule } from '../types.js';

/** Nodes that start an inline module or a function inside an imports list: values there are lazy. */
const LAZY = new Set(['attrset_expression', 'rec_attrset_expression', 'function_expression']);

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        "`imports` that read the module's `config` (directly, through a let alias, or `args.config`).",
      why: 'The module system needs every `imports` list before `config` exists, so an import that reads `config` makes evaluation fail with infinite recursion, for every host that imports the file.',
      bad: `{ config, ... }:\n{\n  imports = [ ./hosts/\${config.networking.hostName}.nix ];\n}`,
      good: `# flake.nix passes the host name:\n# nixosSystem { modules = [ ./hosts/\${name}.nix ]; }\n{ ... }:\n{\n  imports = [ ./common.nix ];\n}`,
      certainty:
        'Certain: the module system needs `imports` before `config` exists, so reading `config` there is infinite recursion. A module value inside `imports` (`lib.mkIf config.x { … }`) is lazy and not reported. Only reported in files the module system loads.',
    },
    messages: {
      usesConfig:
        '`imports` reads `{{name}}`, which depends on `config`: the module system needs imports before config exists, so evaluation recurses infinitely.',
    },
    defaultLevel: 'error',
    certainty: 'certain',
    scope: 'module',
  },
  create(context) {
    return {
      Program() {
        const info = moduleInfo(context.file);
        if (!info.isModule || !info.function || info.imports.length === 0) return;
        // Without a `config` formal or an `args@` pattern, imports cannot reach config.
        const formals = info.function.childForFieldName('formals');
        if (!info.args.some((a) => a.name === 'config') && !formals?.parent?.text.includes('@')) return;
        const { configRefs, aliases } = configReferences(context.file, info.function);
        if (configRefs.length === 0) return;
        for (const imports of info.imports) {
          for (const { node, name } of configRefs) {
            if (!within(node, imports) || insideLazy(node, imports)) continue;
            // A reference inside a let alias defined in the imports value is reported where the alias is used.
            if (aliases.some((a) => within(node, a.declaration) && within(a.declaration, imports))) continue;
            context.report({
              node: shown(node),
              messageId: 'usesConfig',
              data: { name: name ?? shown(node).text },
              help: `Decide imports without config: pass the value from the flake (e.g. nixosSystem { modules = [ ./hosts/\${name}.nix ]; } or specialArgs), or import every file and guard its definitions with lib.mkIf.`,
            });
          }
        }
      },
    };
  },
};

interface ConfigRef {
  node: Node;
  /** What to call it in the message, when not its own text. */
  name?: string;
}

/**
 * References to the module's `config` formal, to `args.config` of an `args@{ … }` pattern,
 * and to let bindings whose value reads either (followed to a fixpoint, so aliases of
 * aliases count too).
 */
function configReferences(file: NixFile, fn: Node): { configRefs: ConfigRef[]; aliases: Binding[] } {
  const scopes = analyzeScopes(file.tree);
  const roots: Binding[] = [];
  const formals = fn.childForFieldName('formals');
  for (const formal of formals?.namedChildren ?? []) {
    const id = formal?.type === 'formal' ? formal.childForFieldName('name') : null;
    const b = id?.text === 'config' ? scopes.bindingOf(id) : undefined;
    if (b) roots.push(b);
  }
  const patternRefs: Node[] = [];
  for (const b of scopes.bindings) {
    if (b.kind !== 'pattern' || b.declaration.id !== fn.id) continue;
    for (const r of b.references) {
      const parent = r.parent;
      const first =
        parent?.type === 'select_expression' ? parent.childForFieldName('attrpath')?.firstNamedChild : null;
      if (parent && first?.text === 'config' && parent.childForFieldName('expression')?.id === r.id) {
        patternRefs.push(parent);
      }
    }
  }
  const tainted = new Set<Binding>(roots);
  const sources = (): Node[] => [...[...tainted].flatMap((b) => b.references), ...patternRefs];
  for (let changed = true; changed; ) {
    changed = false;
    const refs = sources();
    for (const b of scopes.bindings) {
      if (tainted.has(b) || b.kind !== 'let') continue;
      const value = b.declaration.type === 'binding' ? b.declaration.childForFieldName('expression') : null;
      if (value && refs.some((r) => within(r, value))) {
        tainted.add(b);
        changed = true;
      }
    }
  }
  const aliases = [...tainted].filter((b) => b.kind === 'let');
  const configRefs: ConfigRef[] = [
    ...sources().map((node) => ({ node })),
    ...aliases.flatMap((a) => a.references.map((node) => ({ node, name: `${a.name}` }))),
  ];
  // Alias references were collected twice (as sources and by name); keep the named one.
  const seen = new Map<number, ConfigRef>();
  for (const r of configRefs) if (!seen.has(r.node.id) || r.name) seen.set(r.node.id, r);
  return { configRefs: [...seen.values()], aliases };
}

function within(node: Node, container: Node): boolean {
  return node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;
}

/** True when the reference sits inside an inline module or function in the imports value. */
function insideLazy(node: Node, imports: Node): boolean {
  for (let n = node.parent; n && n.id !== imports.id; n = n.parent) if (LAZY.has(n.type)) return true;
  return LAZY.has(imports.type);
}

/** `config.networking.hostName` rather than just `config`. */
function shown(node: Node): Node {
  const parent = node.parent;
  return parent?.type === 'select_expression' && parent.childForFieldName('expression')?.id === node.id
    ? parent
    : node;
}

export default rule;
