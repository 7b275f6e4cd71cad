import { describe, expect, it } from 'vitest';
import { suggestOption } from '../../../../scripts/nixos/options-index/suggest.js';
import { OptionsTrie } from '../../../../scripts/nixos/options-index/trie.js';
import { HOST_OPTIONS, optionsIndex } from '../../../helpers/options-index.js';

const trie = OptionsTrie.fromIndexes([
  optionsIndex('web', HOST_OPTIONS, ['broken']),
  optionsIndex('db', ['services.postgresql.enable', 'users.users!', 'users.users.<name>.uid']),
]);
const known = (dotted: string) => trie.lookup(dotted.split('.')).known;

describe('OptionsTrie.lookup', () => {
  it('options, namespaces above them and values below open options are known', () => {
    expect(known('networking.hostName')).toBe(true);
    expect(known('networking')).toBe(true);
    expect(known('networking.firewall')).toBe(true);
    expect(known('nixpkgs.config.cudaSupport')).toBe(true);
    expect(known('systemd.services.api.serviceConfig.ExecStart')).toBe(true);
    expect(known('services.openssh.settings.UseDns')).toBe(true);
  });
  it('placeholders match any name, below closed options only what is declared', () => {
    expect(known('users.users.alice.isNormalUser')).toBe(true);
    expect(known('services.nginx.virtualHosts.a.locations./.proxyPass')).toBe(true);
    expect(known('users.users.alice.shell')).toBe(false);
    expect(known('services.nginx.virtualHosts.a.listen')).toBe(false);
  });
  it('is the union of the hosts', () => {
    expect(known('services.postgresql.enable')).toBe(true);
    expect(known('users.users.alice.uid')).toBe(true);
    expect(trie.hosts).toEqual(['web', 'db']);
  });
  it('a dynamic segment is known where it may name anything', () => {
    expect(trie.lookup(['users', 'users', undefined, 'isNormalUser']).known).toBe(true);
    expect(trie.lookup(['users', 'users', undefined, 'nope'])).toMatchObject({ known: false, at: 3 });
    expect(trie.lookup([undefined, 'x']).known).toBe(true);
  });
  it('below a part that failed to evaluate anything goes', () => {
    expect(known('broken.a.b')).toBe(true);
  });
  it('tells where the path leaves the options', () => {
    expect(trie.lookup(['services', 'opensh', 'enable'])).toMatchObject({ known: false, at: 1 });
    expect(trie.lookup(['graphics'])).toMatchObject({ known: false, at: 0 });
  });
});

describe('suggestOption', () => {
  const suggest = (dotted: string) => {
    const path = dotted.split('.');
    const r = trie.lookup(path);
    if (r.known) throw new Error(`${dotted} is known`);
    return suggestOption(trie, path, r.at, r.parent);
  };
  it('a sibling spelled alike, the whole path when it is then known', () => {
    expect(suggest('services.opensh.enable')).toEqual({
      path: 'services.openssh.enable',
      segment: 'openssh',
    });
    expect(suggest('networking.hostname')).toEqual({ path: 'networking.hostName', segment: 'hostName' });
    expect(suggest('users.users.alice.isNormalUsr')).toEqual({
      path: 'users.users.alice.isNormalUser',
      segment: 'isNormalUser',
    });
  });
  it('the same names at another place', () => {
    expect(suggest('graphics.enable32Bit')).toEqual({ path: 'hardware.graphics.enable32Bit' });
    expect(suggest('firewall.allowedTCPPorts')).toEqual({ path: 'networking.firewall.allowedTCPPorts' });
  });
  it('the nearest full path by spelling, or nothing', () => {
    expect(suggest('system.stateVersionn')).toEqual({ path: 'system.stateVersion', segment: 'stateVersion' });
    expect(suggest('zzz.qqq')).toBeUndefined();
  });
});

describe('OptionsTrie, built lazily', () => {
  const indexes = () => [
    optionsIndex('web', HOST_OPTIONS, ['broken']),
    optionsIndex('db', ['services.postgresql.enable', 'users.users!', 'users.users.<name>.uid']),
  ];
  const probes = [
    'networking.hostName',
    'networking.firewall.enable',
    'users.users.alice.isNormalUser',
    'users.users.alice.uid',
    'users.users.alice.shell',
    'services.postgresql.enable',
    'services.opensh.enable',
    'broken.a.b',
    'graphics',
    'services.nginx.virtualHosts.a.listen',
  ].map((p) => p.split('.'));
  const answers = (t: OptionsTrie) =>
    probes.map((p) => {
      const r = t.lookup(p);
      return r.known ? 'known' : `miss at ${r.at}`;
    });

  it('answers alike whatever was asked first, and whether an index came before or after lookups', () => {
    const reference = answers(OptionsTrie.fromIndexes(indexes()));
    const reversed = OptionsTrie.fromIndexes(indexes());
    const backwards = [...probes].reverse().map((p) => reversed.lookup(p).known);
    expect(backwards.reverse()).toEqual(reference.map((a) => a === 'known'));
    // The second index added after the first was partly sorted down the trie.
    const late = new OptionsTrie();
    const [web, db] = indexes();
    late.add(web!);
    answers(late);
    late.add(db!);
    expect(answers(late)).toEqual(reference);
  });

  it('lists every option path once expanded', () => {
    const t = OptionsTrie.fromIndexes(indexes());
    const listed = new Set(t.optionPaths().map((p) => p.join('.')));
    expect(listed.has('services.postgresql.enable')).toBe(true);
    expect(listed.has('users.users.<name>.uid')).toBe(true);
    expect(listed.has('networking.hostName')).toBe(true);
  });
});
