// Registry file → generated stack, with the checks that need the file system (bundles built).
// Called by serverless-stack.cjs while osls resolves serverless.yml.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadRegistryFile } from '../../shared/registry/index.ts';
import { buildStack, DEFAULT_STACK_OPTIONS, type GeneratedStack, type StackOptions } from './stack.ts';

export class BundleMissingError extends Error {
  override name = 'BundleMissingError';
}

const NUMERIC: (keyof StackOptions)[] = [
  'controllerConcurrency',
  'controllerRequestsPerSecond',
  'archiveRetentionDays',
  'functionTimeoutSeconds',
  'memorySize',
  'maxReceiveCount',
];

/** Reads `custom.ako` of serverless.yml (values arrive as strings from --param / env) into stack options. */
export function optionsFromConfig(config: Record<string, unknown>): Partial<StackOptions> {
  const out: Partial<Record<keyof StackOptions, number>> = {};
  for (const key of NUMERIC) {
    const raw = config[key];
    if (raw === undefined || raw === null || raw === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) {
      throw new Error(`custom.ako.${key} (--param ${key}=...) must be a positive number, got ${JSON.stringify(raw)}`);
    }
    out[key] = n;
  }
  const topic = config.alarmTopicArn;
  if (typeof topic === 'string' && topic !== '') {
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(topic))
      throw new Error(
        `custom.ako.alarmTopicArn (--param alarmTopicArn=...) must be an SNS topic ARN, got ${JSON.stringify(topic)}`,
      );
    return { ...(out as Partial<StackOptions>), alarmTopicArn: topic };
  }
  return out as Partial<StackOptions>;
}

export function generateFromFile(
  instancesFile: string,
  opts: Partial<StackOptions> & { stage: string; serviceDir?: string; requireBundles?: boolean },
): GeneratedStack {
  const registry = loadRegistryFile(instancesFile);
  const stack = buildStack(registry, { ...DEFAULT_STACK_OPTIONS, ...opts });
  if (opts.requireBundles !== false) {
    const dir = resolve(opts.serviceDir ?? process.cwd());
    const handlers = new Set(Object.values(stack.functions).map((f) => f.handler.replace(/\.handler$/, '.mjs')));
    const missing = [...handlers].filter((h) => !existsSync(join(dir, h)));
    if (missing.length > 0) {
      throw new BundleMissingError(`missing bundle(s) ${missing.join(', ')}: run \`npm run build\` first`);
    }
  }
  return stack;
}
