import { describe, expect, it } from 'vitest';
import rule, { isCommonModule, stateVersionOf } from '../../../../scripts/lint/rules/state-version.js';
import { parseNix } from '../../../../scripts/nix-ast/parser.js';
import { lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

const m = (body: string) => `{ config, lib, pkgs, ... }:\n{\n${body}\n}\n`;
const common = 'nix/common.nix';

ruleTester('state-version', rule, {
  valid: [
    { name: 'the common module sets it', path: common, code: m('  system.stateVersion = "25.05";') },
    {
      name: 'nested, in the explicit form under mkIf',
      path: common,
      code: '{ lib, ... }:\n{\n  options.x = lib.mkOption { };\n  config = lib.mkIf true {\n    system = {\n      stateVersion = "24.11";\n    };\n  };\n}\n',
    },
    {
      name: 'mkDefault around a literal',
      path: common,
      code: m('  system.stateVersion = lib.mkDefault "23.11";'),
    },
    {
      name: 'any other module may leave it out',
      path: 'nix/hosts/a.nix',
      code: m('  networking.hostName = "a";'),
    },
    {
      name: 'a configured common module elsewhere',
      path: 'nix/common.nix',
      code: m('  networking.hostName = "a";'),
      options: { commonModule: 'fleet/base.nix' },
    },
    {
      name: 'system set as a whole: cannot tell',
      path: common,
      code: m('  system = import ./system.nix;'),
    },
    { name: 'not a module', path: common, code: '[ 1 2 ]' },
  ],
  invalid: [
    {
      name: 'missing in the common module',
      path: common,
      code: m('  networking.firewall.enable = true;'),
      errors: [{ messageId: 'missing', line: 2, column: 1, message: '`nix/common.nix`' }],
    },
    {
      name: 'missing in a configured common module (suffix match)',
      path: '/work/repo/fleet/base.nix',
      options: { commonModule: 'fleet/base.nix' },
      code: m('  time.timeZone = "UTC";'),
      errors: [{ messageId: 'missing', line: 2, column: 1, message: '`fleet/base.nix`' }],
    },
    {
      name: 'computed from the running release (any module)',
      path: 'nix/hosts/a.nix',
      code: m('  system.stateVersion = config.system.nixos.release;'),
      errors: [
        { messageId: 'notLiteral', line: 3, column: 25, message: 'not `config.system.nixos.release`' },
      ],
    },
    {
      name: 'not YY.MM, in a nested set inside config = { … }',
      path: common,
      code: '{ lib, ... }:\n{\n  options.x = lib.mkOption { };\n  config = {\n    system.stateVersion = "25.5";\n  };\n}\n',
      errors: [{ messageId: 'notLiteral', line: 5, column: 27 }],
    },
    {
      name: 'an interpolated string under mkMerge',
      path: common,
      code: m(`  config = lib.mkMerge [ { system.stateVersion = "\${lib.trivial.release}"; } ];`),
      errors: [{ messageId: 'notLiteral', line: 3, column: 50 }],
    },
  ],
});

describe('state-version details', () => {
  it('a malformed value is a warning, a missing one an error', async () => {
    const bad = await lintWithRule(
      'state-version',
      rule,
      m('  system.stateVersion = "latest";'),
      undefined,
      common,
    );
    expect(bad.map((d) => d.severity)).toEqual(['warning']);
    const missing = await lintWithRule('state-version', rule, m('  a.b = 1;'), undefined, common);
    expect(missing.map((d) => d.severity)).toEqual(['error']);
  });

  it('stateVersionOf gives value, node and key of each definition', async () => {
    const code = m('  system.stateVersion = "25.05";\n  system.stateVersion = lib.mkForce "24.11";');
    const tree = await parseNix(code);
    try {
      const found = stateVersionOf({ path: 'a.nix', source: code, tree, root: tree.rootNode });
      expect(found.map((s) => [s.value, s.wellFormed, s.key.text, s.node.startPosition.row + 1])).toEqual([
        ['25.05', true, 'stateVersion', 3],
        ['24.11', true, 'stateVersion', 4],
      ]);
      const none = m('  networking.hostName = "x";');
      const t2 = await parseNix(none);
      expect(stateVersionOf({ path: 'b.nix', source: none, tree: t2, root: t2.rootNode })).toEqual([]);
      t2.delete();
    } finally {
      tree.delete();
    }
  });

  it('matches the common module by path suffix only on segment boundaries', () => {
    expect(isCommonModule('nix/common.nix', common)).toBe(true);
    expect(isCommonModule('/abs/repo/nix/common.nix', common)).toBe(true);
    expect(isCommonModule('nix\\common.nix', './nix/common.nix')).toBe(true);
    expect(isCommonModule('other-nix/common.nix', common)).toBe(false);
    expect(isCommonModule('nix/hosts/common.nix', common)).toBe(false);
  });
});
