import type { BuildContext } from './context.ts';
import { defaultSubdomain } from './context.ts';
import { sharedVsScript } from './datascript.ts';
import type { HostFragment } from './l7-fragments.ts';
import { type SniTarget, sniChildObjects } from './l7-sni.ts';
import { fnv1a32, modelName, sanitizeTenant } from './naming.ts';
import { obj, type PgMember, poolGroupObject, redirectPolicySetObject, vsVipObject, withCksum } from './objects.ts';
import { markers, ref, serviceMetadata } from './refs.ts';
import type { AviModel, AviObject, ObjectKey, SkippedObject } from './types.ts';

/** Auto-FQDN of a shared VS: `<vs>.<tenant>.<subdomain>` (default) or `<vs>-<tenant>.<subdomain>` (flat). */
export function sharedVsFqdn(ctx: BuildContext, vsName: string, tenant: string): string | undefined {
  const mode = ctx.instance.l4.autoFQDN;
  if (mode === 'disabled') return undefined;
  const sub = defaultSubdomain(ctx.instance, ctx.facts);
  if (!sub) return undefined;
  const t = sanitizeTenant(tenant);
  return mode === 'flat' ? `${vsName}-${t}.${sub}` : `${vsName}.${t}.${sub}`;
}

/** SNI children cached by the exact fragments they were built from (fragments are reused while unchanged). */
export type SniCache = Map<string, { from: HostFragment[]; objects: AviObject[]; skipped: SkippedObject[] }>;

function sniChild(
  ctx: BuildContext,
  vsName: string,
  tenant: string,
  host: string,
  frags: HostFragment[],
  cache?: SniCache,
): AviObject[] {
  const key = `${tenant}/${vsName}/${host}`;
  const hit = cache?.get(key);
  if (hit && hit.from.length === frags.length && hit.from.every((f, i) => f === frags[i])) {
    ctx.skipped.push(...hit.skipped);
    return hit.objects;
  }
  const outer = ctx.skipped;
  ctx.skipped = [];
  try {
    const targets: SniTarget[] = frags.map((f) => ({ cert: f.cert!, pieces: f.sni! }));
    const objects = sniChildObjects(ctx, vsName, tenant, host, targets);
    cache?.set(key, { from: frags, objects, skipped: ctx.skipped });
    outer.push(...ctx.skipped);
    return objects;
  } finally {
    ctx.skipped = outer;
  }
}

/** What the hosts of one shard add up to (one pass, in fragment order). */
interface ShardHosts {
  /** The Ingresses/Routes by key, then what they looked up (Service/EndpointSlice/Secret keys), first seen first. */
  sources: ObjectKey[];
  fqdns: string[];
  fqdnHashes: number[];
  pools: AviObject[];
  members: PgMember[];
  /** A host served by several fragments: pool names and members may repeat. */
  repeatedHosts: boolean;
  secure: Map<string, HostFragment[]>;
  redirectHosts: string[];
}

/**
 * The shard's hosts in one pass over thousands of fragments, so it is kept tight: one hash operation per host
 * (a Set's size tells a new host), object keys compared by identity, dependency keys interned by the fragment
 * cache. Pool names contain the host, so only a host seen in several fragments can repeat a pool name.
 */
function gatherHosts(frags: HostFragment[], auto: string | undefined): ShardHosts {
  const objectKeys: ObjectKey[] = [];
  const depSources = new Set<ObjectKey>();
  const fqdns: string[] = [];
  const fqdnHashes: number[] = [];
  if (auto) {
    fqdns.push(auto);
    fqdnHashes.push(fnv1a32(auto));
  }
  const pools: AviObject[] = [];
  const members: PgMember[] = [];
  const secure = new Map<string, HostFragment[]>();
  const redirectHosts: string[] = [];
  const hosts = new Set<string>(auto ? [auto] : []);
  /** Pool names per repeated host, made on the first repeat. */
  let poolNames: Map<string, Set<string>> | undefined;
  let lastSource: unknown;
  for (let at = 0; at < frags.length; at++) {
    const f = frags[at]!;
    // Fragments arrive sorted by object key: one object's fragments are adjacent.
    if (f.host.source !== lastSource) {
      lastSource = f.host.source;
      objectKeys.push(f.sources[0]!);
    }
    for (let i = 1; i < f.sources.length; i++) depSources.add(f.sources[i]!);
    if (!f.usable) continue;
    const host = f.host.host;
    const count = hosts.size;
    hosts.add(host);
    if (hosts.size > count) {
      fqdns.push(host);
      fqdnHashes.push(f.hostHash);
      for (const p of f.pools) pools.push(p);
    } else {
      poolNames ??= new Map();
      let names = poolNames.get(host);
      if (!names) {
        names = new Set();
        for (let k = 0; k < at; k++) {
          const g = frags[k]!;
          if (g.usable && g.host.host === host) for (const p of g.pools) names.add(p.name);
        }
        poolNames.set(host, names);
      }
      for (const p of f.pools) {
        if (names.has(p.name)) continue;
        names.add(p.name);
        pools.push(p);
      }
    }
    for (const m of f.members) members.push(m);
    if (f.cert) {
      const l = secure.get(host);
      if (l) l.push(f);
      else secure.set(host, [f]);
      if (f.host.redirect) redirectHosts.push(host);
    }
  }
  for (const d of depSources) objectKeys.push(d); // never an Ingress/Route key
  return {
    sources: objectKeys,
    fqdns,
    fqdnHashes,
    pools,
    members,
    repeatedHosts: poolNames !== undefined,
    secure,
    redirectHosts,
  };
}

/**
 * One shared L7 VS model (`<tenant>/<cluster>--[<akoNs>-]Shared-L7-<n>`): VsVip, insecure pools, shared PG,
 * redirect policy, datascript, parent VS, then the SNI children. Undefined when nothing lands on it, unless
 * `keepEmpty` (a shard applied before: AKO keeps the empty shard VS and its VIP).
 */
export function buildSharedModel(
  ctx: BuildContext,
  vsName: string,
  tenant: string,
  frags: HostFragment[],
  sniCache?: SniCache,
  keepEmpty = false,
): AviModel | undefined {
  const auto = sharedVsFqdn(ctx, vsName, tenant);
  const { sources, fqdns, fqdnHashes, pools, members, repeatedHosts, secure, redirectHosts } = gatherHosts(frags, auto);
  const children: AviObject[] = [];
  for (const [host, list] of secure) children.push(...sniChild(ctx, vsName, tenant, host, list, sniCache));
  // AKO keeps the shard VS and its VIP whatever lands on it: a host whose Secret is missing leaves a VS with
  // ports 80/443 and no SNI child; `emptyShardModel` covers a shard nothing lands on any more.
  if (frags.length === 0 && !keepEmpty) return undefined;

  // FQDNs are distinct by construction (the auto-FQDN counts as seen); members unless a host repeats.
  const objects: AviObject[] = [vsVipObject(ctx, vsName, tenant, fqdns, undefined, fqdnHashes), ...pools];
  objects.push(poolGroupObject(ctx, vsName, tenant, members, true, undefined, !repeatedHosts));
  const httpPolicies: Record<string, unknown>[] = [];
  if (redirectHosts.length > 0) {
    objects.push(redirectPolicySetObject(ctx, vsName, tenant, redirectHosts));
    httpPolicies.push({ index: 11, http_policy_set_ref: ref.httpPolicySet(vsName) });
  }
  objects.push(
    obj('vsdatascriptset', vsName, tenant, {
      name: vsName,
      created_by: ctx.createdBy,
      tenant_ref: ref.tenant(tenant),
      datascript: [{ evt: 'VS_DATASCRIPT_EVT_HTTP_REQ', script: sharedVsScript(vsName) }],
      pool_group_refs: [ref.poolGroup(vsName)],
      markers: markers(ctx.cluster),
    }),
  );
  const vs: Record<string, unknown> = {
    name: vsName,
    created_by: ctx.createdBy,
    cloud_ref: ref.cloud(ctx.cloud),
    tenant_ref: ref.tenant(tenant),
    application_profile_ref: ref.applicationProfile('System-HTTP'),
    network_profile_ref: ref.networkProfile('System-TCP-Proxy'),
    se_group_ref: ref.seGroup(ctx.seGroup),
    vrf_context_ref: ref.vrf(ctx.vrf),
    vsvip_ref: ref.vsvip(vsName),
    type: 'VS_TYPE_VH_PARENT',
    services: [
      { port: 80, port_range_end: 80, enable_ssl: false, enable_http2: false },
      { port: 443, port_range_end: 443, enable_ssl: true, enable_http2: false },
    ],
    vs_datascripts: [{ index: 0, vs_datascript_set_ref: ref.datascript(vsName) }],
    ...(httpPolicies.length > 0 ? { http_policies: httpPolicies } : {}),
    markers: markers(ctx.cluster),
    service_metadata: serviceMetadata(),
    error_page_profile_ref: '',
  };
  objects.push(obj('virtualservice', vsName, tenant, withCksum(vs)));
  objects.push(...children);
  return { name: modelName(tenant, vsName), tenant, objects, sources };
}
