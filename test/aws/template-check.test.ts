// The template checker passes the packaged template (osls output for fixtures/two-clusters.yaml, refreshed with
// `npm run package`) and catches each kind of breakage, spec-level and project-level.
import { readFileSync } from 'node:fs';
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { SpecDatabase } from '@aws-cdk/service-spec-types';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAgainstSpec, checkProjectRules, type TemplateProblem } from '../../infra/aws/template-check.ts';
import { loadRegistryFile } from '../../shared/registry/index.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const registry = loadRegistryFile(fixture('two-clusters.yaml'));
const packaged = JSON.parse(readFileSync(fixture('packaged-two-clusters.json'), 'utf8'));

type Tpl = { Resources: Record<string, { Type: string; Properties: Record<string, any>; Metadata?: any }> };
const copy = (): Tpl => structuredClone(packaged);
const errors = (ps: TemplateProblem[]) => ps.filter((p) => p.severity === 'error');
const rules = { controllerConcurrency: 10, targetBundleBytes: 500 * 1024, maxBundleBytes: 1024 * 1024 };

function find(t: Tpl, pred: (id: string, r: Tpl['Resources'][string]) => boolean): string {
  const hit = Object.entries(t.Resources).find(([id, r]) => pred(id, r));
  if (!hit) throw new Error('fixture lacks the resource');
  return hit[0];
}
const syncFn = (t: Tpl, instance: string) =>
  find(
    t,
    (_, r) =>
      r.Type === 'AWS::Lambda::Function' &&
      r.Properties.Environment?.Variables?.AKO_ROLE === 'sync' &&
      r.Properties.Environment.Variables.AKO_INSTANCE_ID === instance,
  );
const byRole = (t: Tpl, role: string, instance?: string) =>
  find(
    t,
    (_, r) => r.Metadata?.AkoServerless?.role === role && (!instance || r.Metadata.AkoServerless.instance === instance),
  );

let db: SpecDatabase;
beforeAll(async () => {
  db = await loadAwsServiceSpec();
});

describe('template checker: CloudFormation spec', () => {
  it('passes the packaged template', () => {
    expect(errors(checkAgainstSpec(packaged, db))).toEqual([]);
  });

  it('catches unknown types and properties, missing required properties and wrong primitive types', () => {
    const t = copy();
    const q = byRole(t, 'sync-queue', 'demo/ako-blue');
    t.Resources[q]!.Properties.FifoQueu = true;
    t.Resources[q]!.Properties.FifoQueue = 'maybe';
    t.Resources.Bogus = { Type: 'AWS::SQS::Queu', Properties: {} };
    delete t.Resources.StateTable!.Properties.KeySchema;
    const msgs = errors(checkAgainstSpec(t, db)).map((p) => `${p.resource}: ${p.message}`);
    expect(msgs).toEqual(
      expect.arrayContaining([
        `${q}: FifoQueu: unknown property`,
        `${q}: FifoQueue: expected boolean`,
        'Bogus: unknown resource type AWS::SQS::Queu',
        'StateTable: missing required KeySchema',
      ]),
    );
  });

  it('catches nested property errors inside typed structures', () => {
    const t = copy();
    const rule = find(t, (_, r) => r.Type === 'AWS::Events::Rule' && !!r.Properties.EventBusName);
    delete t.Resources[rule]!.Properties.Targets[0].Id;
    t.Resources[rule]!.Properties.Targets[0].RetryPolicy.MaxAttempts = 3;
    const msgs = errors(checkAgainstSpec(t, db)).map((p) => p.message);
    expect(msgs).toEqual(
      expect.arrayContaining([
        'Targets[0]: missing required Id',
        'Targets[0].RetryPolicy.MaxAttempts: unknown property',
      ]),
    );
  });

  it('catches Ref, GetAtt and Sub references that do not resolve', () => {
    const t = copy();
    const fn = syncFn(t, 'demo/ako-blue');
    const env = t.Resources[fn]!.Properties.Environment.Variables;
    env.AKO_TABLE_NAME = { Ref: 'NoSuchTable' };
    env.AKO_KMS_KEY_ARN = { 'Fn::GetAtt': ['TlsKey', 'Nope'] };
    env.AKO_EXTRA = { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${Missing}' };
    env.AKO_OTHER = { 'Fn::GetAtt': ['Ghost', 'Arn'] };
    const msgs = errors(checkAgainstSpec(t, db)).map((p) => p.message);
    expect(msgs.join('\n')).toMatch(/Ref to unknown resource or parameter 'NoSuchTable'/);
    expect(msgs.join('\n')).toMatch(/AWS::KMS::Key has no attribute 'Nope'/);
    expect(msgs.join('\n')).toMatch(/Ref to unknown resource or parameter 'Missing'/);
    expect(msgs.join('\n')).toMatch(/GetAtt of unknown resource 'Ghost'/);
  });
});

describe('template checker: project rules', () => {
  it('passes the packaged template', () => {
    expect(errors(checkProjectRules(packaged, registry, rules))).toEqual([]);
  });

  it('requires a FIFO queue with its own FIFO DLQ and a sync function for every instance', () => {
    const t = copy();
    const q = byRole(t, 'sync-queue', 'demo/ako-blue');
    delete t.Resources[q]!.Properties.RedrivePolicy;
    t.Resources[q]!.Properties.ContentBasedDeduplication = true;
    delete t.Resources[syncFn(t, 'edge/avi-system')];
    const msgs = errors(checkProjectRules(t, registry, rules)).map((p) => p.message);
    expect(msgs).toEqual(
      expect.arrayContaining([
        'the sync queue of demo/ako-blue must redrive to its own dead-letter queue',
        'content-based deduplication must be off (the router sets deduplication ids)',
        'instance edge/avi-system needs exactly one sync function, found 0',
      ]),
    );
  });

  it('flags a sync function reading another instance’s queue', () => {
    const t = copy();
    const esm = find(
      t,
      (_, r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        r.Properties.FunctionName?.['Fn::GetAtt']?.[0] === syncFn(t, 'demo/ako-blue'),
    );
    t.Resources[esm]!.Properties.EventSourceArn = { 'Fn::GetAtt': [byRole(t, 'sync-queue', 'demo/avi-system'), 'Arn'] };
    const msgs = errors(checkProjectRules(t, registry, rules)).map((p) => p.message);
    expect(msgs.some((m) => m.startsWith('the sync function of demo/ako-blue must read its own queue'))).toBe(true);
  });

  it('allows primary resources only for the primary instance', () => {
    const t = copy();
    const primaryFn = find(
      t,
      (_, r) =>
        r.Type === 'AWS::Lambda::Function' &&
        r.Properties.Environment?.Variables?.AKO_ROLE === 'primary' &&
        r.Properties.Environment.Variables.AKO_INSTANCE_ID === 'demo/avi-system',
    );
    t.Resources[primaryFn]!.Properties.Environment.Variables.AKO_INSTANCE_ID = 'demo/ako-blue';
    const msgs = errors(checkProjectRules(t, registry, rules)).map((p) => p.message);
    expect(msgs).toContain('primary function for demo/ako-blue, which is not a primary instance');
    expect(msgs).toContain('cluster demo needs exactly one primary function, found 0');
  });

  it('rejects wildcard IAM actions and resources but accepts a KMS key policy’s required Resource "*"', () => {
    const t = copy();
    const role = byRole(t, 'sync-queue', 'demo/ako-blue').replace('SyncQueue', 'SyncRole');
    const stmts = t.Resources[role]!.Properties.Policies[0].PolicyDocument.Statement;
    stmts.push({ Effect: 'Allow', Action: ['sqs:*'], Resource: [{ 'Fn::GetAtt': ['StateTable', 'Arn'] }] });
    stmts.push({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: '*' });
    stmts.push({
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:*:${AWS::AccountId}:q' },
    });
    const found = errors(checkProjectRules(t, registry, rules)).filter((p) => p.rule === 'iam-wildcard');
    expect(found.map((p) => p.message)).toEqual([
      expect.stringContaining('wildcard action sqs:*'),
      expect.stringContaining('wildcard resource "*"'),
      expect.stringContaining('wildcard resource {"Fn::Sub"'),
    ]);
    expect(found.every((p) => p.resource === role)).toBe(true);
  });

  it('requires nodejs22.x, an own role and log retention for every function', () => {
    const t = copy();
    const fn = syncFn(t, 'demo/ako-blue');
    t.Resources[fn]!.Properties.Runtime = 'nodejs20.x';
    const other = syncFn(t, 'demo/avi-system');
    t.Resources[fn]!.Properties.Role = t.Resources[other]!.Properties.Role;
    const lg = find(t, (_, r) => r.Type === 'AWS::Logs::LogGroup');
    delete t.Resources[lg]!.Properties.RetentionInDays;
    const found = errors(checkProjectRules(t, registry, rules));
    expect(found.map((p) => p.rule)).toEqual(expect.arrayContaining(['runtime', 'own-role', 'log-retention']));
  });

  it('holds reserved concurrency per controller to the budget', () => {
    const found = errors(checkProjectRules(packaged, registry, { ...rules, controllerConcurrency: 5 }));
    expect(found.map((p) => p.message)).toContain('functions of controller avi.example.com reserve 10 > budget 5');
  });

  it('reports Lambda bundles over the target, fails them over the ceiling, and only reports the forwarder', () => {
    const bundles = [
      { name: 'sync', outfile: 'dist/sync/index.mjs', bytes: 600 * 1024 },
      { name: 'primary', outfile: 'dist/primary/index.mjs', bytes: 1100 * 1024 },
      { name: 'forwarder', outfile: 'dist/forwarder/main.mjs', bytes: 1500 * 1024 },
      { name: 'router', outfile: 'dist/router/index.mjs', bytes: 100 * 1024 },
    ];
    const found = checkProjectRules(packaged, registry, { ...rules, bundles }).filter((p) => p.rule === 'bundle-size');
    expect(found.map((p) => [p.severity, p.message.split(' ')[0]])).toEqual([
      ['warning', 'dist/sync/index.mjs'],
      ['error', 'dist/primary/index.mjs'],
      ['warning', 'dist/forwarder/main.mjs'],
    ]);
  });
});
