import { describe, expect, it } from 'vitest';
import { fleetLayout } from '../../../scripts/config/fleet.js';
import { registrationLayout } from '../../../scripts/fleet/registration-files.js';
import { parseRawDiff } from '../../../scripts/registration/branch-changes.js';
import { inventoryEntry, onboardChanges, retireChanges } from '../../../scripts/registration/changes.js';
import { hostFile, knownRoles } from '../../../scripts/registration/host-file.js';
import {
  deployAddress,
  parsePayload,
  type RegistrationPayload,
} from '../../../scripts/registration/payload.js';
import { hostFromRef } from '../../../scripts/registration/ref.js';
import { onboardComment, onboardPullBody } from '../../../scripts/registration/report.js';
import { proxmoxSteps } from '../../../scripts/registration/retire.js';
import { classifyEvalError } from '../../../scripts/registration/verify.js';
import { payloadFor } from '../../helpers/onboard-fleet.js';

const layout = fleetLayout(undefined);
const payload = payloadFor('web1') as unknown as RegistrationPayload;
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('registration ref', () => {
  it('takes the host from every spelling of the branch', () => {
    for (const ref of [
      'registration/web1',
      'refs/heads/registration/web1',
      'refs/remotes/origin/registration/web1',
      'origin/registration/web1',
    ])
      expect(hostFromRef(ref)).toEqual({ branch: 'registration/web1', host: 'web1' });
  });
  it('refuses what is not a registration of a valid host name', () => {
    expect(hostFromRef('feature/x')).toEqual({
      problem: '"feature/x" is not a registration branch (registration/<hostname>)',
    });
    expect(hostFromRef('registration/a/b')).toMatchObject({
      problem: expect.stringMatching(/contains "\/"/),
    });
    expect(hostFromRef('registration/WEB')).toMatchObject({ problem: expect.stringMatching(/upper case/) });
    expect(hostFromRef('registration/wеb')).toMatchObject({ problem: expect.stringMatching(/non-ASCII/) });
    expect(hostFromRef('registration/-x')).toMatchObject({ problem: expect.stringMatching(/RFC 1123/) });
    expect(hostFromRef('vm/web1', 'vm/')).toEqual({ branch: 'vm/web1', host: 'web1' });
  });
});

describe('registration files and changes', () => {
  it('puts the hardware file where the fleet layout says, the payload in registrations/', () => {
    expect(registrationLayout(layout, 'web1')).toEqual({
      hardware: 'nix/hardware/web1-hw.nix',
      payload: 'registrations/web1.json',
    });
    expect(registrationLayout(fleetLayout({ hardware: 'fleet/hw/' }), 'web1').hardware).toBe(
      'fleet/hw/web1-hw.nix',
    );
  });
  it('reads paths and their new modes from git diff --raw -z', () => {
    const z = (o: string, n: string, st: string, path: string) =>
      `:${o} ${n} ${'a'.repeat(40)} ${'b'.repeat(40)} ${st}\0${path}\0`;
    const raw = [
      z('000000', '100644', 'A', 'registrations/web1.json'),
      z('100644', '120000', 'T', 'nix/hardware/web1-hw.nix'),
      z('100644', '000000', 'D', 'a file\nwith a newline'),
    ].join('');
    expect(parseRawDiff(raw, 'tip')).toEqual([
      { commit: 'tip', path: 'registrations/web1.json', mode: '100644' },
      { commit: 'tip', path: 'nix/hardware/web1-hw.nix', mode: '120000' },
      { commit: 'tip', path: 'a file\nwith a newline', mode: '000000' },
    ]);
    expect(parseRawDiff('', 'tip')).toEqual([]);
  });
});

describe('payload', () => {
  it('accepts a valid payload', () => {
    expect(parsePayload(bytes(payload), 'p.json')).toEqual({ ok: true, payload });
  });
  it('lists every problem with the JSON path', () => {
    const r = parsePayload(bytes({ ...payload, extra: 1, cpu: { model: 'x', count: 0 } }), 'p.json');
    expect(r).toEqual({
      ok: false,
      problems: [
        'p.json /extra: is not a known setting (check its spelling against the schema)',
        'p.json /cpu/count: must be >= 1',
      ],
    });
    // Whether the name is the branch's is the registration verdict's rule (policy/registration.ts).
    expect(parsePayload(bytes({ ...payload, hostname: 'web2' }), 'p.json')).toMatchObject({ ok: true });
    expect(parsePayload(bytes({ ...payload, hostname: 'Web2' }), 'p.json')).toMatchObject({
      problems: expect.arrayContaining([
        'p.json: hostname "Web2" contains upper case (host names are lower case)',
      ]),
    });
    expect(parsePayload(Buffer.from('[1,'), 'p.json')).toMatchObject({
      problems: [expect.stringMatching(/^p\.json is not valid JSON/)],
    });
    expect(parsePayload(Buffer.alloc(70_000, 32), 'p.json')).toMatchObject({
      problems: ['p.json has 70000 bytes; a registration payload may have at most 65536'],
    });
  });
  it('deploys to the first IPv4 address', () => {
    expect(deployAddress({ addresses: ['fd00:0:0:0:0:0:0:1', '10.1.1.1'] })).toBe('10.1.1.1');
    expect(deployAddress({ addresses: ['fd00:0:0:0:0:0:0:1'] })).toBe('fd00:0:0:0:0:0:0:1');
    expect(deployAddress({ addresses: [] })).toBeUndefined();
  });
});

describe('host file generator', () => {
  it('enables the role, as the hand-written hosts do', () => {
    expect(hostFile('web1', 'open-webui', ['open-webui'])).toBe(
      '# Host web1: role open-webui. Generated from registrations/web1.json by `tappaas register process`.\n{\n  tappaas.roles.open-webui.enable = true;\n}\n',
    );
    expect(() => hostFile('web1', 'mail', ['vllm', 'litellm'])).toThrow(
      /role "mail" has no module: known roles are vllm, litellm; add nix\/modules\/roles\/mail\.nix first/,
    );
  });
  it('knows the roles from the modules folder only', () => {
    expect(
      knownRoles(
        [
          'nix/modules/roles/vllm.nix',
          'nix/modules/roles/a.nix',
          'nix/modules/roles/x/y.nix',
          'nix/roles/z.nix',
        ],
        layout,
      ),
    ).toEqual(['a', 'vllm']);
  });
});

describe('changes', () => {
  it('keeps hand-set inventory fields and tags, owns address and role', () => {
    expect(
      inventoryEntry(payload, { sshUser: 'ops', tags: ['canary'], address: 'old', role: 'old' }),
    ).toEqual({
      address: '10.0.0.51',
      role: 'vllm',
      tags: ['canary'],
      sshUser: 'ops',
    });
    expect(Object.keys(inventoryEntry({ ...payload, addresses: [] }, undefined))).toEqual(['role', 'tags']);
  });
  it('keeps an existing host file on re-registration', () => {
    const base = {
      host: 'web1',
      layout,
      roles: ['vllm'],
      payload,
      payloadBytes: bytes(payload),
      hardwareBytes: Buffer.from('{ }'),
    };
    expect(Object.keys(onboardChanges({ ...base, hostFileExists: false })).sort()).toEqual([
      'nix/hardware/web1-hw.nix',
      'nix/hosts/web1.nix',
      'registrations/web1.json',
      'tappaas.json',
    ]);
    expect(Object.keys(onboardChanges({ ...base, hostFileExists: true }))).not.toContain(
      'nix/hosts/web1.nix',
    );
  });
  it('retires files that exist, the inventory entry and the registration binding', () => {
    const config =
      '{\n  "policy": {"registration": {"hosts": {"web1": ["ssh-key:SHA256:x"], "web2": []}}},\n  "hosts": {"web1": {}, "web2": {}}\n}\n';
    expect(
      retireChanges('web1', layout, new Set(['nix/hosts/web1.nix', 'registrations/web1.json']), config),
    ).toEqual({
      'nix/hosts/web1.nix': null,
      'registrations/web1.json': null,
      'tappaas.json':
        '{\n  "policy": {"registration": {"hosts": {"web2": []}}},\n  "hosts": {"web2": {}}\n}\n',
    });
    expect(retireChanges('web9', layout, new Set(), config)).toEqual({});
  });
});

describe('reports', () => {
  it('are deterministic, so a re-run leaves the pull request alone', () => {
    const files = [{ path: 'nix/hosts/web1.nix', change: 'added' as const }];
    const a = onboardPullBody('web1', payload, files, { role: 'vllm' });
    expect(onboardPullBody('web1', payload, files, { role: 'vllm' })).toBe(a);
    expect(a).toContain('| GPUs | 0000:01:00.0 10de:2230 (nvidia) |');
    expect(a).toContain('| memory | 32.0 GiB |');
    const c = onboardComment({
      ref: 'r',
      host: 'web1',
      status: 'ok',
      problems: [],
      commit: 'abc',
      branch: 'onboard/web1',
      check: { errors: 0, warnings: 0, diagnostics: [] },
      evaluation: { status: 'skipped', reason: 'nixpkgs unavailable (x)' },
    });
    expect(c).toBe(
      '### tappaas register process: web1\n\n- check: no new finding (structure and lint)\n- evaluation skipped: nixpkgs unavailable (x)\n- commit: `abc` on `onboard/web1`, from `r`\n',
    );
  });
  it('Proxmox steps name the VM, the MACs, the keys and the refs', () => {
    const steps = proxmoxSteps('web1', {
      vmid: 8151,
      macs: ['bc:24:11:00:00:01'],
      addresses: ['10.0.0.5'],
      identities: ['ssh-key:SHA256:abc'],
      sshHostKey: payload.sshHostKey,
    });
    expect(steps[0]).toBe(
      'On the Proxmox node: stop and destroy VM 8151: qm shutdown 8151 && qm destroy 8151 --purge',
    );
    expect(steps[1]).toBe(
      'DHCP/DNS: remove the lease or static mapping of MAC bc:24:11:00:00:01 (10.0.0.5) and the DNS record of web1',
    );
    expect(steps[2]).toMatch(/identities bound to it \(ssh-key:SHA256:abc;.*tappaas-known-hosts\.json/);
    expect(steps[3]).toBe(
      'Delete its refs: git push origin --delete refs/deployed/web1 registration/web1 (whichever exist)',
    );
    expect(proxmoxSteps('web1', {})[0]).toMatch(/find the VM of web1 \(qm list\)/);
  });
  it('tells missing inputs (offline) from a host that does not evaluate', () => {
    expect(
      classifyEvalError(
        "unable to download 'https://api.github.com/repos/NixOS/nixpkgs/commits/nixos-25.05': Couldn't resolve host name (6)",
      ),
    ).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^nixpkgs unavailable \(unable to download/),
    });
    expect(classifyEvalError('nix/hosts/web1.nix:3: undefined variable x')).toEqual({
      status: 'eval-error',
      error: 'nix/hosts/web1.nix:3: undefined variable x',
    });
  });
});
