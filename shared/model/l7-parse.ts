import type { InstanceConfig } from '../registry/types.ts';
import { type BuildContext, dnsSubdomains, skip, tenantOf } from './context.ts';
import { hostRuleTls } from './crd-hostrule.ts';
import type { KubeObject } from './types.ts';
import { objectsOfKind, type ViewIndex } from './view-index.ts';

export const AVI_INGRESS_CONTROLLER = 'ako.vmware.com/avi-lb';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
export const ENABLE_TLS_ANNOTATION = 'ako.vmware.com/enable-tls';
export const PASSTHROUGH_ANNOTATION = 'passthrough.ako.vmware.com/enabled';
export const ROUTER_DEFAULT_SECRET = 'router-certs-default';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface Backend {
  service: string;
  /** Service port number (Ingress `port.number`). */
  port?: number;
  /** Service port name (Ingress `port.name`). */
  portName?: string;
  /** Route `spec.port.targetPort` (number = target port, string = port name). */
  targetPort?: number | string;
  weight: number;
  field: string;
}

export interface L7Path {
  path: string;
  pathType: PathType;
  backends: Backend[];
  field: string;
}

export type Termination = 'insecure' | 'edge' | 'reencrypt' | 'passthrough';

export type TlsSource =
  | { kind: 'secret'; namespace: string; secretName: string; field: string }
  /** A HostRule's Avi-side certificate (`tls.sslKeyCertificate.type: ref`): nothing to create. */
  | { kind: 'avi'; name: string; field: string }
  | { kind: 'inline'; certificate: string; key: string; caCertificate?: string; destinationCA?: string; field: string };

/** One host of one Ingress or Route, after parsing and syntactic validation. */
export interface L7Host {
  source: KubeObject;
  kind: 'Ingress' | 'Route';
  namespace: string;
  objName: string;
  host: string;
  paths: L7Path[];
  termination: Termination;
  tls?: TlsSource;
  /** HTTP → HTTPS redirect on the parent (Ingress TLS always; Route `insecureEdgeTerminationPolicy: Redirect`). */
  redirect: boolean;
  /** Route `insecureEdgeTerminationPolicy: Allow`: also served in clear on the shared VS. */
  insecureAllow: boolean;
  hostField: string;
}

// RFC 1123 labels, optional leading wildcard label.
const HOST_RE =
  /^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/;

/** Null when `host` is a usable host name, else why not. */
export function hostProblem(host: string, subdomains: string[]): string | null {
  if (host.length > 253) return `host "${host.slice(0, 40)}…" is longer than 253 characters`;
  if (!HOST_RE.test(host)) return `host "${host}" is not a DNS name`;
  if (subdomains.length > 0 && !subdomains.some((s) => host.endsWith(s))) {
    return `host "${host}" does not end in one of the cloud's DNS sub-domains (${subdomains.join(', ')})`;
  }
  return null;
}

function boolAnnotation(ctx: BuildContext, o: KubeObject, key: string): boolean | 'bad' {
  const v = o.metadata.annotations?.[key];
  if (v === undefined) return false;
  const t = v.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false' || t === '') return false;
  skip(
    ctx,
    o,
    `metadata.annotations["${key}"]`,
    `value "${v}" is not "true" or "false"; fix the annotation`,
    'InvalidAnnotation',
  );
  return 'bad';
}

/** IngressClass rules: a named class must have controller avi-lb; no class needs avi-lb to be the default class. */
export function ingressClassProblem(instance: InstanceConfig, idx: ViewIndex, ing: KubeObject): string | null {
  const className: string | undefined = ing.spec?.ingressClassName || undefined;
  const classes = objectsOfKind(idx, 'IngressClass');
  if (className) {
    const cls = classes.find((c) => c.metadata.name === className);
    if (!cls) return `IngressClass "${className}" does not exist`;
    if (cls.spec?.controller !== AVI_INGRESS_CONTROLLER) {
      return `IngressClass "${className}" has controller "${cls.spec?.controller ?? ''}", not ${AVI_INGRESS_CONTROLLER}`;
    }
    return null;
  }
  const avi = classes.filter((c) => c.spec?.controller === AVI_INGRESS_CONTROLLER);
  // Helm creates the avi-lb class itself; when the view carries no such class, its values decide.
  if (avi.length === 0) {
    return instance.l7.defaultIngController
      ? null
      : 'no ingressClassName and Avi is not the default ingress controller';
  }
  const isDefault = avi.some((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  return isDefault ? null : 'no ingressClassName and no avi-lb IngressClass is marked as the default class';
}

/** Every host of an Ingress (valid ones only; the rest are reported in ctx.skipped). */
export function parseIngress(ctx: BuildContext, ing: KubeObject): L7Host[] {
  const ns = ing.metadata.namespace ?? '';
  const name = ing.metadata.name;
  const classProblem = ingressClassProblem(ctx.instance, ctx.idx, ing);
  if (classProblem) {
    skip(ctx, ing, 'spec.ingressClassName', classProblem, 'IngressClassMismatch');
    return [];
  }
  const enableTls = boolAnnotation(ctx, ing, ENABLE_TLS_ANNOTATION);
  const passthrough = boolAnnotation(ctx, ing, PASSTHROUGH_ANNOTATION);
  if (enableTls === 'bad' || passthrough === 'bad') return [];

  const subs = dnsSubdomains(ctx.facts);
  const byHost = new Map<string, L7Host>();
  const rules: unknown[] = Array.isArray(ing.spec?.rules) ? ing.spec.rules : [];
  rules.forEach((raw, i) => {
    // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
    const rule = (raw ?? {}) as any;
    let host: string = typeof rule.host === 'string' ? rule.host : '';
    const hostField = `spec.rules[${i}].host`;
    if (host === '') {
      const sub = subs[0];
      if (!sub) {
        skip(
          ctx,
          ing,
          hostField,
          'rule has no host and the cloud has no DNS sub-domain to generate one',
          'InvalidHost',
        );
        return;
      }
      host = `${name}.${ns}${sub.startsWith('.') ? sub : `.${sub}`}`;
    }
    const problem = hostProblem(host, subs);
    if (problem) {
      skip(ctx, ing, hostField, problem, 'InvalidHost');
      return;
    }
    const paths: unknown[] = Array.isArray(rule.http?.paths) ? rule.http.paths : [];
    if (!rule.http) {
      skip(ctx, ing, `spec.rules[${i}].http`, 'rule has no http paths');
      return;
    }
    let entry = byHost.get(host);
    if (!entry) {
      entry = {
        source: ing,
        kind: 'Ingress',
        namespace: ns,
        objName: name,
        host,
        paths: [],
        termination: passthrough ? 'passthrough' : 'insecure',
        // A passthrough Ingress always gets the `-insecure` companion redirecting the host to HTTPS (AKO's
        // TestPassthroughIngress); a Route only with insecureEdgeTerminationPolicy Redirect.
        redirect: passthrough === true,
        insecureAllow: false,
        hostField,
      };
      byHost.set(host, entry);
    }
    paths.forEach((rp, j) => {
      // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
      const p = (rp ?? {}) as any;
      const field = `spec.rules[${i}].http.paths[${j}]`;
      const svc = p.backend?.service;
      if (!svc?.name) {
        skip(
          ctx,
          ing,
          `${field}.backend`,
          'only service backends are supported (resource backends are not)',
          'UnsupportedBackend',
        );
        return;
      }
      const pathType: PathType =
        p.pathType === 'Exact' || p.pathType === 'Prefix' ? p.pathType : 'ImplementationSpecific';
      if (p.pathType !== undefined && p.pathType !== pathType) {
        skip(ctx, ing, `${field}.pathType`, `unknown pathType "${p.pathType}"`);
        return;
      }
      const backend: Backend = { service: String(svc.name), weight: 100, field: `${field}.backend.service` };
      if (svc.port?.name) backend.portName = String(svc.port.name);
      else backend.port = Number(svc.port?.number) || 80;
      entry!.paths.push({ path: typeof p.path === 'string' ? p.path : '', pathType, backends: [backend], field });
    });
  });

  // TLS: hosts must also be rule hosts; the first tls entry naming a host wins.
  if (!passthrough) {
    const tls: unknown[] = Array.isArray(ing.spec?.tls) ? ing.spec.tls : [];
    tls.forEach((raw, k) => {
      // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
      const t = (raw ?? {}) as any;
      const hosts: string[] = Array.isArray(t.hosts) ? t.hosts : [];
      for (const h of hosts) {
        const e = byHost.get(h);
        if (!e || e.tls) continue;
        e.termination = 'edge';
        e.redirect = true;
        e.tls = {
          kind: 'secret',
          namespace: ns,
          secretName: String(t.secretName ?? ''),
          field: `spec.tls[${k}].secretName`,
        };
      }
    });
    if (enableTls) {
      for (const e of byHost.values()) {
        if (e.tls) continue;
        e.termination = 'edge';
        e.redirect = true;
        e.tls = {
          kind: 'secret',
          namespace: ctx.instance.namespace,
          secretName: ROUTER_DEFAULT_SECRET,
          field: `metadata.annotations["${ENABLE_TLS_ANNOTATION}"]`,
        };
      }
    }
    // validator.go sslKeyCertHostRulePresent: a HostRule certificate makes an insecure host secure.
    for (const e of byHost.values()) {
      if (e.tls) continue;
      const tls = hostRuleTls(ctx, e.host, tenantOf(ctx.instance, ctx.idx, ns));
      if (!tls) continue;
      e.termination = 'edge';
      e.redirect = true;
      e.tls = tls;
    }
  }
  return [...byHost.values()].filter((h) => h.paths.length > 0);
}

/** An OpenShift Route: one host, one path, `to` plus alternate backends. */
export function parseRoute(ctx: BuildContext, route: KubeObject): L7Host[] {
  const ns = route.metadata.namespace ?? '';
  const spec = route.spec ?? {};
  const subs = dnsSubdomains(ctx.facts);
  let host: string = typeof spec.host === 'string' ? spec.host : '';
  if (!host && spec.subdomain) {
    const domain = ctx.instance.l4.defaultDomain || ctx.instance.network.defaultDomain || subs[0]?.replace(/^\./, '');
    if (domain) host = `${spec.subdomain}.${domain}`;
  }
  if (!host) {
    skip(ctx, route, 'spec.host', 'route has no host (and no subdomain with a default domain)', 'InvalidHost');
    return [];
  }
  const problem = hostProblem(host, subs);
  if (problem) {
    skip(ctx, route, 'spec.host', problem, 'InvalidHost');
    return [];
  }
  if (!spec.to?.name || (spec.to.kind && spec.to.kind !== 'Service')) {
    skip(ctx, route, 'spec.to', 'route must point at a Service', 'UnsupportedBackend');
    return [];
  }
  const targetPort = spec.port?.targetPort;
  const mk = (b: { name: string; weight?: number }, field: string): Backend => ({
    service: String(b.name),
    weight: typeof b.weight === 'number' ? b.weight : 100,
    ...(targetPort !== undefined ? { targetPort } : {}),
    field,
  });
  const backends: Backend[] = [mk(spec.to, 'spec.to')];
  (Array.isArray(spec.alternateBackends) ? spec.alternateBackends : []).forEach(
    (b: { name: string; weight?: number; kind?: string }, i: number) => {
      if (!b?.name) skip(ctx, route, `spec.alternateBackends[${i}]`, 'backend has no service name');
      else backends.push(mk(b, `spec.alternateBackends[${i}]`));
    },
  );
  const tls = spec.tls;
  let termination: Termination = 'insecure';
  if (tls?.termination) {
    const t = String(tls.termination).toLowerCase();
    if (t !== 'edge' && t !== 'reencrypt' && t !== 'passthrough') {
      skip(ctx, route, 'spec.tls.termination', `unknown termination "${tls.termination}"`);
      return [];
    }
    termination = t;
  }
  const policy = String(tls?.insecureEdgeTerminationPolicy ?? 'None');
  const entry: L7Host = {
    source: route,
    kind: 'Route',
    namespace: ns,
    objName: route.metadata.name,
    host,
    paths: [{ path: typeof spec.path === 'string' ? spec.path : '', pathType: 'Prefix', backends, field: 'spec' }],
    termination,
    redirect: termination !== 'insecure' && policy === 'Redirect',
    insecureAllow: (termination === 'edge' || termination === 'reencrypt') && policy === 'Allow',
    hostField: 'spec.host',
  };
  if (termination === 'edge' || termination === 'reencrypt') {
    entry.tls =
      tls.certificate && tls.key
        ? {
            kind: 'inline',
            certificate: tls.certificate,
            key: tls.key,
            ...(tls.caCertificate ? { caCertificate: tls.caCertificate } : {}),
            ...(tls.destinationCACertificate ? { destinationCA: tls.destinationCACertificate } : {}),
            field: 'spec.tls',
          }
        : { kind: 'secret', namespace: ctx.instance.namespace, secretName: ROUTER_DEFAULT_SECRET, field: 'spec.tls' };
  }
  // validator.go ParseHostPathForRoute: a HostRule certificate replaces the Route's (and secures a plain Route).
  if (termination === 'edge' || termination === 'insecure') {
    const hrTls = hostRuleTls(ctx, host, tenantOf(ctx.instance, ctx.idx, ns));
    if (hrTls) {
      entry.tls = hrTls;
      entry.termination = 'edge';
      entry.insecureAllow = termination === 'edge' && policy === 'Allow';
    }
  }
  return [entry];
}

/** Host names an Ingress/Route mentions, without validation: used to find the models it can touch. */
export function rawHosts(o: KubeObject): { hosts: string[]; hostless: boolean } {
  const hosts: string[] = [];
  let hostless = false;
  if (o.kind === 'Ingress') {
    for (const r of Array.isArray(o.spec?.rules) ? o.spec.rules : []) {
      if (typeof r?.host === 'string' && r.host !== '') hosts.push(r.host);
      else hostless = true;
    }
  } else if (o.kind === 'Route') {
    if (typeof o.spec?.host === 'string' && o.spec.host !== '') hosts.push(o.spec.host);
    else hostless = true;
  }
  return { hosts, hostless };
}
