// The docs examples of gpu-driver, service-admin-user, state-version and
// unknown-option-namespace are shown by `tappaas rules`: `bad` is reported, `good` is not.
import { describe, expect, it } from 'vitest';
import gpuDriver from '../../../scripts/lint/rules/gpu-driver.js';
import serviceAdminUser from '../../../scripts/lint/rules/service-admin-user.js';
import stateVersion from '../../../scripts/lint/rules/state-version.js';
import unknownOptionNamespace from '../../../scripts/lint/rules/unknown-option-namespace.js';
import type { Rule } from '../../../scripts/lint/types.js';
import { lintWithRule } from '../../helpers/rule-tester.js';

const nixos: Record<string, Rule> = {
  'gpu-driver': gpuDriver,
  'service-admin-user': serviceAdminUser,
  'state-version': stateVersion,
  'unknown-option-namespace': unknownOptionNamespace,
};

/** Snippets that are bodies of a module (not whole modules) are wrapped in one. */
const asModule = (code: string) => (/^\{[^}]*\}:/.test(code) ? code : `{ config, ... }:\n{\n${code}\n}\n`);

describe('NixOS rule docs', () => {
  for (const [id, rule] of Object.entries(nixos)) {
    it(`${id}: bad is reported, good is not`, async () => {
      const path = 'nix/common.nix';
      const bad = await lintWithRule(id, rule, asModule(rule.meta.docs.bad), undefined, path);
      expect(bad.length, rule.meta.docs.bad).toBeGreaterThan(0);
      const good = await lintWithRule(id, rule, asModule(rule.meta.docs.good), undefined, path);
      expect(good.map((d) => d.message)).toEqual([]);
      expect(rule.meta.docs.why.length).toBeGreaterThan(80);
    });
  }
});
