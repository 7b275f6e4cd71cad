// `system.stateVersion`: the fleet's common module must set it, as a `"YY.MM"` literal.
//
// stateVersion records the release a host was first installed with; modules use it to keep
// data formats (databases, state directories) compatible. Missing, NixOS falls back to the
// current release and warns; computed (`config.system.nixos.release`), it silently follows
// every upgrade, which is the one thing it must never do.
//
// Option `commonModule` (default "nix/common.nix"): the file that must set it, matched
// against the end of the linted path. `stateVersionOf` is the pure helper `tappaas check
// --from` uses to see whether a change touched the value.
import type { Node } from 'web-tree-sitter';
import { staticPath } from '../../nix-ast/attrpaths.js';
import { definitionPath } from '../../nix-ast/definition-path.js';
import type { NixFile } from '../../nix-ast/file.js';
import { keyBindings } from '../../nix-ast/key-bindings.js';
import { moduleInfo } from '../../nix-ast/module.js';
import type { Rule } from '../types.js';
import { stringLiteralValue } from './util/nix.js';

export const DEFAULT_COMMON_MODULE = 'nix/common.nix';

export interface StateVersion {
  /** The string value when the definition is a literal without interpolation. */
  value: string | undefined;
  /** The value expression (wrappers such as mkDefault stripped). */
  node: Node;
  /** The key spelling `stateVersion`. */
  key: Node;
  /** Whether the value is a `"YY.MM"` literal. */
  wellFormed: boolean;
}

const STATE_VERSION_KEY = /\bstateVersion"?\s*=[^=]/g;

/**
 * The `system.stateVersion` definitions of a module file, in source order (empty if none):
 * keys found in the text, their paths resolved upward, values past mkDefault & co.
 */
export function stateVersionOf(file: NixFile): StateVersion[] {
  if (!file.source.includes('stateVersion')) return [];
  const info = moduleInfo(file);
  if (!info.isModule || !info.rootAttrset) return [];
  const out: StateVersion[] = [];
  for (const { binding, value } of keyBindings(file.root, file.source, STATE_VERSION_KEY)) {
    const path = definitionPath(binding, info.rootAttrset, info.form === 'explicit');
    if (path?.length !== 2 || path[0] !== 'system' || path[1] !== 'stateVersion') continue;
    const s = stringLiteralValue(value);
    const attrpath = binding.childForFieldName('attrpath') as Node;
    out.push({
      value: s,
      node: value,
      key: attrpath.lastNamedChild as Node,
      wellFormed: s !== undefined && /^\d{2}\.(?:0[1-9]|1[0-2])$/.test(s),
    });
  }
  return out;
}

/** Whether a linted path is the configured common module (suffix match on path segments). */
export function isCommonModule(path: string, common: string): boolean {
  const p = path.replaceAll('\\', '/');
  const c = common.replaceAll('\\', '/').replace(/^\.\//, '');
  return p === c || p.endsWith(`/${c}`);
}

/** A definition that may set `system.stateVersion` out of sight (`system = import ./x.nix`). */
function opaqueSystem(file: NixFile): boolean {
  for (const def of moduleInfo(file).definitions) {
    const path = staticPath(def.segments);
    if (!path) {
      if (def.segments[0]?.name === 'system' || def.segments[0]?.name === undefined) return true;
      continue;
    }
    if (path.length === 1 && path[0] === 'system') return true;
  }
  return false;
}

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        '`system.stateVersion` missing in the fleet\'s common module, or set to something other than a `"YY.MM"` literal.',
      why: 'stateVersion is the release a host was first installed with; NixOS modules keep data formats (PostgreSQL, state directories) compatible with it. Missing, every host falls back to the release it happens to run; computed from the current release, it silently changes on an upgrade and can leave a database unreadable.',
      bad: '{ config, ... }:\n{\n  system.stateVersion = config.system.nixos.release;\n}',
      good: '{ ... }:\n{\n  # The release the fleet was first installed with; never change it on a running host.\n  system.stateVersion = "25.05";\n}',
      certainty:
        'Not certain: NixOS accepts any string and only warns when the option is unset. Only reported in NixOS modules.',
    },
    messages: {
      missing:
        "`system.stateVersion` is not set in the fleet's common module `{{common}}`: every host then falls back to the release it runs.",
      notLiteral:
        '`system.stateVersion` should be a `"YY.MM"` string literal (the release the hosts were first installed with), not `{{text}}`.',
    },
    defaultLevel: 'warning',
    certainty: 'heuristic',
    scope: 'nixos',
    schema: {
      type: 'object',
      properties: {
        commonModule: {
          type: 'string',
          minLength: 1,
          default: DEFAULT_COMMON_MODULE,
          description:
            'The module that must set `system.stateVersion`, matched against the end of the linted path.',
        },
      },
      additionalProperties: false,
    },
  },
  create(context) {
    const configured = context.options?.commonModule;
    const common = typeof configured === 'string' && configured ? configured : DEFAULT_COMMON_MODULE;
    return {
      Program() {
        const file = context.file;
        const isCommon = isCommonModule(file.path, common);
        if (!isCommon && !file.source.includes('stateVersion')) return;
        const info = moduleInfo(file);
        if (!info.isModule) return;
        const found = stateVersionOf(file);
        for (const sv of found) {
          if (sv.wellFormed) continue;
          const text = sv.node.text.length > 60 ? `${sv.node.text.slice(0, 57)}...` : sv.node.text;
          context.report({
            node: sv.node,
            messageId: 'notLiteral',
            data: { text },
            severity: 'warning',
            help: 'Write the release the hosts were first installed with, e.g. `system.stateVersion = "25.05";`, and never change it on a running host (see the NixOS manual on stateVersion).',
          });
        }
        if (isCommon && found.length === 0 && !opaqueSystem(file)) {
          const at = info.rootAttrset ?? file.root;
          context.report({
            range: {
              line: at.startPosition.row + 1,
              column: at.startPosition.column + 1,
              endLine: at.startPosition.row + 1,
              endColumn: at.startPosition.column + 2,
            },
            messageId: 'missing',
            data: { common },
            help: 'Add `system.stateVersion = "YY.MM";` with the release the hosts were first installed with (`nixos-version` on a host that has never changed it, or `/etc/os-release` of its first generation).',
          });
        }
      },
    };
  },
};

export default rule;
