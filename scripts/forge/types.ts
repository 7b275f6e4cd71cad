// What the onboarding job and the PR pipeline need from a forge (GitHub or Gitea): pull
// requests found by their head branch, and one comment per marker. Plain data only.

export type ForgeKind = 'github' | 'gitea';

export interface ForgeConfig {
  kind: ForgeKind;
  /** API root without a trailing slash: https://api.github.com, https://git.example/api/v1. */
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
}

export interface PullRequest {
  number: number;
  url: string;
  title: string;
  body: string;
  head: string;
  base: string;
}

export interface IssueComment {
  id: number;
  body: string;
  url: string;
}

/** A forge API call that failed: the HTTP status and the API's own message, never the token. */
export class ForgeError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number | undefined,
    readonly apiMessage: string,
  ) {
    super(
      status === undefined
        ? `${method} ${path} failed: ${apiMessage}`
        : `${method} ${path} failed with HTTP ${status}: ${apiMessage}`,
    );
    this.name = 'ForgeError';
  }
}

/** The forge settings are missing or contradictory (exit code 2 with this message). */
export class ForgeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForgeConfigError';
  }
}
