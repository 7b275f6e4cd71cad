// The deploy inventory: schema (through parseConfig, as every command loads tappaas.json),
// defaults per role, per-host overrides, and hostile host names refused by name.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../scripts/config/deploy.js';
import { ConfigError, parseConfig } from '../../../scripts/config/file.js';
import { inventoryOf, selectHosts } from '../../../scripts/deploy/inventory.js';

function load(config: object) {
  return inventoryOf(parseConfig(JSON.stringify(config), '/repo/tappaas.json'), '/repo/tappaas.json');
}

function problem(config: object): ConfigError {
  try {
    load(config);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('inventory', () => {
  it('applies the defaults and the role health checks', () => {
    const inv = load({
      hosts: {
        'tappaas-vllm': { address: '10.0.0.5', role: 'vllm' },
        'tappaas-litellm': { role: 'litellm', sshUser: 'deploy', sshPort: 2222 },
        'tappaas-openwebui': { role: 'open-webui', tags: ['canary'] },
        plain: {},
      },
    });
    expect(inv.settings).toEqual({
      profile: DEFAULT_PROFILE,
      currentSystem: '/run/current-system',
      parallel: 10,
      canary: 0,
      maxFailures: 1,
      mode: 'switch',
      confirmTimeout: 30,
      healthGrace: 30,
    });
    const [vllm, litellm, webui, plain] = inv.hosts;
    expect(vllm).toEqual({
      name: 'tappaas-vllm',
      address: '10.0.0.5',
      role: 'vllm',
      health: [{ type: 'systemd' }, { type: 'http', port: 8000, path: '/health' }],
      profile: DEFAULT_PROFILE,
      currentSystem: '/run/current-system',
      confirmTimeout: 30,
    });
    expect(litellm!.health[1]).toEqual({ type: 'http', port: 4000, path: '/health/liveliness' });
    expect(litellm).toMatchObject({ address: 'tappaas-litellm', sshUser: 'deploy', sshPort: 2222 });
    expect(webui!.health[1]).toEqual({ type: 'http', port: 8080, path: '/health' });
    expect(webui!.tags).toEqual(['canary']);
    expect(plain!.health).toEqual([{ type: 'systemd' }]);
  });

  it('takes deploy settings and per-host overrides; health [] turns checks off', () => {
    const inv = load({
      deploy: {
        profile: '/srv/p/system',
        currentSystem: '/srv/current',
        parallel: 3,
        maxFailures: 2,
        mode: 'boot',
        confirmTimeout: 5,
        canary: 1,
      },
      hosts: {
        a: { health: [], profile: '/x/system', sshOptions: ['StrictHostKeyChecking=yes'] },
        b: {
          role: 'vllm',
          health: [{ type: 'command', run: 'true' }],
          confirmTimeout: 9,
          stateDir: '/srv/b/state',
        },
      },
    });
    expect(inv.settings).toMatchObject({
      parallel: 3,
      maxFailures: 2,
      mode: 'boot',
      confirmTimeout: 5,
      canary: 1,
    });
    expect(inv.hosts[0]).toMatchObject({
      health: [],
      profile: '/x/system',
      currentSystem: '/srv/current',
      confirmTimeout: 5,
    });
    expect(inv.hosts[0]!.sshOptions).toEqual(['StrictHostKeyChecking=yes']);
    expect(inv.hosts[1]).toMatchObject({
      health: [{ type: 'command', run: 'true' }],
      profile: '/srv/p/system',
      confirmTimeout: 9,
      stateDir: '/srv/b/state',
    });
    expect(inv.hosts[0]).not.toHaveProperty('stateDir');
  });

  it.each([
    ['../x', 'contains "/" or ".."'],
    ['Web1', 'upper case'],
    ['wеb1', 'non-ASCII'], // Cyrillic е
    ['-web', 'RFC 1123'],
    ['a'.repeat(64), 'longer than 63'],
  ])('refuses the host name %j, naming it', (name, why) => {
    const err = problem({ hosts: { [name]: { address: '127.0.0.1' } } });
    expect(err.message).toContain(JSON.stringify(name));
    expect(err.message).toContain(why);
    expect(err.message).toContain('/repo/tappaas.json');
    expect(err.problems[0]!.path).toBe(`/hosts/${name}`);
  });

  it.each([
    [{ hosts: { a: { sshPort: 0 } } }, '/hosts/a/sshPort'],
    [{ hosts: { a: { address: '-oProxyCommand=x' } } }, '/hosts/a/address'],
    [{ hosts: { a: { sshOptions: ['-F/tmp/x'] } } }, '/hosts/a/sshOptions/0'],
    [{ hosts: { a: { adress: 'x' } } }, '/hosts/a/adress'],
    [{ hosts: { a: { health: [{ type: 'http', port: 80 }] } } }, '/hosts/a/health/0'],
    [{ hosts: { a: { profile: 'relative/path' } } }, '/hosts/a/profile'],
    [{ deploy: { mode: 'dry-activate' } }, '/deploy/mode'],
    [{ deploy: { parallel: 0 } }, '/deploy/parallel'],
  ])('the schema refuses %j at %s', (config, path) => {
    expect(() => parseConfig(JSON.stringify(config), 'tappaas.json')).toThrow(ConfigError);
    try {
      parseConfig(JSON.stringify(config), 'tappaas.json');
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.path)).toContain(path);
    }
  });

  it('selects named hosts in inventory order and lists unknown names', () => {
    const inv = load({ hosts: { a: {}, b: {}, c: {} } });
    const s = selectHosts(inv, ['c', 'a', 'zz']);
    expect(s.hosts.map((h) => h.name)).toEqual(['a', 'c']);
    expect(s.unknown).toEqual(['zz']);
    expect(selectHosts(inv, []).hosts).toHaveLength(3);
  });
});
