// Which forge, where its API is, which repository and which token, from the environment a
// GitHub Actions or Gitea Actions job has (both set GITHUB_*; Gitea also GITEA_ACTIONS=true).
// Pure: the caller passes the environment.
import { type ForgeConfig, ForgeConfigError, type ForgeKind } from './types.js';

export type Env = Record<string, string | undefined>;

function set(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

export function forgeKind(env: Env): ForgeKind {
  const explicit = set(env, 'TAPPAAS_FORGE');
  if (explicit) {
    if (explicit !== 'github' && explicit !== 'gitea')
      throw new ForgeConfigError(`TAPPAAS_FORGE=${JSON.stringify(explicit)}: use github or gitea`);
    return explicit;
  }
  // Gitea Actions sets GITHUB_ACTIONS=true as well, so its own variable decides.
  if (set(env, 'GITEA_ACTIONS') === 'true' || set(env, 'GITEA_SERVER_URL')) return 'gitea';
  return 'github';
}

export function forgeConfigFromEnv(env: Env): ForgeConfig {
  const kind = forgeKind(env);
  const explicitApi = set(env, 'TAPPAAS_FORGE_API_URL');
  let apiUrl: string | undefined;
  if (explicitApi) apiUrl = explicitApi;
  else if (kind === 'github') apiUrl = set(env, 'GITHUB_API_URL') ?? 'https://api.github.com';
  else {
    const server = set(env, 'GITEA_SERVER_URL') ?? set(env, 'GITHUB_SERVER_URL');
    if (!server)
      throw new ForgeConfigError(
        'no Gitea server: set GITEA_SERVER_URL (or GITHUB_SERVER_URL, as Gitea Actions does) or TAPPAAS_FORGE_API_URL',
      );
    apiUrl = `${server.replace(/\/+$/, '')}/api/v1`;
  }
  const token =
    set(env, 'TAPPAAS_FORGE_TOKEN') ??
    (kind === 'gitea' ? (set(env, 'GITEA_TOKEN') ?? set(env, 'GITHUB_TOKEN')) : set(env, 'GITHUB_TOKEN'));
  if (!token) {
    const name = kind === 'github' ? 'GITHUB_TOKEN' : 'GITEA_TOKEN';
    // The workflow expression, spelled without a template literal on purpose.
    const expr = ['$', '{{ secrets.', name, ' }}'].join('');
    throw new ForgeConfigError(
      `no token for the ${kind === 'github' ? 'GitHub' : 'Gitea'} API: set ${name} or TAPPAAS_FORGE_TOKEN (in a workflow: env: ${name}: ${expr})`,
    );
  }
  const repository = set(env, 'TAPPAAS_FORGE_REPOSITORY') ?? set(env, 'GITHUB_REPOSITORY');
  if (!repository)
    throw new ForgeConfigError(
      'no repository: set GITHUB_REPOSITORY (or TAPPAAS_FORGE_REPOSITORY) to owner/name',
    );
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(repository);
  if (!m) throw new ForgeConfigError(`repository ${JSON.stringify(repository)} is not owner/name`);
  let parsed: URL;
  try {
    parsed = new URL(apiUrl);
  } catch {
    throw new ForgeConfigError(`API URL ${JSON.stringify(apiUrl)} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new ForgeConfigError(`API URL ${JSON.stringify(apiUrl)} must be http or https`);
  return { kind, apiUrl: apiUrl.replace(/\/+$/, ''), token, owner: m[1]!, repo: m[2]! };
}
