import { describe, expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/unknown-option-namespace.js';
import {
  editDistance,
  isNixosNamespace,
  KNOWN_MOVES,
  NIXOS_NAMESPACES,
  suggestNamespace,
} from '../../../../scripts/nixos/option-namespaces.js';
import table from '../../../../scripts/nixos/renamed-options.json' with { type: 'json' };
import { lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

const m = (body: string) => `{ config, lib, pkgs, ... }:\n{\n${body}\n}\n`;

ruleTester('unknown-option-namespace', rule, {
  valid: [
    {
      name: 'every namespace a host commonly uses',
      code: m(
        '  boot.loader.systemd-boot.enable = true;\n  hardware.graphics.enable = true;\n  services.openssh.enable = true;\n  networking.hostName = "a";\n  users.users.a.isNormalUser = true;\n  environment.systemPackages = [ ];\n  system.stateVersion = "25.05";\n  nix.settings = { };\n  nixpkgs.config.allowUnfree = true;\n  fileSystems."/".device = "x";\n  swapDevices = [ ];\n  time.timeZone = "UTC";\n  i18n.defaultLocale = "C";\n  security.sudo.enable = true;\n  virtualisation.docker.enable = false;\n  systemd.services.a.enable = true;\n  programs.git.enable = true;\n  zramSwap.enable = true;\n  assertions = [ ];\n  warnings = [ ];\n  meta.maintainers = [ ];\n  _module.args.x = 1;',
      ),
    },
    { name: 'our own namespace', code: m('  tappaas.roles.vllm.enable = true;') },
    {
      name: 'a namespace this module declares (explicit form)',
      code: '{ lib, config, ... }:\n{\n  options.foo.enable = lib.mkEnableOption "foo";\n  config = lib.mkIf config.foo.enable {\n    foo.extra = 1;\n    services.nginx.enable = true;\n  };\n}\n',
    },
    {
      name: 'a namespace declared by an inline module in imports',
      code: '{ lib, ... }:\n{\n  imports = [ { options.bar = lib.mkOption { }; } ];\n  bar = 1;\n}\n',
    },
    {
      name: 'third-party namespaces through extraNamespaces',
      code: m('  sops.secrets.a = { };\n  home-manager.users.a = { };'),
      options: { extraNamespaces: ['sops', 'home-manager'] },
    },
    {
      name: 'legacy names are left to renamed-option',
      code: m('  sound.enable = true;\n  krb5.enable = true;'),
    },
    {
      name: 'with an options index (indexed), unknown names are left to unknown-option',
      code: m('  graphics.enable = true;\n  service.openssh.enable = true;'),
      options: { indexed: true },
    },
    { name: 'a dynamic top-level key is not judged', code: m(`  \${"services"}.a.enable = true;`) },
    { name: 'not a module (plain attrset)', code: '{ graphics = { enable = true; }; }' },
    { name: 'a let binding is no definition', code: m('  services.a = let graphics = 1; in graphics;') },
    {
      name: 'a module set from the image builders',
      code: '{ modulesPath, ... }:\n{\n  imports = [ (modulesPath + "/installer/cd-dvd/iso-image.nix") ];\n  isoImage.squashfsCompression = "zstd";\n}\n',
    },
  ],
  invalid: [
    {
      name: 'the guide: graphics at the top level (nested set)',
      code: m('  graphics = {\n    enable = true;\n    enable32Bit = true;\n  };'),
      errors: [
        {
          messageId: 'unknownNamespace',
          line: 3,
          column: 3,
          endColumn: 11,
          message: 'Did you mean `hardware.graphics`?',
        },
      ],
    },
    {
      name: 'dotted path, one report per key',
      code: m('  graphics.enable = true;\n  graphics.enable32Bit = true;'),
      errors: [
        { messageId: 'unknownNamespace', line: 3, column: 3, message: '`graphics.enable`' },
        { messageId: 'unknownNamespace', line: 4, column: 3 },
      ],
    },
    {
      name: 'inside config = { … }',
      code: '{ lib, ... }:\n{\n  options.x = lib.mkOption { };\n  config = {\n    service.openssh.enable = true;\n  };\n}\n',
      errors: [{ messageId: 'unknownNamespace', line: 5, column: 5, message: 'Did you mean `services`?' }],
    },
    {
      name: 'under lib.mkIf and lib.mkMerge',
      code: '{ config, lib, ... }:\n{\n  config = lib.mkMerge [\n    (lib.mkIf true { progams.git.enable = true; })\n    { openssh.enable = true; }\n  ];\n}\n',
      errors: [
        { messageId: 'unknownNamespace', line: 4, column: 22, message: 'Did you mean `programs`?' },
        { messageId: 'unknownNamespace', line: 5, column: 7, message: 'Did you mean `services.openssh`?' },
      ],
    },
    {
      name: 'shorthand under mkIf at the top level',
      code: m('  xserver = lib.mkIf true { enable = true; };'),
      errors: [{ messageId: 'unknownNamespace', line: 3, column: 3, message: '`services.xserver`' }],
    },
    {
      name: 'beside options/config is still reported with an options index',
      code: '{ lib, ... }:\n{\n  options.x = lib.mkOption { };\n  config.x = 1;\n  graphics.enable = true;\n}\n',
      options: { indexed: true },
      errors: [{ messageId: 'besideConfig', line: 5, column: 3 }],
    },
    {
      name: 'beside options/config: rejected even for a known namespace',
      code: '{ lib, ... }:\n{\n  options.x = lib.mkOption { };\n  config.x = 1;\n  services.nginx.enable = true;\n  services.nginx.user = "a";\n  graphics.enable = true;\n}\n',
      errors: [
        { messageId: 'besideConfig', line: 5, column: 3, message: 'unsupported attribute `services`' },
        { messageId: 'besideConfig', line: 6, column: 3 },
        { messageId: 'besideConfig', line: 7, column: 3, message: '`graphics`' },
      ],
    },
    {
      name: 'no guess for a name like nothing known',
      code: m('  qwertyuiop.enable = true;'),
      errors: [{ messageId: 'unknownNamespace', line: 3, column: 3 }],
    },
    {
      name: 'a third-party namespace not configured',
      code: m('  sops.secrets.a = { };'),
      errors: [{ messageId: 'unknownNamespace', line: 3, column: 3 }],
    },
  ],
});

describe('unknown-option-namespace details', () => {
  it('offers the guess as a suggestion that rewrites the key', async () => {
    const code = m('  graphics = {\n    enable = true;\n  };');
    const [d] = await lintWithRule('unknown-option-namespace', rule, code);
    expect(d?.fix).toBeUndefined();
    const fix = d?.suggestions?.[0]?.fix;
    expect(fix && code.slice(0, fix.start) + fix.text + code.slice(fix.end)).toContain(
      '  hardware.graphics = {',
    );
    expect(d?.help).toContain('extraNamespaces');
  });

  it('namespace data: current names, the lib/modules.nix one, no duplicates', () => {
    expect(new Set(NIXOS_NAMESPACES).size).toBe(NIXOS_NAMESPACES.length);
    for (const n of ['_module', 'services', 'hardware', 'zramSwap', 'specialisation', 'power']) {
      expect(isNixosNamespace(n), n).toBe(true);
    }
    expect(isNixosNamespace('graphics')).toBe(false);
    expect(isNixosNamespace('tappaas')).toBe(false);
  });

  it('every first name of the renamed/removed table is known (renamed-option reports those)', () => {
    const firsts = new Set(table.entries.map((e: { from: string[] }) => e.from[0] as string));
    expect([...firsts].filter((n) => !isNixosNamespace(n))).toEqual([]);
  });

  it('every known move leads from an unknown name into a known namespace', () => {
    for (const [from, to] of Object.entries(KNOWN_MOVES)) {
      expect(isNixosNamespace(from), from).toBe(false);
      expect(isNixosNamespace(to.split('.')[0] as string), to).toBe(true);
    }
  });

  it('suggestions: known moves first, then spelling, then nothing', () => {
    expect(suggestNamespace('graphics')).toBe('hardware.graphics');
    expect(suggestNamespace('servics')).toBe('services');
    expect(suggestNamespace('Services')).toBe('services');
    expect(suggestNamespace('enviroment')).toBe('environment');
    expect(suggestNamespace('sopz', ['sops'])).toBe('sops');
    expect(suggestNamespace('qwertyuiop')).toBeUndefined();
    expect(suggestNamespace('constructor')).toBeUndefined();
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
  });
});
