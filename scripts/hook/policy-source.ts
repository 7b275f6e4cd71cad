// Where the policy that judges a push comes from: a server-side file given at install, or
// tappaas.json on the policy branch (a server setting, `hook install --policy-branch`, default
// `main`; never the repository's HEAD, which a missing branch would leave dangling) as it was
// before this push. Never from the pushed commits, so a push cannot relax the rules that judge
// it; and a push that would bring a policy the hook cannot read is refused
// (policyUpdateProblems), so the next push still finds a valid one.
import { readFileSync } from 'node:fs';
import type { TappaasConfig } from '../config/types.js';
import type { CatFile } from '../git/cat-file.js';
import { resolvePolicy } from '../policy/defaults.js';
import { policyBranchProblem } from '../policy/refs.js';
import type { ClassifiedUpdate, Policy, Problem, RefUpdate } from '../policy/types.js';
import { lintSettingsProblems, policyProblems } from '../policy/validate.js';

export interface PolicySource {
  policy: Policy;
  config: TappaasConfig;
  /** Said in messages: where the rules came from. */
  origin: string;
  /** The revision the policy was read at (undefined for a server-side file). */
  rev?: string;
  /** tappaas.json's blob at `rev`, when it has one. */
  blobOid?: string;
}

export const DEFAULT_POLICY_BRANCH = 'main';

export class PolicyLoadError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'PolicyLoadError';
  }
}

const INVALID_HINT =
  'the policy that judges pushes is invalid, so every push is rejected; an admin fixes it with the break-glass file (see `tappaas hook --help`) or a server-side --policy file';

/** Only the sections the hook uses are checked here (by hand, for speed); CI checks the rest. */
function configFromText(text: string, label: string): TappaasConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PolicyLoadError(`${label}: not valid JSON: ${(err as Error).message}`, INVALID_HINT);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new PolicyLoadError(`${label}: must be a JSON object`, INVALID_HINT);
  const config = data as TappaasConfig;
  const problems = [...policyProblems(config.policy), ...lintSettingsProblems(config.lint)];
  if (problems.length)
    throw new PolicyLoadError(
      `${label} does not match schemas/tappaas.schema.json: ${problems.join('; ')}`,
      INVALID_HINT,
    );
  return config;
}

export interface PolicyLocation {
  /** The branch whose tappaas.json is the policy (default `main`). */
  policyBranch?: string;
  /** Where to read it instead of refs/heads/<policyBranch> (the client preview's remote-tracking ref). */
  rev?: string;
}

export async function loadPolicySource(
  cat: CatFile,
  policyFile: string | undefined,
  where: PolicyLocation = {},
): Promise<PolicySource> {
  if (policyFile) {
    let text: string;
    try {
      text = readFileSync(policyFile, 'utf8');
    } catch (err) {
      throw new PolicyLoadError(
        `server policy file ${policyFile} cannot be read: ${(err as NodeJS.ErrnoException).code ?? err}`,
        'restore the file, or reinstall the hook with `tappaas hook install <repo> --policy FILE`',
      );
    }
    const config = configFromText(text, policyFile);
    return { policy: resolvePolicy(config.policy), config, origin: `server file ${policyFile}` };
  }
  const branch = where.policyBranch ?? DEFAULT_POLICY_BRANCH;
  const bad = policyBranchProblem(branch);
  if (bad)
    throw new PolicyLoadError(
      `the hook's --policy-branch ${JSON.stringify(branch)} is no branch name: ${bad}`,
      'reinstall the hook with `tappaas hook install <repo> --policy-branch <branch>`',
    );
  // A full ref name: a tag or a ref named like the branch cannot stand in for it.
  const rev = where.rev ?? `refs/heads/${branch}`;
  const reads = Promise.all([cat.info(rev), cat.contents(`${rev}:tappaas.json`)]);
  cat.flush();
  const [tip, blob] = await reads;
  if (blob?.type !== 'blob') {
    // Strict defaults, never "anything goes": the policy branch stays protected (refs.ts), so
    // nobody but CI or a pull-request merge can create it with rules of their own.
    const why = tip ? `no tappaas.json at ${rev} (${tip.oid.slice(0, 12)})` : `${rev} does not exist`;
    return {
      policy: resolvePolicy(undefined, branch),
      config: {},
      origin: `built-in defaults (${why})`,
      rev,
    };
  }
  const config = configFromText(blob.data.toString('utf8'), `tappaas.json on the policy branch (${rev})`);
  return {
    policy: resolvePolicy(config.policy, branch),
    config,
    origin: `tappaas.json at ${rev} ${tip?.oid.slice(0, 12) ?? ''}`.trim(),
    rev,
    blobOid: blob.oid,
  };
}

/**
 * The new tappaas.json a push brings to the policy branch, asked with the policy's own read
 * so a push to `main` costs no extra round trip to learn it did not change.
 */
export function prefetchPolicyUpdate(cat: CatFile, u: RefUpdate, policyBranch = DEFAULT_POLICY_BRANCH): void {
  if (u.ref === `refs/heads/${policyBranch}` && !/^0+$/.test(u.newOid))
    cat.info(`${u.newOid}:tappaas.json`).catch(() => undefined);
}

const SCHEMA_FIX =
  'make tappaas.json match schemas/tappaas.schema.json (`npx tappaas check` shows the same errors) and push again: the policy branch takes only a policy the hook can read, since every later push is judged by it';

/**
 * A push to the policy branch: its new tappaas.json becomes the rules for every later push, so
 * it must parse and pass the schema (ajv, as `tappaas check` reads it) and the hook's own
 * reading. ajv is loaded only here, and only when the file differs from the policy in force.
 * No tappaas.json at all is allowed: the strict defaults then apply.
 */
export async function policyUpdateProblems(
  cat: CatFile,
  u: ClassifiedUpdate,
  source: PolicySource,
): Promise<Problem[]> {
  const branch = source.policy.policyBranch;
  if (source.rev === undefined || branch === undefined) return []; // a server-side file rules
  if (u.ref !== `refs/heads/${branch}` || u.change === 'delete') return [];
  const expr = `${u.newOid}:tappaas.json`;
  const info = cat.info(expr); // usually asked already, with the policy
  cat.flush();
  const found = await info;
  if (!found || found.oid === source.blobOid) return [];
  const read = cat.contents(expr);
  cat.flush();
  const blob = await read;
  if (!blob) return [];
  const at = { file: 'tappaas.json', commit: u.newOid };
  if (blob.type !== 'blob') {
    return [
      {
        rule: 'policy-schema',
        severity: 'error',
        message: `tappaas.json at the new tip of ${u.ref} is a ${blob.type}, not a file`,
        fix: 'tappaas.json is a JSON file at the repository root',
        ...at,
      },
    ];
  }
  const text = blob.data.toString('utf8');
  const { ConfigError, parseConfig } = await import('../config/file.js');
  try {
    const config = parseConfig(text, 'tappaas.json');
    configFromText(text, 'tappaas.json');
    // A misspelt rule option would stop every later lint with a config error: refused here too.
    const { checkRuleOptions } = await import('../lint/rule-options.js');
    await checkRuleOptions(config.lint?.rules, 'tappaas.json');
    return [];
  } catch (err) {
    if (err instanceof PolicyLoadError) {
      return [{ rule: 'policy-schema', severity: 'error', message: err.message, fix: SCHEMA_FIX, ...at }];
    }
    if (!(err instanceof ConfigError)) throw err;
    // A syntax error's place is in the message (`tappaas.json:LINE:COLUMN: …`).
    const place = /^tappaas\.json:(\d+):(\d+):/.exec(err.message);
    if (place) {
      return [
        {
          rule: 'policy-schema',
          severity: 'error',
          message: `${u.ref} would get a policy that is not valid JSON: ${err.problems[0]?.message ?? err.message}`,
          fix: SCHEMA_FIX,
          ...at,
          line: Number(place[1]),
          column: Number(place[2]),
        },
      ];
    }
    return err.problems.map((p) => ({
      rule: 'policy-schema',
      severity: 'error' as const,
      message: `${u.ref} would get a policy that does not match the schema: ${p.path}: ${p.message}`,
      fix: SCHEMA_FIX,
      ...at,
    }));
  }
}
