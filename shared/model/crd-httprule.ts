// HTTPRule (ako.vmware.com/v1beta1): per host+path pool settings, validated as AKO's internal/k8s/validator.go
// ValidateHTTPRuleObj and applied as internal/nodes/crd_translator.go BuildPoolHTTPRule.
import type { BuildContext } from './context.ts';
import { tenantOf } from './context.ts';
import { type CrStatus, crStatus, olderFirst, type RefNeed, refProblem, strings } from './crd-refs.ts';
import type { KubeObject } from './types.ts';
import { objectsOfKind } from './view-index.ts';

export const HTTPRULE_KIND = 'HTTPRule';

/** lib.HttpRulePkiAndDestCASetErr */
export const PKI_AND_DEST_CA_ERROR =
  'PKIProfile and DestinationCA fields are set in the HTTPRule. Only one of the field should be set.';

/** Pool.lb_algorithm values (Avi swagger 30.2.1). */
const LB_ALGORITHMS = new Set([
  'LB_ALGORITHM_LEAST_CONNECTIONS',
  'LB_ALGORITHM_ROUND_ROBIN',
  'LB_ALGORITHM_FASTEST_RESPONSE',
  'LB_ALGORITHM_CONSISTENT_HASH',
  'LB_ALGORITHM_LEAST_LOAD',
  'LB_ALGORITHM_FEWEST_SERVERS',
  'LB_ALGORITHM_RANDOM',
  'LB_ALGORITHM_FEWEST_TASKS',
  'LB_ALGORITHM_NEAREST_SERVER',
  'LB_ALGORITHM_CORE_AFFINITY',
  'LB_ALGORITHM_TOPOLOGY',
]);

/** Pool.lb_algorithm_hash values. */
const LB_HASHES = new Set([
  'LB_ALGORITHM_CONSISTENT_HASH_SOURCE_IP_ADDRESS',
  'LB_ALGORITHM_CONSISTENT_HASH_SOURCE_IP_ADDRESS_AND_PORT',
  'LB_ALGORITHM_CONSISTENT_HASH_URI',
  'LB_ALGORITHM_CONSISTENT_HASH_CUSTOM_HEADER',
  'LB_ALGORITHM_CONSISTENT_HASH_CUSTOM_STRING',
  'LB_ALGORITHM_CONSISTENT_HASH_CALLID',
]);

/** What one `spec.paths[]` entry of an accepted HTTPRule sets on the pools under its target. */
export interface HttpRulePath {
  /** `<ns>/<name>` */
  rule: string;
  namespace: string;
  tenant: string;
  fqdn: string;
  target: string;
  algorithm?: string;
  hash?: string;
  hostHeader?: string;
  healthMonitors: string[];
  persistence?: string;
  enableHttp2?: boolean;
  tls?: { sslProfile?: string; pkiProfile?: string; destinationCA?: string };
}

// biome-ignore lint/suspicious/noExplicitAny: raw CR JSON
type Raw = any;

function fieldProblem(spec: Raw): string | null {
  if (!spec || typeof spec.fqdn !== 'string' || spec.fqdn === '') return 'spec.fqdn is required';
  if (!Array.isArray(spec.paths)) return 'spec.paths must be a list';
  for (const [i, p] of (spec.paths as Raw[]).entries()) {
    if (typeof p?.target !== 'string' || !p.target.startsWith('/')) {
      return `spec.paths[${i}].target must be a path starting with /`;
    }
    const lb = p.loadBalancerPolicy;
    if (lb?.algorithm && !LB_ALGORITHMS.has(lb.algorithm)) {
      return `spec.paths[${i}].loadBalancerPolicy.algorithm "${lb.algorithm}" is not an Avi load-balancing algorithm`;
    }
    if (lb?.hash && !LB_HASHES.has(lb.hash)) {
      return `spec.paths[${i}].loadBalancerPolicy.hash "${lb.hash}" is not an Avi consistent-hash key`;
    }
    if (p.tls?.type !== undefined && p.tls.type !== 'reencrypt') {
      return `spec.paths[${i}].tls.type "${p.tls.type}" must be reencrypt`;
    }
    if (p.healthMonitors !== undefined && !Array.isArray(p.healthMonitors)) {
      return `spec.paths[${i}].healthMonitors must be a list of names`;
    }
  }
  return null;
}

function ruleProblem(ctx: BuildContext, spec: Raw): string | null {
  const needs: RefNeed[] = [];
  for (const p of spec.paths as Raw[]) {
    if (p.tls?.pkiProfile && p.tls?.destinationCA) return PKI_AND_DEST_CA_ERROR;
    needs.push({ kind: 'sslprofile', name: p.tls?.sslProfile ?? '', field: 'tls.sslProfile' });
    needs.push({
      kind: 'applicationpersistenceprofile',
      name: p.applicationPersistence ?? '',
      field: 'applicationPersistence',
    });
    needs.push({ kind: 'pkiprofile', name: p.tls?.pkiProfile ?? '', field: 'tls.pkiProfile' });
    for (const hm of strings(p.healthMonitors))
      needs.push({ kind: 'healthmonitor', name: hm, field: 'healthMonitors' });
  }
  return refProblem(ctx.facts.aviRefs, needs, ctx.createdBy);
}

function pathsOf(ctx: BuildContext, r: KubeObject): HttpRulePath[] {
  const ns = r.metadata.namespace ?? '';
  const tenant = tenantOf(ctx.instance, ctx.idx, ns);
  return (r.spec.paths as Raw[]).map((p) => {
    const out: HttpRulePath = {
      rule: `${ns}/${r.metadata.name}`,
      namespace: ns,
      tenant,
      fqdn: r.spec.fqdn,
      target: p.target,
      healthMonitors: [...new Set(strings(p.healthMonitors))],
    };
    const lb = p.loadBalancerPolicy ?? {};
    if (lb.algorithm) out.algorithm = lb.algorithm;
    if (lb.hash) out.hash = lb.hash;
    if (lb.hostHeader) out.hostHeader = lb.hostHeader;
    if (p.applicationPersistence) out.persistence = p.applicationPersistence;
    if (typeof p.enableHTTP2 === 'boolean') out.enableHttp2 = p.enableHTTP2;
    if (p.tls?.type === 'reencrypt') {
      out.tls = {
        ...(p.tls.sslProfile ? { sslProfile: p.tls.sslProfile } : {}),
        ...(p.tls.pkiProfile ? { pkiProfile: p.tls.pkiProfile } : {}),
        ...(p.tls.destinationCA ? { destinationCA: p.tls.destinationCA } : {}),
      };
    }
    return out;
  });
}

export interface HttpRuleIndex {
  paths: HttpRulePath[];
  statuses: CrStatus[];
}

/** Every HTTPRule of the instance's namespaces, validated: accepted paths and a status for each rule. */
export function httpRules(ctx: BuildContext): HttpRuleIndex {
  const hit = ctx.perBuild.get('httpRules') as HttpRuleIndex | undefined;
  if (hit) return hit;
  const paths: HttpRulePath[] = [];
  const statuses: CrStatus[] = [];
  for (const r of [...objectsOfKind(ctx.idx, HTTPRULE_KIND)].sort(olderFirst)) {
    const problem = fieldProblem(r.spec) ?? ruleProblem(ctx, r.spec);
    if (problem) {
      statuses.push(crStatus(r, 'Rejected', problem));
      continue;
    }
    paths.push(...pathsOf(ctx, r));
    statuses.push(crStatus(r, 'Accepted'));
  }
  const out = { paths, statuses };
  ctx.perBuild.set('httpRules', out);
  return out;
}

/**
 * The HTTPRule paths that apply to a pool of `namespace`'s Ingress/Route for `host` + `path`, least specific
 * first (a target applies to every path it prefixes, as AKO's pool-name regex; the longest target wins a
 * field both set). A rule of another namespace or tenant never applies.
 */
export function httpRulesFor(
  ctx: BuildContext,
  host: string,
  namespace: string,
  path: string,
  tenant: string,
): HttpRulePath[] {
  const out = httpRules(ctx).paths.filter((p) => {
    if (p.fqdn !== host || p.namespace !== namespace || p.tenant !== tenant) return false;
    // A Route's empty path is matched by target "/" (crd_translator.go).
    if (path === '') return p.target === '/';
    return path.startsWith(p.target);
  });
  return out.sort((a, b) => a.target.length - b.target.length);
}
