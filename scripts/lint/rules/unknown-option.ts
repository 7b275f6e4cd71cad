// Definitions in a NixOS module whose path is no option of the fleet's hosts, checked
// against the options index `tappaas options-index` writes (real NixOS options, evaluated by
// Nix). Without an index the rule does nothing and unknown-option-namespace checks the
// first names only. The index reaches the rule as its `index` option (files) and `stamp`,
// set by the lint run (scripts/nixos/options-index/locate.ts).
//
// Option `extraNamespaces` (string[]): first names never checked here (a module the indexed
// hosts do not import yet).
import type { Node } from 'web-tree-sitter';
import { formatPath } from '../../nix-ast/attrpaths.js';
import { inlineModules, moduleInfo } from '../../nix-ast/module.js';
import { showAttrName } from '../../nix-ast/names.js';
import { analyzeScopes } from '../../nix-ast/scopes.js';
import { type UnknownDefinition, unknownDefinitions } from '../../nixos/options-index/check-module.js';
import { loadOptionsTrie, OptionsIndexLoadError } from '../../nixos/options-index/load.js';
import { suggestOption } from '../../nixos/options-index/suggest.js';
import type { OptionsTrie } from '../../nixos/options-index/trie.js';
import type { Rule, Suggestion } from '../types.js';

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Definitions in a NixOS module whose path is no option of the hosts in the options index (`tappaas options-index`), with the nearest option as a suggestion.',
      why: "NixOS rejects a definition of an option that does not exist (\"The option `services.opensh.enable' does not exist\"), so the host stops evaluating, and only at deploy time. The options index holds every option the hosts really have (nixpkgs' and the fleet's own modules, submodules such as `users.users.<name>` included), so a misspelt or misplaced name is found at lint time, at its line. Without an index only the first name is checked (unknown-option-namespace).",
      bad: '{ ... }:\n{\n  services.opensh.enable = true;\n}',
      good: '{ ... }:\n{\n  services.openssh.enable = true;\n}',
      certainty:
        'Certain when the file is a NixOS module that a host imports: the options index is what Nix evaluated for the hosts, and NixOS rejects a definition of an option that does not exist. In a file no host is known to import, a warning.',
    },
    messages: {
      unknownOption:
        '`{{path}}` is no NixOS option of {{hosts}}, so the host fails to evaluate ("The option `{{path}}` does not exist").{{suggestion}}',
      badIndex: 'The options index cannot be used: {{reason}}',
    },
    defaultLevel: 'error',
    certainty: 'certain',
    scope: 'nixos',
    hasSuggestions: true,
    schema: {
      type: 'object',
      properties: {
        extraNamespaces: {
          type: 'array',
          items: { type: 'string' },
          description: 'First names never checked here (a module the indexed hosts do not import yet).',
        },
        index: {
          type: 'array',
          items: { type: 'string' },
          readOnly: true,
          description: 'The options index files, set by the lint run from `lint.optionsIndex`.',
        },
        stamp: {
          type: 'string',
          readOnly: true,
          description: 'What the index files were when the run found them, set by the lint run.',
        },
      },
      additionalProperties: false,
    },
  },
  create(context) {
    const files = context.options?.index;
    if (!Array.isArray(files) || files.length === 0) return {};
    const stamp = String(context.options?.stamp ?? '');
    const extra = context.options?.extraNamespaces;
    const skip = new Set(Array.isArray(extra) ? extra.filter((e): e is string => typeof e === 'string') : []);
    return {
      Program(program) {
        const info = moduleInfo(context.file);
        if (!info.isModule) return;
        let trie: OptionsTrie;
        try {
          trie = loadOptionsTrie(files as string[], stamp);
        } catch (err) {
          if (!(err instanceof OptionsIndexLoadError)) throw err;
          context.report({ node: program, messageId: 'badIndex', data: { reason: err.message } });
          return;
        }
        // Inline modules of `imports` define options too; their bodies are walked alike.
        const scopes = analyzeScopes(context.file.tree);
        const bodies: [Node, boolean][] = [];
        if (info.rootAttrset) bodies.push([info.rootAttrset, info.form === 'explicit']);
        for (const m of inlineModules(info, scopes))
          if (m.rootAttrset) bodies.push([m.rootAttrset, m.form === 'explicit']);
        let declared: (string | undefined)[][] | undefined;
        for (const [body, explicit] of bodies) {
          for (const found of unknownDefinitions(body, explicit, trie, scopes, skip)) {
            const names = found.segments.map((s) => s.name);
            // What this module (or an inline one) declares is known in it, index or not.
            declared ??= [info, ...inlineModules(info, scopes)].flatMap((m) =>
              m.options.map((o) => o.segments.map((s) => s.name)),
            );
            if (declaredHere([...names, ...found.rest], declared)) continue;
            report(context, found, trie);
          }
        }
      },
    };
  },
};

/** A path inside or above an option this module (or an inline one) declares. */
function declaredHere(path: (string | undefined)[], declared: (string | undefined)[][]): boolean {
  return declared.some((d) => {
    const n = Math.min(d.length, path.length);
    for (let i = 0; i < n; i++)
      if (d[i] === undefined || path[i] === undefined || d[i] !== path[i]) return false;
    return true;
  });
}

function hostList(trie: OptionsTrie): string {
  const hosts = [...new Set(trie.hosts)].sort();
  if (hosts.length === 1) return `host ${hosts[0]}`;
  const shown = hosts.slice(0, 3).join(', ');
  return `any host indexed (${shown}${hosts.length > 3 ? ` and ${hosts.length - 3} more` : ''})`;
}

function report(context: Parameters<Rule['create']>[0], found: UnknownDefinition, trie: OptionsTrie): void {
  const at = found.segments.length - 1;
  const segment = found.segments[at]!;
  const path = formatPath(found.segments);
  // Dynamic names (`${…}`) are shown as the placeholder they fill.
  const written = [...found.segments.map((s) => s.name), ...found.rest].map((n) => n ?? '<name>');
  const guess = suggestOption(trie, written, at, found.parent);
  const suggest: Suggestion[] = [];
  if (guess?.segment && segment.node.type === 'identifier' && segment.node.parent?.type === 'attrpath') {
    suggest.push({
      message: `Write \`${guess.segment}\` instead of \`${segment.name}\`.`,
      fix: { start: segment.node.startIndex, end: segment.node.endIndex, text: showAttrName(guess.segment) },
    });
  }
  context.report({
    node: segment.node,
    messageId: 'unknownOption',
    data: { path, hosts: hostList(trie), suggestion: guess ? ` Did you mean \`${guess.path}\`?` : '' },
    ...(suggest.length ? { suggest } : {}),
    help:
      (guess ? `Write \`${guess.path}\`. ` : 'Put the definition under the option it belongs to. ') +
      'If the option comes from a module the hosts do not import yet, or the flake changed since the index was written (it is cached per flake.lock), run `tappaas options-index --refresh`.',
  });
}

export default rule;
