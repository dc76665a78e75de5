import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IAM_PERMISSIONS } from '../../../src/discover/aws-errors.js';
import { repositoryRoot } from '../../support/repository-root.js';

/**
 * deploy/aws/iam-policy.json against the code: a well-formed identity policy whose actions are exactly the AWS calls
 * src/ can send (every `*Command` and `paginate*` imported from an AWS SDK client, as `service:Action`), one statement
 * per feature, and the statements an operator may drop marked by a Sid starting with "Optional".
 */

interface Statement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
}

const ROOT = repositoryRoot();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** A batch call is allowed by its single action's permission: there is no IAM action for the batch itself. */
const BATCH_ACTIONS: Readonly<Record<string, string>> = {
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
};

/** `import { A, type B, C } from '@aws-sdk/client-<service>'` → the value names with their service. */
const SDK_IMPORT = /import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g;

/** `import('@aws-sdk/client-<service>')`, an SDK loaded at its first use, and `sdk.<Action>Command` sent through it. */
const LAZY_SDK = /import\(\s*'@aws-sdk\/client-([a-z0-9-]+)'\s*\)|\bsdk\.(\w+)Command\b/g;

/**
 * The AWS actions one source text can send, as `service:Action`: the commands and paginators it imports from the SDK
 * clients, and the `sdk.<Action>Command` of an SDK it loads lazily (each belongs to the nearest lazy import above it).
 */
function sdkActionsIn(text: string): string[] {
  const actions: string[] = [];
  const add = (service: string, action: string) => actions.push(BATCH_ACTIONS[`${service}:${action}`] ?? `${service}:${action}`);
  for (const [, names = '', service = ''] of text.matchAll(SDK_IMPORT)) {
    for (const raw of names.split(',')) {
      const name = raw.trim().split(/\s+as\s+/)[0] ?? '';
      if (name === '' || name.startsWith('type ')) continue;
      const action = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
      if (action !== undefined) add(service, action);
    }
  }
  let lazyService: string | undefined;
  for (const [, service, action] of text.matchAll(LAZY_SDK)) {
    if (service !== undefined) lazyService = service;
    else if (action !== undefined && lazyService !== undefined) add(lazyService, action);
  }
  return actions;
}

const policy = JSON.parse(readFileSync(join(ROOT, 'deploy', 'aws', 'iam-policy.json'), 'utf8')) as Record<string, unknown>;
const statements = policy.Statement as Statement[];
const sourceActions = new Set(sourceFiles(join(ROOT, 'src')).flatMap((file) => sdkActionsIn(readFileSync(file, 'utf8'))));

describe('deploy/aws/iam-policy.json', () => {
  it('is an identity policy document: version, and statements that allow named actions on resources', () => {
    expect(Object.keys(policy).sort()).to.deep.equal(['Statement', 'Version']);
    expect(policy.Version).to.equal('2012-10-17');
    expect(statements).to.be.an('array').that.is.not.empty;
    for (const s of statements) {
      expect(Object.keys(s).sort(), JSON.stringify(s)).to.deep.equal(['Action', 'Effect', 'Resource', 'Sid']);
      expect(s.Sid, 'Sid: letters and digits only').to.match(/^[A-Za-z0-9]+$/);
      expect(s.Effect, s.Sid).to.equal('Allow');
      expect(s.Action, s.Sid).to.be.an('array').that.is.not.empty;
      for (const action of s.Action) expect(action, `${s.Sid}: a single named action, no wildcard`).to.match(/^[a-z0-9]+:[A-Z][A-Za-z0-9]+$/);
      const resources = typeof s.Resource === 'string' ? [s.Resource] : s.Resource;
      expect(resources, s.Sid).to.be.an('array').that.is.not.empty;
      for (const r of resources) expect(r, s.Sid).to.match(/^(\*|arn:[^:]+:[a-z0-9]+:[^:]*:[^:]*:.+)$/);
    }
    expect(new Set(statements.map((s) => s.Sid)).size, 'Sids are unique').to.equal(statements.length);
  });

  it('allows exactly the actions the source sends, each in one statement', () => {
    expect(sourceActions.size, 'the scan found the SDK imports').to.be.greaterThan(5);
    const allowed = statements.flatMap((s) => s.Action);
    expect(allowed.length, 'no action in two statements').to.equal(new Set(allowed).size);
    expect([...allowed].sort()).to.deep.equal([...sourceActions].sort());
  });

  it('covers every permission the error hints name', () => {
    const allowed = new Set(statements.flatMap((s) => s.Action));
    for (const permission of Object.values(IAM_PERMISSIONS)) expect(allowed.has(permission), permission).to.equal(true);
  });

  it('marks as optional exactly the statements for features an operator may go without', () => {
    const optional = statements.filter((s) => s.Sid.startsWith('Optional')).flatMap((s) => s.Action);
    expect(optional.sort()).to.deep.equal(['ec2:GetConsoleOutput', 'ec2:GetPasswordData', 'iam:ListAccountAliases']);
  });

  it('keeps one feature per statement: listing apart from all-regions and from assuming roles', () => {
    const sidOf = (action: string) => statements.find((s) => s.Action.includes(action))?.Sid;
    expect(sidOf('ec2:DescribeInstances')).to.equal('Listing');
    expect(sidOf('ec2:DescribeImages')).to.equal('Listing');
    expect(sidOf('ec2:DescribeRegions')).to.equal('AllRegions');
    expect(sidOf('sts:AssumeRole')).to.equal('AssumeRoles');
    expect(sidOf('ec2:GetPasswordData')).to.equal('OptionalWindowsPasswords');
    expect(sidOf('ec2:GetConsoleOutput')).to.equal('OptionalHostKeyPinning');
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) expect(sidOf(action), action).to.equal('EventMode');
  });
});

describe('the scan of SDK imports', () => {
  it('maps Command classes, paginators and lazily loaded SDKs\' commands to service:Action (a batch to its single action), skipping the rest', () => {
    const text = [
      "import { DescribeRegionsCommand, EC2Client, type Filter, paginateDescribeInstances } from '@aws-sdk/client-ec2';",
      "import {\n  ListAccountAliasesCommand as Aliases,\n  IAMClient,\n} from '@aws-sdk/client-iam';",
      "import type { AssumeRoleCommandOutput } from '@aws-sdk/client-sts';",
      "import { statusCommand } from './status-command.js';",
      "import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';",
      "const sts = sdkOnFirstCall(() => import('@aws-sdk/client-sts'), (sdk) => new sdk.STSClient({}));",
      'await client.send(new sdk.AssumeRoleCommand({ RoleArn }));',
      "const iam = sdkOnFirstCall(\n  () => import( '@aws-sdk/client-iam' ),\n  (sdk) => new sdk.IAMClient({}),\n);",
      'await client.send(new sdk.ListAccountAliasesCommand({}));',
    ].join('\n');
    expect(sdkActionsIn(text)).to.deep.equal([
      'ec2:DescribeRegions',
      'ec2:DescribeInstances',
      'iam:ListAccountAliases',
      'sqs:DeleteMessage',
      'sqs:ReceiveMessage',
      'sts:AssumeRole',
      'iam:ListAccountAliases',
    ]);
  });
});
