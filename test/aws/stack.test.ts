// The generated AWS resources follow the registry: an instance added, a primary switched, a cluster added.
import { describe, expect, it } from 'vitest';
import { planConcurrency } from '../../infra/aws/budget.ts';
import { queueName } from '../../infra/aws/naming.ts';
import {
  buildStack,
  clusterIds,
  DEFAULT_STACK_OPTIONS,
  type GeneratedStack,
  instanceIds,
  METADATA_KEY,
} from '../../infra/aws/stack.ts';
import { parseRegistry } from '../../shared/registry/index.ts';
import type { Registry } from '../../shared/registry/types.ts';

interface Entry {
  cluster: string;
  namespace: string;
  primary: boolean;
  label?: string;
  host?: string;
  fullSync?: number;
}

function registry(entries: Entry[]): Registry {
  const text = JSON.stringify({
    instances: entries.map((e) => ({
      namespace: e.namespace,
      values: {
        AKOSettings: {
          clusterName: e.cluster,
          primaryInstance: e.primary,
          namespaceSelector: { labelKey: 'team', labelValue: e.label ?? e.namespace },
          ...(e.fullSync !== undefined ? { fullSyncFrequency: String(e.fullSync) } : {}),
        },
        ControllerSettings: { controllerHost: e.host ?? 'avi.example.com', controllerVersion: '22.1.3' },
        NetworkSettings: { vipNetworkList: [{ networkName: 'vip', cidr: '10.0.0.0/24' }] },
      },
    })),
  });
  return parseRegistry(text, { baseDir: '/' });
}

const base: Entry[] = [
  { cluster: 'demo', namespace: 'avi-system', primary: true },
  { cluster: 'demo', namespace: 'blue', primary: false },
];

function stack(entries: Entry[], stage = 'ci'): GeneratedStack {
  return buildStack(registry(entries), { ...DEFAULT_STACK_OPTIONS, stage });
}

const R = (s: GeneratedStack) => s.resources.Resources;

function resourcesOf(s: GeneratedStack, role: string) {
  return Object.entries(R(s)).filter(([, r]) => (r.Metadata?.[METADATA_KEY] as { role?: string })?.role === role);
}

function statementsOf(s: GeneratedStack, roleId: string): { Action: string[]; Resource: unknown }[] {
  const props = R(s)[roleId]!.Properties as { Policies: { PolicyDocument: { Statement: never[] } }[] };
  return props.Policies.flatMap((p) => p.PolicyDocument.Statement);
}

describe('generated stack', () => {
  it('has one FIFO queue with a FIFO DLQ, a secret and a sync function per instance', () => {
    const s = stack(base);
    expect(resourcesOf(s, 'sync-queue')).toHaveLength(2);
    expect(resourcesOf(s, 'sync-dlq')).toHaveLength(2);
    expect(resourcesOf(s, 'controller-secret')).toHaveLength(2);
    for (const id of ['demo/avi-system', 'demo/blue']) {
      const ids = instanceIds(id);
      const q = R(s)[ids.queue]!.Properties!;
      expect(q.FifoQueue).toBe(true);
      expect(q.ContentBasedDeduplication).toBe(false);
      expect(q.QueueName).toMatch(/\.fifo$/);
      // Outage back-off 10, 20, 40, 80, 160, then 300 s: 10 waits span 1,810 s ≥ a 30-minute outage, +1 receive.
      expect(q.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] }, maxReceiveCount: 11 });
      expect(R(s)[ids.dlq]!.Properties!.FifoQueue).toBe(true);
      const fn = s.functions[ids.syncFunction]!;
      expect(fn.environment.AKO_INSTANCE_ID).toBe(id);
      expect(fn.events).toEqual([
        expect.objectContaining({
          sqs: expect.objectContaining({
            arn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
            functionResponseType: 'ReportBatchItemFailures',
          }),
        }),
      ]);
      // configuration in the environment, credentials not
      const env = JSON.parse(String(fn.environment.AKO_INSTANCE));
      expect(env.id).toBe(id);
      expect(env.credentials).toEqual({});
    }
  });

  it("gives each sync function only its own queue, secret and store key prefix (and its cluster's host claims)", () => {
    const s = stack(base);
    const blue = instanceIds('demo/blue');
    const primary = instanceIds('demo/avi-system');
    const stmts = statementsOf(s, blue.syncRole);
    const text = JSON.stringify(stmts);
    expect(text).toContain(blue.queue);
    expect(text).toContain(blue.secret);
    expect(text).not.toContain(primary.queue);
    expect(text).not.toContain(primary.secret);
    const table = stmts.find((st) => st.Action.includes('dynamodb:GetItem')) as unknown as {
      Condition: Record<string, Record<string, string[]>>;
    };
    // Its own prefix, and its cluster's host claims (shared by the cluster's instances: first claimant keeps a host).
    expect(table.Condition['ForAllValues:StringLike']!['dynamodb:LeadingKeys']).toEqual(['demo/blue#*', 'claims#demo']);
    for (const st of stmts) {
      for (const a of st.Action) expect(a).not.toContain('*');
      expect(JSON.stringify(st.Resource)).not.toBe('"*"');
    }
  });

  it('adds only the new instance’s resources when an instance is added, renaming nothing', () => {
    const before = stack(base);
    const after = stack([...base, { cluster: 'demo', namespace: 'green', primary: false }]);
    const added = Object.keys(R(after)).filter((k) => !(k in R(before)));
    const green = instanceIds('demo/green');
    expect(added.sort()).toEqual(
      [
        green.dlq,
        green.queue,
        green.secret,
        green.sweepRole,
        green.syncRole,
        green.syncErrorsAlarm,
        green.throttledAlarm,
        `${green.dlq}DepthAlarm`,
      ].sort(),
    );
    expect(
      Object.keys(after.functions)
        .filter((k) => !(k in before.functions))
        .sort(),
    ).toEqual([green.syncFunction, green.sweepFunction].sort());
    // existing queues keep their physical names (CloudFormation would otherwise replace them)
    for (const [id, r] of Object.entries(R(before))) {
      if (r.Type === 'AWS::SQS::Queue') expect(R(after)[id]!.Properties!.QueueName).toBe(r.Properties!.QueueName);
    }
    // the router may now send to the new queue
    expect(JSON.stringify(statementsOf(after, 'RouterRole'))).toContain(green.queue);
    expect(after.routerRegistry.instances.map((i) => i.id)).toContain('demo/green');
  });

  it('moves the primary function to the new primary when the primary is switched', () => {
    const before = stack(base);
    const switched = stack([
      { cluster: 'demo', namespace: 'avi-system', primary: false },
      { cluster: 'demo', namespace: 'blue', primary: true },
    ]);
    const c = clusterIds('demo');
    expect(before.functions[c.primaryFunction]!.environment.AKO_INSTANCE_ID).toBe('demo/avi-system');
    expect(switched.functions[c.primaryFunction]!.environment.AKO_INSTANCE_ID).toBe('demo/blue');
    // the primary reads the new primary's credentials and keys, not the old one's
    const text = JSON.stringify(statementsOf(switched, c.primaryRole));
    expect(text).toContain(instanceIds('demo/blue').secret);
    expect(text).not.toContain(instanceIds('demo/avi-system').secret);
    expect(text).toContain('demo/blue/primary#*');
    // one primary queue per cluster, tagged with the primary instance
    const pq = resourcesOf(switched, 'primary-queue');
    expect(pq).toHaveLength(1);
    expect((pq[0]![1].Metadata![METADATA_KEY] as { instance: string }).instance).toBe('demo/blue');
  });

  it('adds the cluster’s status queue, forwarder policy and primary when a cluster is added', () => {
    const before = stack(base);
    const after = stack([...base, { cluster: 'edge', namespace: 'avi-system', primary: true }]);
    const edge = clusterIds('edge');
    for (const id of [edge.statusQueue, edge.statusDlq, edge.primaryQueue, edge.primaryDlq, edge.forwarderPolicy]) {
      expect(R(before)[id]).toBeUndefined();
      expect(R(after)[id]).toBeDefined();
    }
    expect(after.functions[edge.primaryFunction]!.environment.AKO_INSTANCE_ID).toBe('edge/avi-system');
    expect(resourcesOf(after, 'primary-queue')).toHaveLength(2);
    // the edge forwarder reads only its own status queue and publishes only as the forwarder
    const fp = JSON.stringify(R(after)[edge.forwarderPolicy]!.Properties);
    expect(fp).toContain(edge.statusQueue);
    expect(fp).not.toContain(clusterIds('demo').statusQueue);
    expect(fp).toContain('ako-serverless.forwarder');
    expect(Object.keys(after.resources.Outputs).some((k) => k.startsWith('ForwarderPolicyArnEdge'))).toBe(true);
  });

  it('has no primary resources for non-primary instances', () => {
    const s = stack(base);
    const primaries = Object.values(s.functions).filter((f) => f.environment.AKO_ROLE === 'primary');
    expect(primaries.map((f) => f.environment.AKO_INSTANCE_ID)).toEqual(['demo/avi-system']);
  });

  it('schedules the sweep from fullSyncFrequency and skips it when 0', () => {
    const s = stack([
      { cluster: 'demo', namespace: 'avi-system', primary: true, fullSync: 1800 },
      { cluster: 'demo', namespace: 'blue', primary: false, fullSync: 0 },
    ]);
    expect(s.functions[instanceIds('demo/avi-system').sweepFunction]!.events).toEqual([
      { schedule: expect.objectContaining({ rate: ['rate(30 minutes)'] }) },
    ]);
    expect(s.functions[instanceIds('demo/blue').sweepFunction]!.events).toBeUndefined();
  });

  it('keeps every physical name within AWS limits, even for long names', () => {
    const long = 'x'.repeat(60);
    const s = stack([{ cluster: `c-${long}`, namespace: `ns-${long}`, primary: true }], `stage-${long}`);
    for (const r of Object.values(R(s))) {
      if (r.Type === 'AWS::SQS::Queue' && r.Properties!.QueueName) {
        expect(String(r.Properties!.QueueName).length).toBeLessThanOrEqual(80);
      }
    }
    for (const f of Object.values(s.functions)) expect(f.name.length).toBeLessThanOrEqual(64);
    // names of different owners differ even when they only differ in punctuation
    expect(queueName('p', 'sync', 'a-b/c')).not.toBe(queueName('p', 'sync', 'a/b-c'));
  });
});

describe('controller concurrency budget', () => {
  it('gives each instance one sync writer and splits the controller rate between the functions', () => {
    const reg = registry([
      ...base,
      { cluster: 'demo', namespace: 'green', primary: false },
      { cluster: 'edge', namespace: 'avi-system', primary: true, host: 'other.example.com' },
    ]);
    const plan = planConcurrency(reg.instances, { controllerConcurrency: 10, controllerRequestsPerSecond: 32 });
    // One writer per instance: shard models span namespaces, so batches of one instance must not interleave.
    const syncs = ['demo/avi-system', 'demo/blue', 'demo/green'].map((id) => plan.sync.get(id)!.reserved);
    expect(syncs).toEqual([1, 1, 1]);
    // avi.example.com: 3 sync + 3 sweep + 1 primary = 7 functions share 32 requests/s → 4.57 each (rounded down)
    expect(plan.sync.get('demo/blue')!.requestsPerSecond).toBe(4.57);
    // the other controller has its own budget: sync + sweep + primary share 32/s
    expect(plan.sync.get('edge/avi-system')!.reserved).toBe(1);
    expect(plan.sync.get('edge/avi-system')!.requestsPerSecond).toBe(10.66);
  });

  it('refuses a budget too small for the instances, saying what to raise', () => {
    expect(() =>
      planConcurrency(registry(base).instances, { controllerConcurrency: 4, controllerRequestsPerSecond: 32 }),
    ).toThrow(/controllerConcurrency/);
  });
});
