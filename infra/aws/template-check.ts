// Checks a generated CloudFormation template: against the CloudFormation resource specification
// (@aws-cdk/aws-service-spec: types, property names, required properties, primitive types, Ref/GetAtt targets) and
// against the project's own rules (one queue + DLQ + sync function per instance, primary resources only for the
// primary, least-privilege IAM, nodejs22.x, Lambda limits, bundle sizes).
import type { SpecDatabase } from '@aws-cdk/service-spec-types';
import type { Registry } from '../../shared/registry/types.ts';
import { METADATA_KEY } from './stack.ts';

export interface TemplateProblem {
  rule: string;
  resource?: string;
  path?: string;
  message: string;
  /** Warnings are reported but do not fail the check. */
  severity: 'error' | 'warning';
}

type Json = unknown;
interface Template {
  Resources?: Record<string, { Type: string; Properties?: Record<string, Json>; Metadata?: Record<string, Json> }>;
  Parameters?: Record<string, Json>;
  Outputs?: Record<string, Json>;
}

const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

export function formatProblem(p: TemplateProblem): string {
  const where = [p.resource, p.path].filter(Boolean).join(' ');
  return `${p.severity === 'error' ? 'error' : 'warning'} [${p.rule}] ${where ? `${where}: ` : ''}${p.message}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Specification checks

function isIntrinsic(v: Json): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'));
}

interface SpecType {
  type: string;
  element?: SpecType;
  types?: SpecType[];
  reference?: { $ref: string };
}
interface SpecProperty {
  type: SpecType;
  required?: boolean;
}

function checkValue(db: SpecDatabase, type: SpecType, value: Json, path: string, out: string[]): void {
  if (isIntrinsic(value)) return;
  switch (type.type) {
    case 'string':
    case 'date-time':
      if (typeof value !== 'string' && typeof value !== 'number') out.push(`${path}: expected string`);
      return;
    case 'number':
    case 'integer':
      if (typeof value === 'number') return;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return;
      out.push(`${path}: expected ${type.type}`);
      return;
    case 'boolean':
      if (typeof value === 'boolean' || value === 'true' || value === 'false') return;
      out.push(`${path}: expected boolean`);
      return;
    case 'json':
      return;
    case 'tag':
      if (value === null || typeof value !== 'object') out.push(`${path}: expected a tag {Key, Value}`);
      return;
    case 'array':
      if (!Array.isArray(value)) {
        out.push(`${path}: expected a list`);
        return;
      }
      value.forEach((v, i) => {
        checkValue(db, type.element!, v, `${path}[${i}]`, out);
      });
      return;
    case 'map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        out.push(`${path}: expected a map`);
        return;
      }
      for (const [k, v] of Object.entries(value)) checkValue(db, type.element!, v, `${path}.${k}`, out);
      return;
    case 'ref': {
      const def = db.get('typeDefinition', type.reference!.$ref) as unknown as {
        name: string;
        properties: Record<string, SpecProperty>;
      };
      checkObject(db, def.properties, value, path, out);
      return;
    }
    case 'union': {
      const attempts = type.types!.map((t) => {
        const sub: string[] = [];
        checkValue(db, t, value, path, sub);
        return sub;
      });
      if (attempts.some((a) => a.length === 0)) return;
      out.push(...attempts.reduce((a, b) => (b.length < a.length ? b : a)));
      return;
    }
    default:
      return;
  }
}

function checkObject(db: SpecDatabase, props: Record<string, SpecProperty>, value: Json, path: string, out: string[]) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.push(`${path}: expected an object`);
    return;
  }
  const obj = value as Record<string, Json>;
  for (const [k, v] of Object.entries(obj)) {
    const p = props[k];
    if (!p) {
      out.push(`${path ? `${path}.` : ''}${k}: unknown property`);
      continue;
    }
    checkValue(db, p.type, v, `${path ? `${path}.` : ''}${k}`, out);
  }
  for (const [k, p] of Object.entries(props)) {
    if (p.required && !(k in obj)) out.push(`${path ? `${path}: ` : ''}missing required ${k}`);
  }
}

function resourceSpec(db: SpecDatabase, type: string) {
  return db.lookup('resource', 'cloudFormationType', 'equals', type)[0] as
    | { properties: Record<string, SpecProperty>; attributes: Record<string, unknown> }
    | undefined;
}

/** Visits every Ref / Fn::GetAtt / Fn::Sub in `value`. */
function walkRefs(
  value: Json,
  path: string,
  visit: (kind: 'Ref' | 'GetAtt', target: string, attr: string | undefined, path: string) => void,
  subVars: Set<string> = new Set(),
): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      walkRefs(v, `${path}[${i}]`, visit, subVars);
    });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Record<string, Json>;
  if (typeof obj.Ref === 'string' && Object.keys(obj).length === 1) {
    if (!subVars.has(obj.Ref)) visit('Ref', obj.Ref, undefined, path);
    return;
  }
  if ('Fn::GetAtt' in obj) {
    const g = obj['Fn::GetAtt'];
    const [res, ...attr] = Array.isArray(g) ? (g as string[]) : String(g).split('.');
    visit('GetAtt', String(res), attr.join('.'), path);
    return;
  }
  if ('Fn::Sub' in obj) {
    const s = obj['Fn::Sub'];
    const [text, vars] = Array.isArray(s) ? [String(s[0]), (s[1] ?? {}) as Record<string, Json>] : [String(s), {}];
    const names = new Set([...subVars, ...Object.keys(vars)]);
    for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
      const name = m[1]!.trim();
      if (names.has(name)) continue;
      const dot = name.indexOf('.');
      if (dot > 0) visit('GetAtt', name.slice(0, dot), name.slice(dot + 1), `${path}.Fn::Sub`);
      else visit('Ref', name, undefined, `${path}.Fn::Sub`);
    }
    walkRefs(vars, `${path}.Fn::Sub`, visit, subVars);
    return;
  }
  for (const [k, v] of Object.entries(obj)) walkRefs(v, path ? `${path}.${k}` : k, visit, subVars);
}

export function checkAgainstSpec(template: Template, db: SpecDatabase): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const resources = template.Resources ?? {};
  const params = new Set(Object.keys(template.Parameters ?? {}));
  const err = (rule: string, resource: string | undefined, message: string) =>
    problems.push({ rule, resource, message, severity: 'error' });

  for (const [id, res] of Object.entries(resources)) {
    if (!/^[A-Za-z0-9]+$/.test(id)) err('logical-id', id, 'logical ids must be alphanumeric');
    if (res.Type.startsWith('Custom::') || res.Type === 'AWS::CloudFormation::CustomResource') continue;
    const spec = resourceSpec(db, res.Type);
    if (!spec) {
      err('resource-type', id, `unknown resource type ${res.Type}`);
      continue;
    }
    const out: string[] = [];
    checkObject(db, spec.properties, res.Properties ?? {}, '', out);
    for (const m of out) err('property', id, m);
  }

  const visit = (kind: 'Ref' | 'GetAtt', target: string, attr: string | undefined, path: string, from?: string) => {
    if (kind === 'Ref') {
      if (!resources[target] && !params.has(target) && !PSEUDO.has(target)) {
        err('ref', from, `${path}: Ref to unknown resource or parameter '${target}'`);
      }
      return;
    }
    const res = resources[target];
    if (!res) {
      err('getatt', from, `${path}: GetAtt of unknown resource '${target}'`);
      return;
    }
    const spec = resourceSpec(db, res.Type);
    if (spec && attr && !(attr in spec.attributes))
      err('getatt', from, `${path}: ${res.Type} has no attribute '${attr}'`);
  };
  for (const [id, res] of Object.entries(resources)) {
    walkRefs(res.Properties ?? {}, 'Properties', (k, t, a, p) => visit(k, t, a, p, id));
  }
  walkRefs(template.Outputs ?? {}, 'Outputs', (k, t, a, p) => visit(k, t, a, p, undefined));
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Project rules

export interface ProjectRuleOptions {
  /** Concurrency budget per controller (same as --param controllerConcurrency). */
  controllerConcurrency: number;
  /** Bundle sizes from dist/bundle-sizes.json, when built. */
  bundles?: { name: string; outfile: string; bytes: number }[];
  /** Size each Lambda bundle should stay under (reported when exceeded). */
  targetBundleBytes: number;
  /** Size no Lambda bundle may exceed (fails the check). */
  maxBundleBytes: number;
}

const LAMBDA_ENV_LIMIT = 4096;
const RUNTIME = 'nodejs22.x';

type Res = { Type: string; Properties?: Record<string, Json>; Metadata?: Record<string, Json> };

function meta(res: Res): { instance?: string; cluster?: string; role?: string } {
  return (res.Metadata?.[METADATA_KEY] as { instance?: string; cluster?: string; role?: string }) ?? {};
}

function getAttTarget(v: Json): string | undefined {
  if (v && typeof v === 'object' && 'Fn::GetAtt' in v) {
    const g = (v as Record<string, Json>)['Fn::GetAtt'];
    return Array.isArray(g) ? String(g[0]) : String(g).split('.')[0];
  }
  return undefined;
}

function refTarget(v: Json): string | undefined {
  if (v && typeof v === 'object' && 'Ref' in v) return String((v as { Ref: Json }).Ref);
  return getAttTarget(v);
}

function envOf(res: Res): Record<string, Json> {
  return ((res.Properties?.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {}) as Record<
    string,
    Json
  >;
}

function isTrue(v: Json): boolean {
  return v === true || v === 'true';
}

/** Policy documents in the template with where they sit, and whether AWS requires `Resource: "*"` there. */
function policyDocuments(
  resources: Record<string, Res>,
): { resource: string; path: string; doc: Json; keyPolicy: boolean }[] {
  const out: { resource: string; path: string; doc: Json; keyPolicy: boolean }[] = [];
  for (const [id, res] of Object.entries(resources)) {
    const p = res.Properties ?? {};
    if (res.Type === 'AWS::IAM::Role') {
      ((p.Policies as { PolicyDocument: Json }[] | undefined) ?? []).forEach((pol, i) => {
        out.push({ resource: id, path: `Policies[${i}]`, doc: pol.PolicyDocument, keyPolicy: false });
      });
    } else if (
      ['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy', 'AWS::SQS::QueuePolicy', 'AWS::S3::BucketPolicy'].includes(
        res.Type,
      )
    ) {
      out.push({ resource: id, path: 'PolicyDocument', doc: p.PolicyDocument, keyPolicy: false });
    } else if (res.Type === 'AWS::KMS::Key') {
      out.push({ resource: id, path: 'KeyPolicy', doc: p.KeyPolicy, keyPolicy: true });
    }
  }
  return out;
}

function wildcardResource(r: Json): boolean {
  const text =
    typeof r === 'string'
      ? r
      : r && typeof r === 'object' && 'Fn::Sub' in r
        ? String((r as Record<string, Json>)['Fn::Sub'])
        : undefined;
  if (text === undefined) return false;
  if (text.trim() === '*') return true;
  // arn:partition:service:region:account:resource — a wildcard in any of the first five fields, or a bare `*`
  // resource, grants across resources. `...:log-group:<name>:*` (streams of one log group) is scoped and allowed.
  const parts = text.split(':');
  if (parts[0] === 'arn' && parts.slice(1, 5).some((f) => f.includes('*'))) return true;
  const resource = parts.slice(5).join(':');
  return parts[0] === 'arn' && (resource === '*' || resource.startsWith('*'));
}

export function checkProjectRules(template: Template, registry: Registry, opts: ProjectRuleOptions): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const resources = (template.Resources ?? {}) as Record<string, Res>;
  const err = (rule: string, resource: string | undefined, message: string) =>
    problems.push({ rule, resource, message, severity: 'error' });
  const warn = (rule: string, resource: string | undefined, message: string) =>
    problems.push({ rule, resource, message, severity: 'warning' });
  const byId = new Map(registry.instances.map((i) => [i.id, i]));
  const entries = Object.entries(resources);
  const functions = entries.filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  const mappings = entries.filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping');
  const queues = entries.filter(([, r]) => r.Type === 'AWS::SQS::Queue');

  const mappingFor = (fnId: string, queueId: string) =>
    mappings.find(
      ([, m]) =>
        refTarget(m.Properties?.FunctionName) === fnId && getAttTarget(m.Properties?.EventSourceArn) === queueId,
    );

  // -- one FIFO queue + FIFO DLQ + sync function per instance, each wired to its own queue
  for (const inst of registry.instances) {
    const q = queues.filter(([, r]) => meta(r).role === 'sync-queue' && meta(r).instance === inst.id);
    if (q.length !== 1) {
      err('instance-queue', undefined, `instance ${inst.id} needs exactly one sync queue, found ${q.length}`);
      continue;
    }
    const [qId, queue] = q[0]!;
    const qp = queue.Properties ?? {};
    if (!isTrue(qp.FifoQueue)) err('instance-queue', qId, 'the sync queue must be FIFO');
    if (isTrue(qp.ContentBasedDeduplication)) {
      err('instance-queue', qId, 'content-based deduplication must be off (the router sets deduplication ids)');
    }
    const dlqId = getAttTarget((qp.RedrivePolicy as Record<string, Json> | undefined)?.deadLetterTargetArn);
    const dlq = dlqId ? resources[dlqId] : undefined;
    if (!dlq || meta(dlq).role !== 'sync-dlq' || meta(dlq).instance !== inst.id) {
      err('instance-dlq', qId, `the sync queue of ${inst.id} must redrive to its own dead-letter queue`);
    } else if (!isTrue(dlq.Properties?.FifoQueue)) {
      err('instance-dlq', dlqId, 'the dead-letter queue of a FIFO queue must be FIFO');
    }
    const fns = functions.filter(([, f]) => envOf(f).AKO_ROLE === 'sync' && envOf(f).AKO_INSTANCE_ID === inst.id);
    if (fns.length !== 1) {
      err('instance-function', undefined, `instance ${inst.id} needs exactly one sync function, found ${fns.length}`);
      continue;
    }
    const [fnId, fn] = fns[0]!;
    const m = mappingFor(fnId, qId);
    if (!m) err('instance-function', fnId, `the sync function of ${inst.id} must read its own queue ${qId}`);
    else {
      const types = (m[1].Properties?.FunctionResponseTypes as string[] | undefined) ?? [];
      if (!types.includes('ReportBatchItemFailures')) {
        err('instance-function', m[0], 'the SQS event source must use ReportBatchItemFailures');
      }
    }
    const timeout = Number(fn.Properties?.Timeout ?? 3);
    if (Number(qp.VisibilityTimeout ?? 30) < timeout) {
      err('queue-visibility', qId, `VisibilityTimeout must be at least the function timeout (${timeout}s)`);
    }
  }
  for (const [fnId, f] of functions) {
    const env = envOf(f);
    if ((env.AKO_ROLE === 'sync' || env.AKO_ROLE === 'sweep') && !byId.has(String(env.AKO_INSTANCE_ID))) {
      err(
        'instance-function',
        fnId,
        `${env.AKO_ROLE} function for ${String(env.AKO_INSTANCE_ID)}, which is not in the registry`,
      );
    }
  }

  // -- primary resources only for primary instances, exactly one per cluster
  const clusters = [...new Set(registry.instances.map((i) => i.clusterName))];
  for (const [fnId, f] of functions.filter(([, f]) => envOf(f).AKO_ROLE === 'primary')) {
    const inst = byId.get(String(envOf(f).AKO_INSTANCE_ID));
    if (!inst?.primary)
      err(
        'primary-only',
        fnId,
        `primary function for ${String(envOf(f).AKO_INSTANCE_ID)}, which is not a primary instance`,
      );
  }
  for (const [id, r] of entries) {
    const m = meta(r);
    if (m.role?.startsWith('primary') && !byId.get(String(m.instance))?.primary) {
      err('primary-only', id, `primary resource for ${String(m.instance)}, which is not a primary instance`);
    }
  }
  for (const cluster of clusters) {
    const primary = registry.instances.find((i) => i.clusterName === cluster && i.primary);
    // Only a function for the cluster's primary instance counts; one for another instance is flagged above.
    const fns = functions.filter(
      ([, f]) => envOf(f).AKO_ROLE === 'primary' && envOf(f).AKO_INSTANCE_ID === primary?.id,
    );
    if ((primary ? 1 : 0) !== fns.length) {
      err(
        'primary-only',
        undefined,
        `cluster ${cluster} needs ${primary ? 'exactly one' : 'no'} primary function, found ${fns.length}`,
      );
    }
    if (!queues.some(([, r]) => meta(r).role === 'status-queue' && meta(r).cluster === cluster)) {
      err('status-queue', undefined, `cluster ${cluster} has no status queue`);
    }
  }

  // -- IAM: no wildcard actions or resources in Allow statements (a KMS key policy's Resource "*" is required by AWS)
  for (const { resource, path, doc, keyPolicy } of policyDocuments(resources)) {
    const stmts = ((doc as { Statement?: Json[] } | undefined)?.Statement ?? []) as Record<string, Json>[];
    stmts.forEach((s, i) => {
      if (s.Effect !== 'Allow') return;
      const actions = ([] as Json[]).concat(s.Action ?? []);
      for (const a of actions)
        if (typeof a === 'string' && a.includes('*'))
          err('iam-wildcard', resource, `${path}.Statement[${i}]: wildcard action ${a}`);
      if (s.NotAction || s.NotResource)
        err('iam-wildcard', resource, `${path}.Statement[${i}]: NotAction/NotResource grant everything else`);
      const res = ([] as Json[]).concat(s.Resource ?? []);
      for (const r of res) {
        if (keyPolicy && r === '*') continue;
        if (wildcardResource(r))
          err('iam-wildcard', resource, `${path}.Statement[${i}]: wildcard resource ${JSON.stringify(r)}`);
      }
    });
  }

  // -- Lambda: runtime, own role, log retention, environment size
  const logGroups = entries.filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
  for (const [fnId, f] of functions) {
    const p = f.Properties ?? {};
    if (p.Runtime !== RUNTIME) err('runtime', fnId, `Runtime must be ${RUNTIME}, got ${JSON.stringify(p.Runtime)}`);
    const roleId = refTarget(p.Role);
    if (!roleId || resources[roleId]?.Type !== 'AWS::IAM::Role' || roleId === 'IamRoleLambdaExecution') {
      err('own-role', fnId, 'each function needs its own generated role');
    } else if (functions.some(([otherId, o]) => otherId !== fnId && refTarget(o.Properties?.Role) === roleId)) {
      err('own-role', fnId, `role ${roleId} is shared with another function`);
    }
    const name = String(p.FunctionName ?? '');
    const lg = logGroups.find(([, g]) => g.Properties?.LogGroupName === `/aws/lambda/${name}`);
    if (!lg) err('log-retention', fnId, `no log group /aws/lambda/${name}`);
    else if (!lg[1].Properties?.RetentionInDays) err('log-retention', lg[0], 'log group without RetentionInDays');
    const env = envOf(f);
    const size = Object.entries(env).reduce(
      (n, [k, v]) => n + k.length + (typeof v === 'string' ? v.length : 100) /* resolved ARN/URL */,
      0,
    );
    if (size > LAMBDA_ENV_LIMIT)
      err('env-size', fnId, `environment is ~${size} bytes; Lambda allows ${LAMBDA_ENV_LIMIT}`);
  }

  // -- reserved concurrency per controller within the budget
  const perController = new Map<string, number>();
  for (const [, f] of functions) {
    const raw = envOf(f).AKO_INSTANCE;
    if (typeof raw !== 'string') continue;
    const host = (JSON.parse(raw) as { controller?: { host?: string } }).controller?.host ?? '';
    perController.set(host, (perController.get(host) ?? 0) + Number(f.Properties?.ReservedConcurrentExecutions ?? 0));
  }
  for (const [host, sum] of perController) {
    if (sum > opts.controllerConcurrency) {
      err(
        'controller-budget',
        undefined,
        `functions of controller ${host} reserve ${sum} > budget ${opts.controllerConcurrency}`,
      );
    }
  }

  // -- bundle sizes: above the target is reported; above the ceiling fails (a regression such as
  // `import { z } from 'zod'` adds ~450 KB). The forwarder runs as a container, so it is only reported.
  for (const b of opts.bundles ?? []) {
    const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
    const size = `${b.outfile} is ${kb(b.bytes)} minified`;
    if (b.name === 'forwarder') {
      if (b.bytes > opts.targetBundleBytes) {
        warn(
          'bundle-size',
          undefined,
          `${size} (target ${kb(opts.targetBundleBytes)}); the forwarder runs as a container, not a Lambda`,
        );
      }
    } else if (b.bytes > opts.maxBundleBytes) {
      err('bundle-size', undefined, `${size}, over the ceiling of ${kb(opts.maxBundleBytes)}`);
    } else if (b.bytes > opts.targetBundleBytes) {
      warn('bundle-size', undefined, `${size} (target ${kb(opts.targetBundleBytes)})`);
    }
  }
  return problems;
}
