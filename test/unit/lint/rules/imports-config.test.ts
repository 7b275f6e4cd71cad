import { describe, expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/imports-config.js';
import { evalWithLib, haveNixpkgsLib } from '../../../helpers/nixpkgs-lib.js';
import { lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

/** One-line modules: what the rule says of each is checked against lib.evalModules below. */
const lazy: { name: string; code: string }[] = [
  {
    name: 'a mkIf module value reads its condition lazily',
    code: '{ config, lib, ... }: { imports = [ (lib.mkIf config.x { y = 1; }) ]; }',
  },
  {
    name: 'lib.optional on a constant, of a mkIf value',
    code: '{ config, lib, ... }: { imports = lib.optional true (lib.mkIf config.x { y = 2; }); }',
  },
  {
    name: "an inline module's definitions",
    code: '{ config, lib, ... }: { imports = [ { y = if config.x then 3 else 0; } ]; }',
  },
  {
    name: "an inline function module's definitions",
    code: '{ config, lib, ... }: { imports = [ ({ ... }: { y = if config.x then 4 else 0; }) ]; }',
  },
  {
    name: 'a let alias of config in a mkIf value',
    code: '{ config, lib, ... }: let cfg = config; in { imports = [ (lib.mkIf cfg.x { y = 5; }) ]; }',
  },
  {
    name: 'config passed to a function whose strictness is unknown',
    code: '{ config, lib, ... }: let mkModule = { cfg }: { y = if cfg.x then 6 else 0; }; in { imports = [ (mkModule { cfg = config; }) ]; }',
  },
  {
    name: "config in a removed option's explanation",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Nix interpolation, not a JS template
    code: '{ config, lib, ... }: { imports = [ (lib.mkRemovedOptionModule [ "old" ] "see ${config.name}") ]; }',
  },
  {
    name: 'an inline module with an explicit config = mkIf',
    code: '{ config, lib, ... }: { imports = [ { config = lib.mkIf config.x { y = 8; }; } ]; }',
  },
  {
    name: 'a mkDefault module value',
    code: '{ config, lib, ... }: { imports = [ (lib.mkDefault { y = if config.x then 9 else 0; }) ]; }',
  },
  {
    name: "an inline module's _file",
    code: '{ config, lib, ... }: { imports = [ { _file = config.name; y = 10; } ]; }',
  },
];

const recursive: { name: string; code: string; at: [number, string] }[] = [
  {
    name: 'lib.optional on a config value',
    code: '{ config, lib, ... }: { imports = lib.optional config.x { y = 1; }; }',
    at: [48, 'config.x'],
  },
  {
    name: 'if on config',
    code: '{ config, lib, ... }: { imports = if config.x then [ { y = 1; } ] else [ ]; }',
    at: [38, 'config.x'],
  },
  {
    name: 'map over a list that config decides',
    code: '{ config, lib, ... }: { imports = map (n: { y = n; }) (lib.optional config.x 3); }',
    at: [69, 'config.x'],
  },
  {
    name: 'lib.optionals on config, even of mkIf values',
    code: '{ config, lib, ... }: { imports = lib.optionals config.x [ (lib.mkIf true { y = 1; }) ]; }',
    at: [49, 'config.x'],
  },
  {
    name: "an inline module's own imports",
    code: '{ config, lib, ... }: { imports = [ { imports = lib.optional config.x { y = 1; }; } ]; }',
    at: [62, 'config.x'],
  },
  {
    name: "an inline function module's imports, through its own config",
    code: '{ lib, ... }: { imports = [ ({ config, ... }: { imports = lib.optional config.x { y = 1; }; }) ]; }',
    at: [72, 'config.x'],
  },
  {
    name: 'an element config chooses',
    code: '{ config, lib, ... }: { imports = [ (if config.x then { y = 1; } else { }) ]; }',
    at: [41, 'config.x'],
  },
  {
    name: 'an inline function module whose result config chooses',
    code: '{ config, lib, ... }: { imports = [ ({ ... }: if config.x then { y = 1; } else { }) ]; }',
    at: [50, 'config.x'],
  },
  {
    name: 'an import path',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Nix interpolation, not a JS template
    code: '{ config, lib, ... }: { imports = [ ./hosts/${config.name}.nix ]; }',
    at: [47, 'config.name'],
  },
  {
    name: 'an imported path called with arguments',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Nix interpolation, not a JS template
    code: '{ config, lib, ... }: { imports = [ (import ./m/${config.name}.nix { }) ]; }',
    at: [51, 'config.name'],
  },
  {
    name: 'map into paths over config',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Nix interpolation, not a JS template
    code: '{ config, lib, ... }: { imports = map (n: ./hosts/${n}.nix) [ config.name ]; }',
    at: [63, 'config.name'],
  },
  {
    name: 'through a let alias',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Nix interpolation, not a JS template
    code: '{ config, lib, ... }: let host = config.name; in { imports = [ ./hosts/${host}.nix ]; }',
    at: [74, 'host'],
  },
  {
    name: 'through inherit (config)',
    code: '{ config, lib, ... }: let inherit (config) x; in { imports = lib.optional x { y = 1; }; }',
    at: [75, 'x'],
  },
  {
    name: 'args.config of an args@ pattern',
    code: 'args@{ lib, ... }: { imports = lib.optionals args.config.x [ { y = 1; } ]; }',
    at: [46, 'args.config.x'],
  },
  {
    name: 'filter by config',
    code: '{ config, lib, ... }: { imports = builtins.filter (m: config.x) [ { y = 1; } ]; }',
    at: [55, 'config.x'],
  },
  {
    name: 'a condition operand',
    code: '{ config, lib, ... }: { imports = lib.optional (true && config.x) { y = 1; }; }',
    at: [57, 'config.x'],
  },
  {
    name: 'optional from with lib',
    code: '{ config, lib, ... }: with lib; { imports = optional config.x { y = 1; }; }',
    at: [54, 'config.x'],
  },
  {
    name: 'optional inherited from lib',
    code: '{ config, lib, ... }: let inherit (lib) optional; in { imports = optional config.x { y = 1; }; }',
    at: [75, 'config.x'],
  },
  {
    name: 'appended to a static list',
    code: '{ config, lib, ... }: { imports = [ { y = 1; } ] ++ lib.optional config.x { y = 2; }; }',
    at: [66, 'config.x'],
  },
  {
    name: "an inline module's key",
    code: '{ config, lib, ... }: { imports = [ { key = config.name; y = 1; } ]; }',
    at: [45, 'config.name'],
  },
  {
    name: "an inline module's disabledModules",
    code: '{ config, lib, ... }: { imports = [ { disabledModules = lib.optional config.x ./a.nix; } ]; }',
    at: [70, 'config.x'],
  },
  {
    name: 'a dynamic name in an inline module',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Nix interpolation, not a JS template
    code: '{ config, lib, ... }: { imports = [ { ${config.name} = 1; } ]; }',
    at: [41, 'config.name'],
  },
];

ruleTester('imports-config', rule, {
  valid: [
    { name: 'static imports', code: '{ config, ... }:\n{\n  imports = [ ./a.nix ];\n  x = config.y;\n}\n' },
    {
      name: 'config used in an inline module is lazy',
      code: '{ config, ... }:\n{\n  imports = [ { networking.hostName = config.x; } ({ ... }: { y = config.z; }) ];\n}\n',
    },
    {
      name: 'an inline module with its own config',
      code: '{ lib, ... }:\n{\n  imports = [ ({ config, ... }: { x = config.y; }) ];\n}\n',
    },
    {
      name: 'a let binding named config is not the module argument',
      code: 'let config = { a = ./a.nix; }; in { imports = [ config.a ]; }',
    },
    {
      name: 'a shadowing lambda argument',
      code: `{ config, lib, ... }:\n{\n  imports = map (config: ./. + "/\${config}.nix") [ "a" ];\n}\n`,
    },
    {
      name: 'a module builder of the fleet given config (its strictness is unknown)',
      code: `{ config, mylib, ... }:\nlet\n  k3s = mylib.genK3sServer {\n    tokenFile = config.age.secrets.k3s.path;\n  };\nin\n{\n  imports = (mylib.scanPaths ./.) ++ [ k3s ];\n}\n`,
    },
    ...lazy,
  ],
  invalid: [
    {
      name: 'the guide: host name in an import path',
      code: `{ config, pkgs, ... }:\n\n{\n  imports = [\n    ./common.nix\n    ./hardware/\${config.networking.hostName}-hw.nix\n  ];\n}\n`,
      errors: [
        {
          messageId: 'usesConfig',
          line: 6,
          column: 18,
          endColumn: 44,
          message: '`config.networking.hostName`',
          severity: 'error',
        },
      ],
    },
    {
      name: 'through let aliases of aliases',
      code: `{ config, ... }:\nlet\n  cfg = config.tappaas;\n  host = cfg.name;\nin\n{\n  imports = [ (./hosts + "/\${host}.nix") ];\n}\n`,
      errors: [{ messageId: 'usesConfig', line: 7, column: 30, message: '`host`', severity: 'error' }],
    },
    ...recursive.map(({ name, code, at: [column, text] }) => ({
      name,
      code,
      errors: [
        { messageId: 'usesConfig', line: 1, column, message: `\`${text}\``, severity: 'error' as const },
      ],
    })),
  ],
});

// The rule against the module system itself: each table module, evaluated with nixpkgs' own
// lib.evalModules (class "nixos", as nixosSystem does), recurses exactly when the rule reports.
function evaluate(module: string): 'ok' | 'infinite recursion' | string {
  const options = [
    'x = lib.mkOption { type = lib.types.bool; default = false; };',
    'y = lib.mkOption { type = lib.types.int; default = 0; };',
    'name = lib.mkOption { type = lib.types.str; default = "a"; };',
    'assertions = lib.mkOption { default = [ ]; };',
  ].join(' ');
  const r = evalWithLib(
    `(lib.evalModules { class = "nixos"; modules = [ { options = { ${options} }; } { x = true; } (${module}) ]; }).config.y`,
  );
  if ('value' in r) return 'ok';
  return r.error.includes('infinite recursion encountered') ? 'infinite recursion' : r.error;
}

describe.skipIf(!haveNixpkgsLib)('imports-config agrees with lib.evalModules', () => {
  for (const c of lazy) {
    it(`evaluates: ${c.name}`, async () => {
      expect(evaluate(c.code)).toBe('ok');
      expect(await lintWithRule('imports-config', rule, c.code)).toEqual([]);
    });
  }
  for (const c of recursive) {
    it(`recurses: ${c.name}`, async () => {
      expect(evaluate(c.code)).toBe('infinite recursion');
      expect(await lintWithRule('imports-config', rule, c.code)).toHaveLength(1);
    });
  }
});
