// `tappaas register process` on real git repositories: a registration branch in, the exact
// files of the new host on onboard/<host> out, idempotent; bad registrations rejected with
// nothing written. The fleet is the toolkit's own nix/ (its flake needs nixpkgs, which this
// offline machine cannot fetch: evaluation is reported skipped, with the reason).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_CONFIG, FleetRepo, hardwareFor, NIX_OFFLINE, payloadFor } from '../helpers/onboard-fleet.js';
import { buildCli } from '../helpers/run-cli.js';
import { runCliAsync } from '../helpers/run-cli-async.js';

const ENV = { NIX_CONFIG: NIX_OFFLINE };

beforeAll(() => buildCli(), 180_000);

function process(repo: FleetRepo, ref: string, extra: string[] = []) {
  return runCliAsync(['register', 'process', ref, '--json', ...extra], {
    cwd: repo.work,
    env: ENV,
    timeoutMs: 240_000,
  });
}

describe('tappaas register process: onboarding', () => {
  let repo: FleetRepo;
  beforeAll(() => {
    repo = new FleetRepo();
    repo.registerHost('web1');
  });
  afterAll(() => repo.cleanup());

  it('writes exactly the new host files on onboard/web1, leaving the work tree alone', async () => {
    const before = repo.git(['status', '--porcelain']);
    const head = repo.git(['rev-parse', 'HEAD']);
    const r = await process(repo, 'registration/web1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      host: 'web1',
      role: 'vllm',
      status: 'ok',
      branch: 'onboard/web1',
      reused: false,
      problems: [],
      files: [
        { path: 'registrations/web1.json', change: 'added' },
        { path: 'nix/hardware/web1-hw.nix', change: 'added' },
        { path: 'nix/hosts/web1.nix', change: 'added' },
        { path: 'tappaas.json', change: 'modified' },
      ],
      inventory: { address: '10.0.0.51', role: 'vllm', tags: ['vllm'] },
      check: { errors: 0, warnings: 0, diagnostics: [] },
      evaluation: { status: 'skipped' },
    });
    expect(report.evaluation.reason).toMatch(/^nixpkgs unavailable \(unable to download/);
    const commit = report.commit as string;
    expect(repo.git(['rev-parse', 'refs/heads/onboard/web1'])).toBe(commit);
    expect(repo.git(['rev-parse', `${commit}^`])).toBe(repo.git(['rev-parse', 'origin/main']));
    // The exact files.
    expect(repo.at(commit, 'nix/hosts/web1.nix')).toBe(
      '# Host web1: role vllm. Generated from registrations/web1.json by `tappaas register process`.\n{\n  tappaas.roles.vllm.enable = true;\n}\n',
    );
    expect(repo.at(commit, 'nix/hardware/web1-hw.nix')).toBe(hardwareFor('web1'));
    expect(repo.at(commit, 'registrations/web1.json')).toBe(
      `${JSON.stringify(payloadFor('web1'), null, 2)}\n`,
    );
    expect(repo.at(commit, 'tappaas.json')).toBe(
      FLEET_CONFIG.replace(
        /\n}\n$/,
        ',\n  "hosts": {\n    "web1": {\n      "address": "10.0.0.51",\n      "role": "vllm",\n      "tags": ["vllm"]\n    }\n  }\n}\n',
      ),
    );
    expect(repo.git(['diff', '--name-only', 'origin/main', commit]).split('\n').sort()).toEqual([
      'nix/hardware/web1-hw.nix',
      'nix/hosts/web1.nix',
      'registrations/web1.json',
      'tappaas.json',
    ]);
    // The caller's work tree, index and checked-out branch are as they were.
    expect(repo.git(['status', '--porcelain'])).toBe(before);
    expect(repo.git(['rev-parse', 'HEAD'])).toBe(head);
    expect(repo.git(['symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
  }, 300_000);

  it('is idempotent: a second run reuses the same commit and changes nothing', async () => {
    const first = repo.git(['rev-parse', 'refs/heads/onboard/web1']);
    const state = repo.state();
    const r = await process(repo, 'refs/remotes/origin/registration/web1', ['--no-eval']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', commit: first, reused: true });
    expect(repo.state()).toBe(state);
  }, 300_000);

  it('says so when the base already has the host', async () => {
    repo.git(['push', '-q', 'origin', 'refs/heads/onboard/web1:refs/heads/main']);
    repo.git(['fetch', '-q', 'origin']);
    const r = await runCliAsync(['register', 'process', 'registration/web1', '--no-eval'], {
      cwd: repo.work,
      env: ENV,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('tappaas register process: web1 is already onboarded on the base; nothing to do\n');
  }, 300_000);
});

describe('tappaas register process: bad registrations are rejected and nothing is written', () => {
  let repo: FleetRepo;
  beforeAll(() => {
    repo = new FleetRepo();
  });
  afterAll(() => repo.cleanup());

  const payloadText = (host: string, over: Record<string, unknown> = {}) =>
    `${JSON.stringify(payloadFor(host, over), null, 2)}\n`;
  const missingRole = (() => {
    const p = payloadFor('nm1');
    delete p.role;
    return `${JSON.stringify(p)}\n`;
  })();

  const cases: {
    name: string;
    branch: string;
    ref?: string;
    files?: Record<string, string>;
    expect: RegExp[];
  }[] = [
    {
      name: 'a missing field',
      branch: 'nm1',
      files: { 'registrations/nm1.json': missingRole, 'nix/hardware/nm1-hw.nix': hardwareFor('nm1') },
      expect: [/registrations\/nm1\.json: must have required property 'role'/],
    },
    {
      name: 'a wrong type',
      branch: 'wt1',
      files: {
        'registrations/wt1.json': payloadText('wt1', { memoryBytes: '32G', proxmoxVmId: 'x' }),
        'nix/hardware/wt1-hw.nix': hardwareFor('wt1'),
      },
      expect: [/registrations\/wt1\.json \/memoryBytes: must be integer/, /\/proxmoxVmId: must be integer/],
    },
    {
      name: 'broken JSON',
      branch: 'bj1',
      files: {
        'registrations/bj1.json': '{"hostname": "bj1",',
        'nix/hardware/bj1-hw.nix': hardwareFor('bj1'),
      },
      expect: [/registrations\/bj1\.json is not valid JSON/],
    },
    {
      name: 'an oversized payload',
      branch: 'big1',
      files: {
        'registrations/big1.json': payloadText('big1').replace('{', `{${' '.repeat(70_000)}`),
        'nix/hardware/big1-hw.nix': hardwareFor('big1'),
      },
      expect: [/registrations\/big1\.json has 70\d{3} bytes; at most 65536 are accepted for a payload/],
    },
    {
      name: 'an oversized hardware file',
      branch: 'big2',
      files: {
        'registrations/big2.json': payloadText('big2'),
        'nix/hardware/big2-hw.nix': `${hardwareFor('big2')}#${'x'.repeat(300_000)}\n`,
      },
      expect: [/nix\/hardware\/big2-hw\.nix has 30\d{4} bytes; at most 262144/],
    },
    {
      name: 'a payload naming another host than the branch',
      branch: 'web2',
      files: {
        'registrations/web2.json': payloadText('web1'),
        'nix/hardware/web2-hw.nix': hardwareFor('web2'),
      },
      expect: [
        /^registrations\/web2\.json says hostname "web1", but the branch is for web2; push the registration of web1 to registration\/web1$/m,
      ],
    },
    {
      name: 'a hostile host name in the payload',
      branch: 'web3',
      files: {
        'registrations/web3.json': payloadText('../x'),
        'nix/hardware/web3-hw.nix': hardwareFor('web3'),
      },
      expect: [/\/hostname: must match pattern/, /hostname "\.\.\/x" contains "\/" or "\.\."/],
    },
    {
      name: 'files of another host',
      branch: 'web4',
      files: {
        'registrations/web5.json': payloadText('web5'),
        'nix/hardware/web5-hw.nix': hardwareFor('web5'),
      },
      expect: [
        /^a registration of web4 may change only nix\/hardware\/web4-hw\.nix and registrations\/web4\.json, not registrations\/web5\.json; drop the change to registrations\/web5\.json from registration\/web4; other changes go through a pull request$/m,
        /registrations\/web4\.json is missing at registration\/web4/,
      ],
    },
    {
      name: 'an unknown role',
      branch: 'mail1',
      files: {
        'registrations/mail1.json': payloadText('mail1', { role: 'mailserver' }),
        'nix/hardware/mail1-hw.nix': hardwareFor('mail1'),
      },
      expect: [/role "mailserver" has no module: known roles are [a-z, -]*\bvllm\b/],
    },
    {
      name: 'upper case in the branch',
      branch: 'Web6',
      files: {
        'registrations/Web6.json': payloadText('Web6'),
        'nix/hardware/Web6-hw.nix': hardwareFor('Web6'),
      },
      expect: [
        /^host name "Web6" in registration\/Web6 contains upper case \(host names are lower case\); set the VM host name/m,
      ],
    },
    {
      name: 'a unicode look-alike in the branch',
      branch: 'w\u0435b7',
      files: {
        'registrations/w\u0435b7.json': payloadText('web7'),
        'nix/hardware/w\u0435b7-hw.nix': hardwareFor('web7'),
      },
      expect: [/contains a non-ASCII character \(look-alike letters are not allowed\)/],
    },
    {
      name: 'a hostile ref',
      branch: '',
      ref: 'registration/../x',
      expect: [/host name "\.\.\/x" in registration\/\.\.\/x contains "\/" or "\.\."/],
    },
    {
      name: 'not a registration ref',
      branch: '',
      ref: 'main',
      expect: [/"main" is not a registration branch/],
    },
  ];

  for (const c of cases) {
    it(`rejects ${c.name}`, async () => {
      if (c.files) repo.register(c.branch, c.files);
      const state = repo.state();
      const r = await process(repo, c.ref ?? `registration/${c.branch}`, ['--no-eval']);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      expect(report.status).toBe('rejected');
      for (const e of c.expect) expect(report.problems.join('\n')).toMatch(e);
      expect(repo.state()).toBe(state);
      const text = await runCliAsync(
        ['register', 'process', c.ref ?? `registration/${c.branch}`, '--no-eval'],
        {
          cwd: repo.work,
          env: ENV,
        },
      );
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/registration rejected, nothing written:\n {2}- /);
      expect(repo.state()).toBe(state);
    }, 120_000);
  }

  it('rejects a re-registration that changes the role of a host in the fleet', async () => {
    repo.registerHost('tappaas-vllm', payloadFor('tappaas-vllm', { role: 'litellm' }));
    const state = repo.state();
    const r = await process(repo, 'registration/tappaas-vllm', ['--no-eval']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).problems).toEqual([
      "tappaas-vllm is already in the fleet with role vllm (nix/hosts/tappaas-vllm.nix); a registration cannot change a host's role: change nix/hosts/tappaas-vllm.nix in a pull request, or retire tappaas-vllm first",
    ]);
    expect(repo.state()).toBe(state);
  }, 120_000);

  it('accepts a re-registration with the same role: new hardware and facts, the host file kept', async () => {
    repo.registerHost('tappaas-vllm');
    const r = await process(repo, 'registration/tappaas-vllm', ['--no-eval']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.files).toEqual([
      { path: 'registrations/tappaas-vllm.json', change: 'added' },
      { path: 'nix/hardware/tappaas-vllm-hw.nix', change: 'modified' },
      { path: 'nix/hosts/tappaas-vllm.nix', change: 'unchanged' },
      { path: 'tappaas.json', change: 'modified' },
    ]);
    expect(repo.at(report.commit, 'nix/hosts/tappaas-vllm.nix')).toBe(
      repo.at('origin/main', 'nix/hosts/tappaas-vllm.nix'),
    );
  }, 120_000);

  it('exits 2 for a ref that does not exist', async () => {
    const r = await process(repo, 'registration/nosuch');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ref "registration\/nosuch" not found/);
  }, 60_000);
});
