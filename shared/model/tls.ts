import { type BuildContext, lookup, skip } from './context.ts';
import type { L7Host } from './l7-parse.ts';
import { caCertName, certName, routerDefaultCertName } from './naming.ts';
import type { ObjectKey } from './types.ts';
import { objectKey } from './types.ts';

export interface ResolvedCert {
  name: string;
  certificate: string;
  key: string;
  /** Host marker; absent for the shared router default certificate. */
  host?: string;
  ca?: { name: string; certificate: string };
  destinationCA?: string;
  /** An Avi-side certificate named by a HostRule: referenced, never created. */
  avi?: boolean;
}

function decode(b64: string | undefined): string | undefined {
  if (typeof b64 !== 'string' || b64 === '') return undefined;
  return Buffer.from(b64, 'base64').toString('utf8');
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[A-Za-z0-9+/=\s:,-]*?-----END \1-----/;

/**
 * Null when `text` holds a PEM block whose label contains `label` (`CERTIFICATE`; `PRIVATE KEY` also matches
 * `RSA PRIVATE KEY`, `EC PRIVATE KEY`), else what is wrong. Never quotes the data (it may be a private key).
 */
export function pemProblem(text: string, label: 'CERTIFICATE' | 'PRIVATE KEY'): string | null {
  const m = PEM_BLOCK.exec(text);
  const what = label === 'CERTIFICATE' ? 'tls.crt' : 'tls.key';
  if (!m) return `${what} is not PEM data (no -----BEGIN ${label}----- block)`;
  if (!m[1]!.includes(label)) return `${what} holds a PEM ${m[1]} block, not a ${label}`;
  return null;
}

/**
 * The key pair for a secure host: Secret `tls.crt`/`tls.key` (base64 as in Kubernetes; decryption happens
 * before the model) or the Route's inline certificate. Missing material → the host is reported and dropped.
 */
export function resolveCert(ctx: BuildContext, h: L7Host, sources: Set<ObjectKey>): ResolvedCert | undefined {
  const tls = h.tls;
  if (!tls) return undefined;
  if (tls.kind === 'avi') return { name: tls.name, certificate: '', key: '', avi: true };
  if (tls.kind === 'inline') {
    const out: ResolvedCert = {
      name: certName(ctx.instance, h.host),
      certificate: tls.certificate,
      key: tls.key,
      host: h.host,
    };
    if (tls.caCertificate) out.ca = { name: caCertName(ctx.instance, h.host), certificate: tls.caCertificate };
    if (tls.destinationCA) out.destinationCA = tls.destinationCA;
    const notPem = pemProblem(tls.certificate, 'CERTIFICATE') ?? pemProblem(tls.key, 'PRIVATE KEY');
    if (notPem) {
      skip(ctx, h.source, tls.field, `${notPem} (host ${h.host}); use PEM data`, 'InvalidCertificate');
      return undefined;
    }
    return out;
  }
  if (!tls.secretName) {
    skip(ctx, h.source, tls.field, `TLS entry for host ${h.host} has no secretName`, 'SecretNotFound');
    return undefined;
  }
  const secret = lookup(ctx, 'Secret', tls.namespace, tls.secretName);
  if (!secret) {
    skip(
      ctx,
      h.source,
      tls.field,
      `TLS Secret ${tls.namespace}/${tls.secretName} not found (host ${h.host}); create it (type kubernetes.io/tls or Opaque with tls.crt and tls.key)`,
      'SecretNotFound',
    );
    return undefined;
  }
  sources.add(objectKey(secret));
  const certificate = decode(secret.data?.['tls.crt']);
  const key = decode(secret.data?.['tls.key']);
  if (!certificate || !key) {
    skip(
      ctx,
      h.source,
      tls.field,
      `TLS Secret ${tls.namespace}/${tls.secretName} lacks tls.crt or tls.key (host ${h.host})`,
      'InvalidCertificate',
    );
    return undefined;
  }
  const notPem = pemProblem(certificate, 'CERTIFICATE') ?? pemProblem(key, 'PRIVATE KEY');
  if (notPem) {
    skip(
      ctx,
      h.source,
      tls.field,
      `TLS Secret ${tls.namespace}/${tls.secretName}: ${notPem} (host ${h.host}); put PEM data in tls.crt and tls.key`,
      'InvalidCertificate',
    );
    return undefined;
  }
  const isDefault = h.kind === 'Route' || tls.field.startsWith('metadata.annotations');
  if (isDefault && tls.secretName === 'router-certs-default' && tls.namespace === ctx.instance.namespace) {
    return { name: routerDefaultCertName(ctx.instance), certificate, key };
  }
  return { name: certName(ctx.instance, h.host), certificate, key, host: h.host };
}
