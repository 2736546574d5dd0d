// The router as wired for Lambda: registry file + env → the queue the stack generated for the owning instance.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createRouterHandler } from '../../functions/router/handler.ts';
import { readRouterEnv } from '../../infra/aws/adapters/env-config.ts';
import { bundle } from '../../infra/aws/scripts/build.ts';
import { buildStack, DEFAULT_STACK_OPTIONS } from '../../infra/aws/stack.ts';
import { createRouterDeps } from '../../infra/aws/wiring-router.ts';
import { silentLogger } from '../../shared/log.ts';
import { loadRegistryFile, parseRegistry } from '../../shared/registry/index.ts';

const registry = loadRegistryFile(new URL('./fixtures/two-clusters.yaml', import.meta.url).pathname);
const stack = buildStack(registry, { ...DEFAULT_STACK_OPTIONS, stage: 'ci' });
const PREFIX = 'https://sqs.eu-west-1.amazonaws.com/123456789012/';
const env = readRouterEnv({
  AKO_EVENT_BUS: 'ako-serverless-ci',
  AKO_STACK_PREFIX: String(stack.functions.router!.environment.AKO_STACK_PREFIX),
  AKO_QUEUE_URL_PREFIX: PREFIX,
  AKO_DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/router-dlq',
});
const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const queueNameOf = (role: string, instance: string) => {
  const q = Object.values(stack.resources.Resources).find((r) => {
    const m = r.Metadata?.AkoServerless as { role?: string; instance?: string } | undefined;
    return m?.role === role && m.instance === instance;
  });
  return String(q!.Properties!.QueueName);
};

function objectChange(namespace: string, labels: Record<string, string>) {
  return {
    version: '0',
    id: 'e1',
    source: 'ako-serverless.forwarder',
    'detail-type': 'object-change',
    account: '123456789012',
    time: '2026-11-23T23:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      version: 1,
      cluster: 'demo',
      kind: 'Service',
      apiVersion: 'v1',
      namespace,
      name: 'web',
      uid: 'u-1',
      resourceVersion: '7',
      op: 'upsert',
      namespaceLabels: labels,
      object: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace, uid: 'u-1', resourceVersion: '7' },
      },
    },
  };
}

describe('router wiring', () => {
  it('sends an object change to the owning instance’s generated FIFO queue, grouped by namespace', async () => {
    sqs.on(SendMessageCommand).resolves({});
    const handler = createRouterHandler(
      createRouterDeps({
        env,
        registryText: JSON.stringify(stack.routerRegistry),
        sqs: new SQSClient({ region: 'eu-west-1' }),
        logger: silentLogger,
      }),
    );
    await handler(objectChange('shop', { team: 'blue' }) as never, {} as never);
    const calls = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.QueueUrl).toBe(`${PREFIX}${queueNameOf('sync-queue', 'demo/ako-blue')}`);
    expect(calls[0]!.MessageGroupId).toBe('shop');
    expect(calls[0]!.MessageDeduplicationId).toMatch(/^.{1,128}$/);
    expect(JSON.parse(calls[0]!.MessageBody!)).toMatchObject({ type: 'object', change: { name: 'web' } });
  });

  it('sends an unroutable event to the router dead-letter queue', async () => {
    sqs.on(SendMessageCommand).resolves({});
    const handler = createRouterHandler(
      createRouterDeps({
        env,
        registryText: JSON.stringify(stack.routerRegistry),
        sqs: new SQSClient({ region: 'eu-west-1' }),
        logger: silentLogger,
      }),
    );
    const bad = objectChange('shop', { team: 'blue' });
    (bad.detail as Record<string, unknown>).cluster = 'nowhere';
    await handler(bad as never, {} as never);
    const calls = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.QueueUrl)).toEqual([env.deadLetterQueueUrl]);
    expect(calls[0]!.MessageGroupId).toBeUndefined();
  });

  it('reports an ownership conflict as a Warning Event on the namespace through the cluster status queue', async () => {
    sqs.on(SendMessageCommand).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const conflicting = buildStack(
      parseRegistry(
        JSON.stringify({
          instances: ['a', 'b'].map((ns, i) => ({
            namespace: ns,
            values: {
              AKOSettings: {
                clusterName: 'demo',
                primaryInstance: i === 0,
                namespaceSelector: { labelKey: ns, labelValue: 'yes' },
              },
              ControllerSettings: { controllerHost: 'avi', controllerVersion: '22.1.3' },
            },
          })),
        }),
        { baseDir: '/' },
      ),
      { ...DEFAULT_STACK_OPTIONS, stage: 'ci' },
    );
    const handler = createRouterHandler(
      createRouterDeps({
        env,
        registryText: JSON.stringify(conflicting.routerRegistry),
        sqs: new SQSClient({ region: 'eu-west-1' }),
        logger: silentLogger,
      }),
    );
    await handler(objectChange('shop', { a: 'yes', b: 'yes' }) as never, {} as never);
    const statusQueue = Object.values(conflicting.resources.Resources).find(
      (r) => (r.Metadata?.AkoServerless as { role?: string } | undefined)?.role === 'status-queue',
    )!.Properties!.QueueName;
    const batch = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(batch.map((b) => b.QueueUrl)).toEqual([`${PREFIX}${statusQueue}`]);
    const updates = batch[0]!.Entries!.map((e) => JSON.parse(e.MessageBody!));
    // On the namespace, and on the object whose change was not routed (what kubectl describe shows).
    expect(updates.map((u: { target: unknown }) => u.target)).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', name: 'shop' },
      { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web' },
    ]);
    for (const u of updates) expect(u.events[0]).toMatchObject({ type: 'Warning', reason: 'OwnershipConflict' });
    // nothing was routed to either instance
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([env.deadLetterQueueUrl]);
  });

  it('refuses a registry file that is not what packaging writes', () => {
    expect(() =>
      createRouterDeps({ env, registryText: '{"nope":1}', sqs: new SQSClient({}), logger: silentLogger }),
    ).toThrow(/no valid instances list; re-run `npm run package`/);
  });
});

describe('router bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ako-router-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports as ESM in a fresh node process (createRequire banner) and exports a handler', async () => {
    const root = new URL('../..', import.meta.url).pathname;
    const out = await bundle(
      { name: 'router', entry: 'infra/aws/entry/router.ts', outfile: 'dist/router/index.mjs', lambda: true },
      { root, outDir: dir },
    );
    writeFileSync(join(dir, 'dist/router/registry.json'), JSON.stringify(stack.routerRegistry));
    const run = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(join(dir, out.outfile))}); console.log(typeof m.handler);`,
      ],
      {
        env: {
          PATH: process.env.PATH,
          AKO_EVENT_BUS: 'bus',
          AKO_STACK_PREFIX: 'ako-serverless-ci',
          AKO_QUEUE_URL_PREFIX: PREFIX,
          AKO_DEAD_LETTER_QUEUE_URL: env.deadLetterQueueUrl,
          AWS_REGION: 'eu-west-1',
        },
        encoding: 'utf8',
      },
    );
    expect(run.stderr).not.toMatch(/Dynamic require/);
    expect(run.stdout.trim()).toBe('function');
  });
});
