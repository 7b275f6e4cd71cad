// Who is pushing, from the environment the server gives the hook (never from the push itself):
// plain git over SSH sets TAPPAAS_PUSHER (and TAPPAAS_PUSHER_KEY) through the forced command
// `tappaas git-shell --as`; Gitea sets GITEA_*.
import type { Identity } from './types.js';

type Env = Record<string, string | undefined>;

function set(v: string | undefined): v is string {
  return v !== undefined && v !== '' && v !== '0';
}

export function identityFromEnv(env: Env): Identity {
  const principals: string[] = [];
  const names: string[] = [];
  // With a Gitea deploy key the pusher name is the repository owner, not the machine that
  // pushed: such a push is known by its deploy key only, or an owner-level grant would leak
  // to every VM holding a deploy key.
  const deployKey = env.GITEA_DEPLOY_KEY_ID;
  if (set(deployKey)) {
    principals.push(`gitea-deploy-key:${deployKey}`);
    names.push(`deploy key ${deployKey}`);
  } else {
    if (set(env.TAPPAAS_PUSHER)) {
      principals.push(env.TAPPAAS_PUSHER);
      names.push(env.TAPPAAS_PUSHER);
    }
    if (set(env.TAPPAAS_PUSHER_KEY)) principals.push(`ssh-key:${env.TAPPAAS_PUSHER_KEY}`);
    if (set(env.GITEA_PUSHER_NAME)) {
      principals.push(env.GITEA_PUSHER_NAME);
      if (!names.includes(env.GITEA_PUSHER_NAME)) names.push(env.GITEA_PUSHER_NAME);
    }
    if (set(env.GITEA_PUSHER_ID)) principals.push(`gitea-user:${env.GITEA_PUSHER_ID}`);
    if (set(env.GITEA_KEY_ID)) principals.push(`gitea-key:${env.GITEA_KEY_ID}`);
  }
  const identity: Identity = {
    principals,
    display: names[0] ?? (principals[0] ? principals[0] : 'anonymous'),
    anonymous: principals.length === 0,
    internal: env.GITEA_INTERNAL_PUSH === 'true',
  };
  if (set(env.GITEA_PR_ID)) identity.pullRequest = env.GITEA_PR_ID;
  return identity;
}

/** Whether any policy entry names this pusher. */
export function identityMatches(identity: Identity, entries: readonly string[]): boolean {
  return entries.some((e) => identity.principals.includes(e));
}
