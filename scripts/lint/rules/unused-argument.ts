import type { Node } from 'web-tree-sitter';
import { childOfType } from '../../nix-ast/attrpaths.js';
import { analyzeModule, MODULE_ARGS, moduleFunctionOf } from '../../nix-ast/module.js';
import { analyzeScopes, type Binding } from '../../nix-ast/scopes.js';
import type { Rule, Suggestion } from '../types.js';

const rule: Rule = {
  meta: {
    type: 'suggestion',
    docs: {
      description:
        'A function argument that the body never uses: a plain `x:` argument, a formal of `{ a, b }:`, or the name of an `args@{ … }` pattern. Names starting with `_` are ignored.',
      why: 'An unused argument is either dead (callers pass something for nothing) or a sign that the body uses the wrong name. Module functions get a pass for the arguments the module system hands every module (`config`, `lib`, `pkgs`, `options`, `modulesPath`, `specialArgs`; option `moduleArgs` replaces the list): a module function is `{ …, ... }: { … }` (formals with `...`, returning an attrset), every module is called with all of them, and trimming the list each time a module stops using one is churn. Other formals of a module (e.g. a `specialArgs` entry such as `hostName`) are reported. Formals are not reported when the `@` name is used, because the formals then decide what callers such as `callPackage` and the module system put into that set. In the `outputs` function of a flake `self` is never reported, nor any input when there is no `...`: Nix calls it with all of them. deadnix differs: by default it reports every unused formal (module arguments included; `-L`/`--no-lambda-pattern-names` turns all formals off), it reports formals even when the `@` name is used, and it reports `_`-prefixed names unless given `--no-underscore`; its `--edit` renames unused lambda arguments to `_x`, which this rule offers as a suggestion.',
      bad: '{ config, lib, pkgs, hostName, ... }:\n{\n  environment.systemPackages = map (p: pkgs.hello) [ 1 ];\n}',
      good: '{ config, lib, pkgs, ... }:\n{\n  environment.systemPackages = [ pkgs.hello ];\n}',
      certainty: 'Style: the code works as written.',
    },
    messages: {
      unusedFormal: 'Argument `{{name}}` is never used.',
      unusedLambda: 'Argument `{{name}}` is never used; name it `_{{name}}` (or `_`) if it must stay.',
      unusedPattern: '`{{name}}` binds the whole argument set but is never used.',
    },
    defaultLevel: 'warning',
    certainty: 'style',
    schema: {
      type: 'object',
      properties: {
        moduleArgs: {
          type: 'array',
          items: { type: 'string' },
          default: [...MODULE_ARGS],
          description:
            'The arguments the module system hands every module, never reported unused in a module function; replaces the default.',
        },
      },
      additionalProperties: false,
    },
    fixable: 'code',
    hasSuggestions: true,
  },
  create(context) {
    const configured = context.options?.moduleArgs;
    const moduleArgs = new Set(
      Array.isArray(configured) ? configured.filter((a): a is string => typeof a === 'string') : MODULE_ARGS,
    );
    return {
      Program() {
        const { source, tree } = context.file;
        const scopes = analyzeScopes(tree);
        const modules = new Map<number, boolean>();
        let byName: Map<string, Node[]> | undefined;
        const referencesByName = (): Map<string, Node[]> => {
          if (!byName) {
            byName = new Map();
            for (const r of scopes.references) {
              const list = byName.get(r.resolution.name);
              if (list) list.push(r.node);
              else byName.set(r.resolution.name, [r.node]);
            }
          }
          return byName;
        };
        const isModuleFunction = (fn: Node): boolean => {
          let known = modules.get(fn.id);
          if (known === undefined) {
            known = moduleFunctionOf(fn) !== undefined && hasEllipsis(fn) && analyzeModule(fn).isModule;
            modules.set(fn.id, known);
          }
          return known;
        };
        for (const b of scopes.bindings) {
          if (b.name.startsWith('_') || scopes.isUsed(b)) continue;
          if (b.kind === 'lambda') {
            const rename = `_${b.name}`;
            const suggest: Suggestion[] = renameIsSafe(referencesByName(), b, rename)
              ? [
                  {
                    message: `Rename to \`${rename}\`.`,
                    fix: { start: b.identifier.startIndex, end: b.identifier.endIndex, text: rename },
                  },
                ]
              : [];
            context.report({
              node: b.identifier,
              messageId: 'unusedLambda',
              data: { name: b.name },
              suggest,
            });
          } else if (b.kind === 'pattern') {
            const fix = removePattern(b.declaration, b.identifier, source);
            context.report({
              node: b.identifier,
              messageId: 'unusedPattern',
              data: { name: b.name },
              ...(fix ? { fix } : {}),
            });
          } else if (b.kind === 'formal') {
            const fn = b.declaration.parent?.parent;
            if (!fn) continue;
            const pattern = [...b.scope.bindings.values()].find((o) => o.kind === 'pattern');
            if (pattern && scopes.isUsed(pattern)) continue;
            if (moduleArgs.has(b.name) && isModuleFunction(fn)) continue;
            if (isFlakeOutputs(fn) && (b.name === 'self' || !hasEllipsis(fn))) continue;
            context.report({
              node: b.identifier,
              messageId: 'unusedFormal',
              data: { name: b.name },
              suggest: [
                { message: `Remove \`${b.name}\` from the arguments.`, fix: removeFormal(b.declaration) },
              ],
            });
          }
        }
      },
    };
  },
};

export default rule;

function hasEllipsis(fn: Node): boolean {
  const formals = fn.childForFieldName('formals');
  return formals !== null && childOfType(formals, 'ellipses') !== undefined;
}

/**
 * The `outputs` function of a flake. Nix calls it with `self` and every input, so without
 * `...` each of them must stay a formal (`outputs = { }: …` fails with "called with
 * unexpected argument 'self'"; checked with nix eval).
 */
function isFlakeOutputs(fn: Node): boolean {
  const binding = fn.parent;
  if (binding?.type !== 'binding' || binding.childForFieldName('attrpath')?.text !== 'outputs') return false;
  return binding.parent?.parent?.parent?.type === 'source_code';
}

/** `_x` must not capture a reference to an outer `_x` inside the function. */
function renameIsSafe(byName: Map<string, Node[]>, b: Binding, rename: string): boolean {
  const fn = b.declaration;
  return !(byName.get(rename) ?? []).some((r) => r.startIndex >= fn.startIndex && r.endIndex <= fn.endIndex);
}

/** Removes `args@` before formals or `@args` after them: the pattern name changes nothing else. */
function removePattern(fn: Node, name: Node, source: string) {
  const at = fn.children.find((c) => c?.type === '@');
  if (!at) return undefined;
  if (name.startIndex < at.startIndex) {
    let end = at.endIndex;
    while (end < source.length && /\s/.test(source[end] as string)) end++;
    return { start: name.startIndex, end, text: '' };
  }
  let start = at.startIndex;
  while (start > 0 && /\s/.test(source[start - 1] as string)) start--;
  return { start, end: name.endIndex, text: '' };
}

/** Removes a formal with the comma that separates it from its neighbour. */
function removeFormal(formal: Node) {
  const next = formal.nextSibling;
  if (next?.type === ',') {
    const after = next.nextSibling;
    return { start: formal.startIndex, end: after ? after.startIndex : next.endIndex, text: '' };
  }
  const prev = formal.previousSibling;
  if (prev?.type === ',') return { start: prev.startIndex, end: formal.endIndex, text: '' };
  return { start: formal.startIndex, end: formal.endIndex, text: '' };
}
