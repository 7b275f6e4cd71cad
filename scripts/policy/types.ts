// The shapes of the push policy: what tappaas.json's `policy` section says (resolved, with
// defaults filled in), who is pushing, what a ref update is, and what the verdicts decide.
// Pure data: nothing here touches git or the file system.

/** How lint findings weigh on a branch: `error` blocks on lint errors, `warning` only shows them. */
export type LintGate = 'error' | 'warning' | 'off';

export interface ProtectedBranchRule {
  /** Glob over the branch name (without refs/heads/): `*` stops at `/`, `**` does not. */
  pattern: string;
  /** Identities allowed to update matching branches directly (see `Identity.principals`). */
  allow: string[];
  /** Whether allowed identities may rewrite history (non-fast-forward). */
  allowForcePush: boolean;
  /** Whether allowed identities may delete the branch. */
  allowDeletion: boolean;
  /** Whether Gitea's pull-request merges (GITEA_PR_ID set by the server) may update it. */
  allowPullRequestMerges: boolean;
  /** Set on the rule the server adds for the policy branch when tappaas.json names none for it. */
  policyBranch?: true;
}

export interface LintRule {
  pattern: string;
  level: LintGate;
}

export interface RegistrationPolicy {
  /** Branch prefix of registrations: `<prefix><hostname>`. */
  prefix: string;
  /** Host name to the identities bound to it (the VM's own key or deploy key). */
  hosts: Record<string, string[]>;
  /** Identities that may register any host not bound above, trust-on-first-use of its SSH host key. */
  keys: string[];
  /**
   * Paths a registration may change; `{host}` stands for the host name. Unset: the host's
   * hardware file in the fleet layout (tappaas.json `fleet.hardware`) and its payload.
   */
  paths?: string[];
}

export interface Limits {
  maxBlobBytes: number;
  /** Globs over repository paths that may never be committed. */
  forbiddenPaths: string[];
  /** Match forbiddenPaths with case (default: without, as case-insensitive file systems do). */
  forbiddenPathsCaseSensitive: boolean;
  /** Reject blobs that contain private key material, whatever their path. */
  detectPrivateKeys: boolean;
  /** The hook's lint budget: bytes of one .nix file, and of all the .nix it parses per push. */
  hookLintFileBytes: number;
  hookLintPushBytes: number;
}

export interface Policy {
  /** The branch registrations branch from and new branches are linted against. */
  defaultBranch: string;
  /**
   * The branch whose tappaas.json is the policy: a server setting (`hook install
   * --policy-branch`, default `main`), never read from the repository, and always protected
   * whatever the policy says (a pusher who could write it could rewrite the rules). Undefined
   * when a server-side policy file judges pushes instead.
   */
  policyBranch?: string;
  protectedBranches: ProtectedBranchRule[];
  /** Globs over tag names (without refs/tags/): immutable once created. */
  protectedTags: string[];
  /** Identities of the CI that merges: may update every protected branch (fast-forward). */
  ciIdentities: string[];
  /** Ref namespaces a push may touch, e.g. `refs/heads/`. */
  namespaces: string[];
  limits: Limits;
  /** Lint gate per branch pattern; first match wins. Protected branches always gate on errors. */
  lint: LintRule[];
  registration: RegistrationPolicy;
  /** Branches whose new commits must carry a good SSH signature by an allowed signer. */
  signedCommits: { branches: string[]; allowedSigners: string };
}

/**
 * Who pushes. `principals` are the strings policy entries are compared with:
 * a bare name (`alice`), `gitea-user:<id>`, `gitea-key:<id>`, `gitea-deploy-key:<id>`,
 * `ssh-key:<fingerprint>`.
 */
export interface Identity {
  principals: string[];
  /** Shown in messages. */
  display: string;
  anonymous: boolean;
  /** Set when Gitea merges a pull request (GITEA_PR_ID). */
  pullRequest?: string;
  /** Gitea's own pushes (GITEA_INTERNAL_PUSH), e.g. refs/pull/<n>/head. */
  internal: boolean;
}

export type ChangeKind = 'create' | 'fast-forward' | 'non-fast-forward' | 'delete';
export type RefKind = 'branch' | 'tag' | 'other';

export interface RefUpdate {
  oldOid: string;
  newOid: string;
  /** The full ref name as git gave it, e.g. refs/heads/main. */
  ref: string;
}

export interface ClassifiedUpdate extends RefUpdate {
  kind: RefKind;
  change: ChangeKind;
  /** Name inside its namespace: `main` for refs/heads/main. */
  name: string;
}

/** `note`: shown to the pusher, counted as neither (e.g. findings that were already there). */
export type ProblemSeverity = 'error' | 'warning' | 'note';

export interface Problem {
  rule: string;
  severity: ProblemSeverity;
  message: string;
  /** How to fix it, in words. */
  fix: string;
  commit?: string;
  file?: string;
  line?: number;
  column?: number;
}

export interface RefDecision {
  ref: string;
  accepted: boolean;
  problems: Problem[];
}
