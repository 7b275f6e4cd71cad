// Where the policy that judges a push comes from: a server-side file given at install, or
// tappaas.json on the repository's default branch (HEAD) as it was before this push. Never
// from the pushed commits, so a push cannot relax the rules that judge it.
import { readFileSync } from 'node:fs';
import type { CatFile } from '../git/cat-file.js';
import type { TappaasConfig } from '../lint/config.js';
import { resolvePolicy } from '../policy/defaults.js';
import type { Policy } from '../policy/types.js';
import { lintSettingsProblems, policyProblems } from '../policy/validate.js';

export interface PolicySource {
  policy: Policy;
  config: TappaasConfig;
  /** Said in messages: where the rules came from. */
  origin: string;
}

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
function fromText(text: string, label: string, origin: string): PolicySource {
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
  return { policy: resolvePolicy(config.policy), config, origin };
}

export async function loadPolicySource(
  cat: CatFile,
  policyFile: string | undefined,
  rev = 'HEAD',
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
    return fromText(text, policyFile, `server file ${policyFile}`);
  }
  const reads = Promise.all([cat.info(rev), cat.contents(`${rev}:tappaas.json`)]);
  cat.flush();
  const [head, blob] = await reads;
  if (blob?.type !== 'blob') {
    const where = head ? `${rev} (${head.oid.slice(0, 12)})` : `${rev} (no commits yet)`;
    return {
      policy: resolvePolicy(undefined),
      config: {},
      origin: `built-in defaults (no tappaas.json at ${where})`,
    };
  }
  return fromText(
    blob.data.toString('utf8'),
    `tappaas.json on the default branch`,
    `tappaas.json at ${rev} ${head?.oid.slice(0, 12) ?? ''}`.trim(),
  );
}
