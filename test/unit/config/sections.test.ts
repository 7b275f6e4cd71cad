// tappaas.json's typed sections (scripts/config/types.ts) against schemas/tappaas.schema.json:
// every key the schema allows is in the type and the reverse, and the readers' defaults are
// the schema's. Each object below spells a type's keys once: Required<> makes tsc demand all
// of them, and an object literal may hold no other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOY_DEFAULTS, deploySettings } from '../../../scripts/config/deploy.js';
import { fleetLayout } from '../../../scripts/config/fleet.js';
import type {
  DeployConfig,
  FleetConfig,
  HealthCheck,
  HostConfig,
  LintConfig,
  TappaasConfig,
} from '../../../scripts/config/types.js';

type Props = Record<string, { default?: unknown; $ref?: string; enum?: unknown[] }>;
interface Section {
  properties: Props;
  additionalProperties: boolean | { properties: Props };
}
const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../schemas/tappaas.schema.json'), 'utf8'),
);
const section = (name: string) => schema.properties[name] as Section;
const keys = (o: object) => Object.keys(o).sort();

const ALL_SECTIONS: Required<TappaasConfig> = { fleet: {}, lint: {}, policy: {}, hosts: {}, deploy: {} };
const FLEET: Required<FleetConfig> = {
  root: '',
  common: '',
  hosts: '',
  hardware: '',
  modules: '',
  flake: '',
  allowStateVersionChange: '',
};
const LINT: Required<LintConfig> = { rules: {}, ignore: [], maxFileBytes: 1, optionsIndex: true };
const HOST: Required<HostConfig> = {
  address: '',
  sshUser: '',
  sshPort: 22,
  sshOptions: [],
  role: '',
  tags: [],
  health: [],
  profile: '',
  currentSystem: '',
  stateDir: '',
  confirmTimeout: 1,
};
const DEPLOY: Required<DeployConfig> = {
  profile: '',
  currentSystem: '',
  stateDir: '',
  parallel: 1,
  canary: 0,
  maxFailures: 1,
  mode: 'switch',
  healthGrace: 0,
  confirmTimeout: 1,
};
const CHECKS: { [T in HealthCheck['type']]: Required<Extract<HealthCheck, { type: T }>> } = {
  systemd: { type: 'systemd' },
  http: { type: 'http', port: 1, path: '/', expectStatus: 200, timeoutSeconds: 1 },
  command: { type: 'command', run: 'true', timeoutSeconds: 1 },
};

describe('tappaas.json sections', () => {
  it('has a typed section for every section of the schema', () => {
    expect(keys(ALL_SECTIONS)).toEqual(keys(schema.properties).filter((k) => k !== '$schema'));
  });

  it('types each section with exactly the keys the schema allows', () => {
    expect(keys(FLEET)).toEqual(keys(section('fleet').properties));
    expect(keys(LINT)).toEqual(keys(section('lint').properties));
    expect(keys(DEPLOY)).toEqual(keys(section('deploy').properties));
    const host = section('hosts').additionalProperties as { properties: Props };
    expect(keys(HOST)).toEqual(keys(host.properties));
  });

  it('types the health checks and modes as the schema does', () => {
    const variants = schema.definitions.healthCheck.oneOf as {
      properties: Props & { type: { const: string } };
    }[];
    expect(variants.map((v) => v.properties.type.const).sort()).toEqual(keys(CHECKS));
    for (const v of variants)
      expect(keys(CHECKS[v.properties.type.const as HealthCheck['type']])).toEqual(keys(v.properties));
    const mode: Required<DeployConfig>['mode'][] = ['switch', 'boot', 'test'];
    expect(mode).toEqual(schema.definitions.mode.enum);
  });

  it('fills in the schema defaults when reading fleet and deploy', () => {
    const defaults = (props: Props) =>
      Object.fromEntries(
        Object.entries(props).flatMap(([k, p]) => (p.default === undefined ? [] : [[k, p.default]])),
      );
    expect(fleetLayout(undefined)).toEqual(defaults(section('fleet').properties));
    expect(deploySettings({})).toEqual(defaults(section('deploy').properties));
    expect(deploySettings({})).toEqual(DEPLOY_DEFAULTS);
  });

  it('lets a set value win over its default', () => {
    expect(fleetLayout({ hosts: './machines/', flake: ' ' })).toMatchObject({
      hosts: 'machines',
      flake: 'flake.nix',
    });
    expect(deploySettings({ deploy: { parallel: 3, stateDir: '/var/lib/x' } })).toEqual({
      ...DEPLOY_DEFAULTS,
      parallel: 3,
      stateDir: '/var/lib/x',
    });
  });
});
