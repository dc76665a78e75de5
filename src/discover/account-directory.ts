import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { AccountSpec } from '../config/accounts.js';
import { accountErrorHint, awsErrorHint, errorCode, IAM_PERMISSIONS, oneLine, unreadableAnswer } from './aws-errors.js';
import { memoizeUntilExpiry } from './credentials.js';
import type { Ec2Api } from './ec2-client.js';
import { createIamApi, createStsApi, homeRegionOf, type IamApi, type StsApi } from './sts-iam-client.js';

/** An account this run can read: its id, its alias (when known) and its EC2 clients. */
export interface ReadableAccount {
  readonly id: string;
  /** The daemon's own account (`self`). */
  readonly self?: boolean;
  readonly alias?: string;
  readonly ec2For: (region: string) => Ec2Api;
}

/** One configured account for this run: readable, or why not (secret-free, with the AWS error code). */
export type AccountAccess =
  | { readonly ok: true; readonly account: ReadableAccount }
  | {
      readonly ok: false;
      /** The account id; undefined when it is not known (`self` whose GetCallerIdentity failed). */
      readonly accountId?: string;
      readonly error: string;
      readonly code?: string;
    };

export interface AccountDirectoryOptions {
  readonly accounts: readonly AccountSpec[];
  readonly externalIds?: Readonly<Record<string, string>>;
  /** The daemon's own credentials (static keys or the default chain): they sign AssumeRole and read `self`. */
  readonly baseCredentials: AwsCredentialIdentityProvider;
  /** Makes one EC2 client for one account's credentials in one region. */
  readonly makeEc2: (credentials: AwsCredentialIdentityProvider, region: string) => { api: Ec2Api; destroy: () => void };
  readonly stsEndpoint?: string;
  readonly iamEndpoint?: string;
  /** Whether the folder template shows `{alias}`: otherwise ListAccountAliases is never called. */
  readonly readAliases: boolean;
  readonly onWarning: (message: string, meta: Record<string, unknown>) => void;
  /** The clock credentials are refreshed by (tests). */
  readonly now?: () => number;
}

/** Alias outcomes worth keeping for the daemon's lifetime: the alias, or a refusal (the id is shown instead). */
type AliasMemo = { readonly alias?: string };

/**
 * The accounts of `AWS_DISCOVERY_ASSUME_ROLES`, kept for the daemon's lifetime: role credentials (assumed on first use,
 * renewed before they expire), the own account's id (GetCallerIdentity, once), aliases (ListAccountAliases, once per
 * account) and EC2 clients per account and region.
 */
export class AccountDirectory {
  readonly #options: AccountDirectoryOptions;
  readonly #sts = new Map<string, StsApi>();
  readonly #iam = new Map<string, IamApi>();
  readonly #ec2 = new Map<string, { api: Ec2Api; destroy: () => void }>();
  readonly #roleCredentials = new Map<string, AwsCredentialIdentityProvider>();
  /** Credentials by account id, as of the last resolve(). */
  readonly #credentialsById = new Map<string, AwsCredentialIdentityProvider>();
  readonly #aliases = new Map<string, AliasMemo>();
  readonly #warned = new Set<string>();
  #selfId: string | undefined;

  constructor(options: AccountDirectoryOptions) {
    this.#options = options;
  }

  /** Every configured account, in the configured order; failures are data, never thrown. */
  async resolve(): Promise<AccountAccess[]> {
    const results = await Promise.all(this.#options.accounts.map((spec) => this.#resolveOne(spec)));
    // The own account named again as a role would list it twice under one key: neither copy is trusted this run.
    const seen = new Set<string>();
    return results.map((r) => {
      if (!r.ok) return r;
      if (!seen.has(r.account.id)) {
        seen.add(r.account.id);
        return r;
      }
      const error = `account ${r.account.id} is listed twice in AWS_DISCOVERY_ASSUME_ROLES (self is that account): remove one`;
      return { ok: false, accountId: r.account.id, error, code: 'DuplicateAccount' };
    });
  }

  /** The daemon's own account id (GetCallerIdentity, once it answered); throws when STS fails. */
  async ownAccountId(): Promise<string> {
    this.#selfId ??= await this.#stsFor(undefined).callerAccount();
    return this.#selfId;
  }

  /** The EC2 client of a scope `<account id>/<region>` resolved by the last resolve(). */
  ec2ForScope(scope: string): Ec2Api {
    const slash = scope.indexOf('/');
    const accountId = scope.slice(0, slash);
    const credentials = this.#credentialsById.get(accountId);
    if (slash < 0 || credentials === undefined) throw new Error(`no credentials for scope ${scope}`);
    return this.#ec2For(accountId, credentials, scope.slice(slash + 1));
  }

  close(): void {
    for (const client of [...this.#sts.values(), ...this.#iam.values(), ...this.#ec2.values()]) client.destroy();
    this.#sts.clear();
    this.#iam.clear();
    this.#ec2.clear();
  }

  async #resolveOne(spec: AccountSpec): Promise<AccountAccess> {
    const roleArn = spec.kind === 'role' ? spec.roleArn : undefined;
    let accountId: string;
    let credentials: AwsCredentialIdentityProvider;
    try {
      if (spec.kind === 'self') {
        this.#selfId ??= await this.#stsFor(undefined).callerAccount();
        accountId = this.#selfId;
        credentials = this.#options.baseCredentials;
      } else {
        accountId = spec.accountId;
        credentials = this.#roleCredentialsFor(spec.roleArn);
      }
      await credentials(); // AssumeRole (or the chain) answers now, not halfway through the listing
    } catch (err) {
      const operation = spec.kind === 'self' && this.#selfId === undefined ? 'GetCallerIdentity' : spec.kind === 'self' ? 'credentials' : 'AssumeRole';
      const id = spec.kind === 'self' ? this.#selfId : spec.accountId;
      return { ok: false, ...(id === undefined ? {} : { accountId: id }), ...failure(operation, roleArn, err, id) };
    }
    this.#credentialsById.set(accountId, credentials);
    const alias = this.#options.readAliases ? await this.#aliasOf(accountId, credentials) : undefined;
    const ec2For = (region: string) => this.#ec2For(accountId, credentials, region);
    return { ok: true, account: { id: accountId, ...(spec.kind === 'self' ? { self: true } : {}), ...(alias === undefined ? {} : { alias }), ec2For } };
  }

  #roleCredentialsFor(roleArn: string): AwsCredentialIdentityProvider {
    let provider = this.#roleCredentials.get(roleArn);
    if (provider === undefined) {
      const externalId = this.#options.externalIds?.[roleArn];
      const sts = this.#stsFor(roleArn);
      provider = memoizeUntilExpiry(() => sts.assumeRole({ roleArn, ...(externalId === undefined ? {} : { externalId }) }), this.#options.now);
      this.#roleCredentials.set(roleArn, provider);
    }
    return provider;
  }

  #stsFor(roleArn: string | undefined): StsApi {
    const region = homeRegionOf(roleArn);
    let sts = this.#sts.get(region);
    if (sts === undefined) {
      const endpoint = this.#options.stsEndpoint;
      sts = createStsApi({ region, credentials: this.#options.baseCredentials, ...(endpoint === undefined ? {} : { endpoint }) });
      this.#sts.set(region, sts);
    }
    return sts;
  }

  /** The alias, read once per account; a refusal is remembered (warned once), any other failure is tried again next run. */
  async #aliasOf(accountId: string, credentials: AwsCredentialIdentityProvider): Promise<string | undefined> {
    const memo = this.#aliases.get(accountId);
    if (memo !== undefined) return memo.alias;
    let iam = this.#iam.get(accountId);
    if (iam === undefined) {
      const endpoint = this.#options.iamEndpoint;
      iam = createIamApi({ region: homeRegionOf(undefined), credentials, ...(endpoint === undefined ? {} : { endpoint }) });
      this.#iam.set(accountId, iam);
    }
    try {
      const alias = await iam.accountAlias();
      this.#aliases.set(accountId, alias === undefined ? {} : { alias });
      return alias;
    } catch (err) {
      const code = errorCode(err);
      const refused = code !== undefined && /AccessDenied|Unauthorized/.test(code);
      if (refused) this.#aliases.set(accountId, {});
      if (!this.#warned.has(accountId)) {
        this.#warned.add(accountId);
        const hint = refused ? `; grant ${IAM_PERMISSIONS.ListAccountAliases} to show the alias` : '';
        this.#options.onWarning(`cannot read the account alias; the account id is used instead${hint}`, {
          account: accountId,
          code,
          error: oneLine(describe(err)),
        });
      }
      return undefined;
    }
  }

  #ec2For(accountId: string, credentials: AwsCredentialIdentityProvider, region: string): Ec2Api {
    const key = `${accountId}/${region}`;
    let entry = this.#ec2.get(key);
    if (entry === undefined) {
      entry = this.#options.makeEc2(credentials, region);
      this.#ec2.set(key, entry);
    }
    return entry.api;
  }
}

/** `account 222222222222: AssumeRole of arn:… failed: AccessDenied: …; grant sts:AssumeRole on …`. */
function failure(operation: string, roleArn: string | undefined, err: unknown, accountId: string | undefined): { error: string; code?: string } {
  const unreadable = unreadableAnswer(err);
  const code = unreadable?.code ?? errorCode(err);
  const message = oneLine(unreadable?.detail ?? describe(err));
  const detail = code === undefined || message.startsWith(code) ? message : `${code}: ${message}`;
  const hint =
    operation === 'AssumeRole' || operation === 'GetCallerIdentity' ? accountErrorHint(code, operation, roleArn) : awsErrorHint(code, operation, 'STS');
  const subject = accountId === undefined ? "the daemon's own account (self)" : `account ${accountId}`;
  const what = roleArn === undefined ? operation : `${operation} of ${roleArn}`;
  return { error: `${subject}: ${what} failed: ${detail || 'unknown error'}${hint === undefined ? '' : `; ${hint}`}`, ...(code === undefined ? {} : { code }) };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
