// The host a registration ref is for. The name in the ref is checked like any other input: it
// must be a registration branch and a valid host name, and the payload must repeat it.
import { registrationHostProblem } from '../policy/registration.js';

export interface RefHost {
  /** The branch without refs/heads/ or a remote prefix, e.g. registration/web1. */
  branch: string;
  host: string;
}

export function hostFromRef(ref: string, prefix = 'registration/'): RefHost | { problem: string } {
  let branch = ref.trim();
  if (branch.startsWith('refs/heads/')) branch = branch.slice('refs/heads/'.length);
  else if (branch.startsWith('refs/remotes/')) branch = branch.split('/').slice(3).join('/');
  else if (
    !branch.startsWith(prefix) &&
    /^[^/]+\//.test(branch) &&
    branch.slice(branch.indexOf('/') + 1).startsWith(prefix)
  )
    branch = branch.slice(branch.indexOf('/') + 1); // origin/registration/web1
  if (!branch.startsWith(prefix))
    return { problem: `${JSON.stringify(ref)} is not a registration branch (${prefix}<hostname>)` };
  const host = branch.slice(prefix.length);
  // The hook's rule and words: the same name is refused at push time.
  const bad = registrationHostProblem(host, ref);
  if (bad) return { problem: `${bad.message}; ${bad.fix}` };
  return { branch, host };
}
