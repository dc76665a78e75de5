import { expect } from 'chai';
import { load } from 'js-yaml';
import { STATE_CHANGE_PATTERN, TAG_CHANGE_PATTERN } from '../../../src/discover/events/event-patterns.js';
import { repositoryFile } from '../../support/deploy-files.js';

/**
 * deploy/aws/event-mode.cfn.yaml and event-mode-member-account.cfn.yaml, read as CloudFormation reads them (no AWS
 * account at hand): they parse as plain YAML, hold the expected resources, every reference names something the
 * template declares, and the rules match exactly the events the daemon accepts (src/discover/events/event-patterns.ts).
 */

type Json = Record<string, any>;

interface Template {
  readonly Parameters?: Json;
  readonly Conditions?: Json;
  readonly Resources: Record<string, { Type: string; Condition?: string; Properties: Json }>;
  readonly Outputs?: Json;
}

const PSEUDO_PARAMETERS = ['AWS::AccountId', 'AWS::Partition', 'AWS::Region', 'AWS::StackName', 'AWS::URLSuffix'];
const ACCEPTED_PATTERNS = [STATE_CHANGE_PATTERN, TAG_CHANGE_PATTERN].map((p) => JSON.parse(JSON.stringify(p)) as Json);

function template(path: string): Template {
  // The default schema knows no CloudFormation short tags (!Ref, !GetAtt): the file must use the long forms.
  return load(repositoryFile(path)) as Template;
}

function resourcesOf(t: Template, type: string): [string, Json][] {
  return Object.entries(t.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([name, r]) => [name, r.Properties]);
}

/** Every `Ref`, `Fn::GetAtt` and `${…}` of `Fn::Sub` in a value, as the names they refer to. */
function references(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(references);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    if (key === 'Ref') return [String(inner)];
    if (key === 'Fn::GetAtt') return [String((inner as string[])[0])];
    if (key === 'Fn::Sub') return [...String(inner).matchAll(/\$\{([^}!.]+)[^}]*\}/g)].map((m) => m[1] as string);
    return references(inner);
  });
}

function expectReferencesResolve(t: Template): void {
  const declared = new Set([...Object.keys(t.Parameters ?? {}), ...Object.keys(t.Resources), ...PSEUDO_PARAMETERS]);
  const used = references([t.Resources, t.Outputs ?? {}, t.Conditions ?? {}]);
  expect(used).to.not.be.empty;
  for (const name of used) expect(declared.has(name), `reference to ${name}`).to.equal(true);
  for (const r of Object.values(t.Resources)) if (r.Condition !== undefined) expect(t.Conditions).to.have.property(r.Condition);
}

const getAtt = (resource: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [resource, attribute] });

describe('deploy/aws/event-mode.cfn.yaml', () => {
  const t = template('deploy/aws/event-mode.cfn.yaml');
  const rules = resourcesOf(t, 'AWS::Events::Rule');

  it('is a CloudFormation template in plain YAML whose every reference resolves', () => {
    expect(t).to.have.property('AWSTemplateFormatVersion', '2010-09-09');
    expect(Object.values(t.Resources).map((r) => r.Type).sort()).to.deep.equal([
      'AWS::Events::EventBusPolicy',
      'AWS::Events::Rule',
      'AWS::Events::Rule',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
      'AWS::SQS::QueuePolicy',
    ]);
    expectReferencesResolve(t);
  });

  it('has one rule per event the daemon accepts, with exactly its pattern, sending the event itself to the queue', () => {
    expect(rules.map(([, p]) => p.EventPattern)).to.have.deep.members(ACCEPTED_PATTERNS).and.to.have.length(ACCEPTED_PATTERNS.length);
    for (const [name, p] of rules) {
      expect(p.State, name).to.equal('ENABLED');
      expect(p.EventBusName, `${name}: the default bus`).to.equal(undefined);
      expect(p.Targets, name).to.have.length(1);
      expect(Object.keys(p.Targets[0]).sort(), `${name}: no Input, InputPath or InputTransformer`).to.deep.equal(['Arn', 'Id']);
      expect(p.Targets[0].Arn, name).to.deep.equal(getAtt('EventQueue'));
    }
  });

  it('sends a message received five times to the dead-letter queue, which keeps it longer than the queue would', () => {
    const queue = t.Resources.EventQueue?.Properties as Json;
    const dlq = t.Resources.DeadLetterQueue?.Properties as Json;
    expect(queue.RedrivePolicy).to.deep.equal({ deadLetterTargetArn: getAtt('DeadLetterQueue'), maxReceiveCount: 5 });
    expect(dlq.MessageRetentionPeriod).to.be.greaterThan(queue.MessageRetentionPeriod);
    expect(dlq).not.to.have.property('RedrivePolicy');
  });

  it('keeps queue settings the daemon relies on: SSE-SQS (no KMS key to grant), visibility above the gather window, 20 s polls', () => {
    const queue = t.Resources.EventQueue?.Properties as Json;
    expect(queue.SqsManagedSseEnabled).to.equal(true);
    expect(queue).not.to.have.property('KmsMasterKeyId');
    expect(queue.VisibilityTimeout).to.be.within(30, 43_200);
    expect(queue.ReceiveMessageWaitTimeSeconds).to.equal(20);
    expect(queue.QueueName).to.deep.equal({ Ref: 'QueueName' });
  });

  it('lets EventBridge send to the queue only from these two rules', () => {
    const [[, policy] = ['', {}], ...others] = resourcesOf(t, 'AWS::SQS::QueuePolicy');
    expect(others).to.deep.equal([]);
    expect(policy.Queues).to.deep.equal([{ Ref: 'EventQueue' }]);
    expect(policy.PolicyDocument.Version).to.equal('2012-10-17');
    expect(policy.PolicyDocument.Statement).to.deep.equal([
      {
        Sid: 'OnlyTheseRules',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: getAtt('EventQueue'),
        Condition: { ArnEquals: { 'aws:SourceArn': rules.map(([name]) => getAtt(name)) } },
      },
    ]);
  });

  it('accepts forwarded events from an organization only when its id is given', () => {
    const [[, busPolicy] = ['', {}]] = resourcesOf(t, 'AWS::Events::EventBusPolicy');
    expect(t.Resources.OrganizationForwarding?.Condition).to.equal('AcceptOrganization');
    expect(t.Conditions?.AcceptOrganization).to.deep.equal({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'OrganizationId' }, ''] }] });
    expect(busPolicy.Statement.Action).to.equal('events:PutEvents');
    expect(busPolicy.Statement.Condition).to.deep.equal({ StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } });
  });

  it('outputs the queue URL (the setting), the queue ARN and the bus for member accounts', () => {
    expect(t.Outputs?.QueueUrl.Value).to.deep.equal({ Ref: 'EventQueue' });
    expect(t.Outputs?.QueueArn.Value).to.deep.equal(getAtt('EventQueue'));
    expect(t.Outputs?.EventBusArn.Value).to.deep.equal({ 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default' });
  });

  it("names the queue by default as deploy/aws/iam-policy.json's EventMode statement does", () => {
    const policy = JSON.parse(repositoryFile('deploy/aws/iam-policy.json')) as { Statement: { Sid: string; Resource: string }[] };
    const resource = policy.Statement.find((s) => s.Sid === 'EventMode')?.Resource;
    expect(resource).to.equal(`arn:aws:sqs:*:*:${t.Parameters?.QueueName.Default}`);
    expect(new RegExp(t.Parameters?.QueueName.AllowedPattern).test(t.Parameters?.QueueName.Default)).to.equal(true);
  });
});

describe('deploy/aws/event-mode-member-account.cfn.yaml', () => {
  const t = template('deploy/aws/event-mode-member-account.cfn.yaml');
  const rules = resourcesOf(t, 'AWS::Events::Rule');

  it('is a CloudFormation template in plain YAML whose every reference resolves', () => {
    expect(t).to.have.property('AWSTemplateFormatVersion', '2010-09-09');
    expect(Object.values(t.Resources).map((r) => r.Type).sort()).to.deep.equal(['AWS::Events::Rule', 'AWS::Events::Rule', 'AWS::IAM::Role']);
    expectReferencesResolve(t);
  });

  it('forwards exactly the events the daemon accepts to the central bus, with a role', () => {
    expect(rules.map(([, p]) => p.EventPattern)).to.have.deep.members(ACCEPTED_PATTERNS).and.to.have.length(ACCEPTED_PATTERNS.length);
    for (const [name, p] of rules) {
      expect(p.State, name).to.equal('ENABLED');
      expect(p.Targets, name).to.deep.equal([{ Id: 'central-event-bus', Arn: { Ref: 'CentralEventBusArn' }, RoleArn: getAtt('ForwardingRole') }]);
    }
  });

  it('gives that role events:PutEvents on the central bus only, assumable by EventBridge of this account only', () => {
    const role = t.Resources.ForwardingRole?.Properties as Json;
    expect(role.AssumeRolePolicyDocument.Statement).to.deep.equal([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    expect(role.Policies.flatMap((p: Json) => p.PolicyDocument.Statement)).to.deep.equal([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'CentralEventBusArn' } },
    ]);
  });

  it('takes the central template’s EventBusArn output as its parameter', () => {
    const pattern = new RegExp(t.Parameters?.CentralEventBusArn.AllowedPattern);
    expect(pattern.test('arn:aws:events:us-east-1:123456789012:event-bus/default')).to.equal(true);
    expect(pattern.test('arn:aws-cn:events:cn-north-1:123456789012:event-bus/default')).to.equal(true);
    expect(pattern.test('arn:aws:sqs:us-east-1:123456789012:guacamole-ec2-events')).to.equal(false);
  });
});
