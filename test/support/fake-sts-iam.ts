/**
 * A loopback fake of STS (AssumeRole, GetCallerIdentity) and IAM (ListAccountAliases), both in the Query protocol with
 * XML answers shaped as AWS sends them, for the REAL SDK clients: point AWS_DISCOVERY_STS_ENDPOINT and
 * AWS_DISCOVERY_IAM_ENDPOINT at `endpoint`. The service is read from the SigV4 credential scope (`…/sts/aws4_request`).
 *
 * AssumeRole issues credentials whose access key id is `ASIA<account id><serial>`, so the fake EC2 serves each account
 * its own instances (see accountOfAccessKey in fake-ec2.ts); GetCallerIdentity and ListAccountAliases answer for the
 * account of the signing key.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accountOfAccessKey } from './fake-ec2.js';
import { escapeXml, readBody, sendXml } from './fake-ec2-xml.js';

export interface StsIamRequest {
  readonly service: string;
  readonly action: string;
  readonly params: URLSearchParams;
  readonly accessKeyId?: string;
}

interface Refusal {
  readonly code: string;
  readonly status: number;
  readonly message?: string;
}

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
const SERVICE = /Credential=([^/,\s]+)\/\d{8}\/[^/,\s]+\/([a-z]+)\/aws4_request/;
const ROLE_ARN = /^arn:aws[-a-z]*:iam::(\d{12}):role\/(.+)$/;

export class FakeStsIam {
  /** Account id → alias (ListAccountAliases); an account without one gets an empty list. */
  aliases: Record<string, string> = {};
  /** Accounts whose ListAccountAliases is refused (AccessDenied). */
  readonly aliasDenied = new Set<string>();
  /** Role ARN → refusal, for every AssumeRole of that role until removed. */
  readonly refusedRoles = new Map<string, Refusal>();
  /** Role ARN → the external id its trust policy requires (AccessDenied without it). */
  readonly requiredExternalIds = new Map<string, string>();
  /** How long issued credentials live (Expiration = now() + this, in whole seconds as AWS sends it). */
  credentialLifetimeMs = 3600_000;
  /** The clock Expiration is computed from: tests that renew credentials pass the same clock to the daemon. */
  now: () => number = Date.now;
  /** When set, GetCallerIdentity fails with it. */
  callerIdentityFailure: Refusal | undefined;
  readonly requests: StsIamRequest[] = [];
  /** Every secret key and session token issued, so tests can check none reached a log. */
  readonly issuedSecrets: string[] = [];
  #serial = 0;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<FakeStsIam> {
    let fake: FakeStsIam | undefined;
    const server = createServer((req, res) => void fake?.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    fake = new FakeStsIam(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return fake;
  }

  requestsFor(action: string): StsIamRequest[] {
    return this.requests.filter((r) => r.action === action);
  }

  /** Clears recorded requests and every configured refusal (between tests). */
  reset(): void {
    this.requests.length = 0;
    this.refusedRoles.clear();
    this.requiredExternalIds.clear();
    this.aliasDenied.clear();
    this.callerIdentityFailure = undefined;
    this.credentialLifetimeMs = 3600_000;
    this.now = Date.now;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const params = new URLSearchParams(await readBody(req));
    const action = params.get('Action') ?? '';
    const scope = SERVICE.exec(req.headers.authorization ?? '');
    const service = scope?.[2] ?? '';
    const accessKeyId = scope?.[1];
    this.requests.push({ service, action, params, ...(accessKeyId === undefined ? {} : { accessKeyId }) });
    const namespace = service === 'iam' ? IAM_NAMESPACE : STS_NAMESPACE;
    try {
      if (scope === undefined || scope === null) throw refusal('MissingAuthenticationToken', 'Request is missing Authentication Token', 401);
      const account = accountOfAccessKey(accessKeyId);
      const result =
        service === 'sts' && action === 'AssumeRole'
          ? this.assumeRole(params)
          : service === 'sts' && action === 'GetCallerIdentity'
            ? this.callerIdentity(account)
            : service === 'iam' && action === 'ListAccountAliases'
              ? this.accountAliases(account)
              : undefined;
      if (result === undefined) throw refusal('InvalidAction', `Could not find operation ${action} for version`, 400);
      sendXml(res, 200, `<${action}Response xmlns="${namespace}"><${action}Result>${result}</${action}Result>${metadata()}</${action}Response>`);
    } catch (err) {
      const r = err as Refusal;
      if (typeof r.code !== 'string') return sendXml(res, 500, errorXml(namespace, 'InternalFailure', String(err)));
      sendXml(res, r.status, errorXml(namespace, r.code, r.message ?? `injected ${r.code}`));
    }
  }

  private assumeRole(params: URLSearchParams): string {
    const roleArn = params.get('RoleArn') ?? '';
    const match = ROLE_ARN.exec(roleArn);
    if (match === null) throw refusal('ValidationError', `${roleArn} is invalid`, 400);
    const notAuthorized = `User: arn:aws:iam::111111111111:user/discovery is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
    const refused = this.refusedRoles.get(roleArn);
    if (refused !== undefined) throw { message: notAuthorized, ...refused };
    const required = this.requiredExternalIds.get(roleArn);
    if (required !== undefined && params.get('ExternalId') !== required) throw refusal('AccessDenied', notAuthorized, 403);
    const account = match[1] as string;
    const accessKeyId = `ASIA${account}${String(++this.#serial).padStart(4, '0')}`;
    const secret = `fake-secret-${randomBytes(12).toString('hex')}`;
    const token = `fake-token-${randomBytes(24).toString('hex')}`;
    this.issuedSecrets.push(secret, token);
    const expiration = new Date(this.now() + this.credentialLifetimeMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const session = params.get('RoleSessionName') ?? '';
    return (
      `<AssumedRoleUser><Arn>${escapeXml(`arn:aws:sts::${account}:assumed-role/${match[2]}/${session}`)}</Arn>` +
      `<AssumedRoleId>AROA${account}:${escapeXml(session)}</AssumedRoleId></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey>` +
      `<SessionToken>${token}</SessionToken><Expiration>${expiration}</Expiration></Credentials>`
    );
  }

  private callerIdentity(account: string): string {
    if (this.callerIdentityFailure !== undefined) throw this.callerIdentityFailure;
    return `<Arn>arn:aws:iam::${account}:user/discovery</Arn><UserId>AIDA${account}</UserId><Account>${account}</Account>`;
  }

  private accountAliases(account: string): string {
    if (this.aliasDenied.has(account)) {
      throw refusal(
        'AccessDenied',
        `User: arn:aws:sts::${account}:assumed-role/Discovery is not authorized to perform: iam:ListAccountAliases on resource: *`,
        403,
      );
    }
    const alias = this.aliases[account];
    const members = alias === undefined ? '<AccountAliases/>' : `<AccountAliases><member>${escapeXml(alias)}</member></AccountAliases>`;
    return `<IsTruncated>false</IsTruncated>${members}`;
  }
}

function refusal(code: string, message: string, status: number): Refusal {
  return { code, message, status };
}

function metadata(): string {
  return `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
}

function errorXml(namespace: string, code: string, message: string): string {
  const error = `<Error><Type>Sender</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>`;
  return `<ErrorResponse xmlns="${namespace}">${error}<RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}
