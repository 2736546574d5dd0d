/**
 * Controller credentials of each instance for a local run, in this order: the --controller-credentials file, AKO's
 * CTRL_* environment variables, the `avi-secret` Secret in the instance's namespace (read from its cluster, as
 * AKO does), the registry's avicredentials. An instance with none uses the fallback if one is given (the embedded
 * simulator's default user). Only sources are logged, never values.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { type KubeRequest, kubeRequester } from '../../functions/forwarder/kube.ts';
import {
  AVI_SECRET_NAME,
  CredentialsError,
  chooseCredentials,
  fromEnvironment,
  fromFile,
  fromRegistry,
  fromSecret,
  type ResolvedCredentials,
  type SecretObject,
  type SourcedCredentials,
} from '../../shared/credentials/index.ts';
import type { Logger } from '../../shared/log.ts';
import type { InstanceConfig, Registry } from '../../shared/registry/types.ts';
import type { SecretValue } from '../../shared/secret.ts';

export interface LocalCredentialOptions {
  registry: Registry;
  /** How to reach each cluster's API server (by registry cluster name). */
  kube: Map<string, KubeRequest>;
  env: Record<string, string | undefined>;
  /** The --controller-credentials file, already read. */
  file?: { path: string; text: string };
  /** The login of instances with no credentials anywhere (the embedded simulator's default user). */
  fallback?: { source: string; username: string; password: SecretValue };
  logger: Logger;
}

/** A KubeRequest for a development cluster (plain HTTP on loopback) or a kubeconfig file. */
export function kubeRequestFor(target: { devUrl: string } | { kubeconfigPath: string }): KubeRequest {
  const kc = new KubeConfig();
  if ('devUrl' in target) {
    kc.loadFromOptions({
      clusters: [{ name: 'dev', server: target.devUrl, skipTLSVerify: true }],
      users: [{ name: 'dev' }],
      contexts: [{ name: 'dev', cluster: 'dev', user: 'dev' }],
      currentContext: 'dev',
    });
  } else kc.loadFromFile(target.kubeconfigPath);
  return kubeRequester(kc, { timeoutMs: 10_000 });
}

/** AKO's avi-secret of one namespace: the Secret, undefined when absent, or why it could not be read. */
async function readAviSecret(kube: KubeRequest, namespace: string): Promise<SecretObject | undefined | string> {
  const where = `Secret ${namespace}/${AVI_SECRET_NAME}`;
  try {
    const res = await kube('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${AVI_SECRET_NAME}`);
    if (res.status === 404) return undefined;
    if (res.status === 403)
      return `${where} is not readable (forbidden): allow get on it, or give credentials another way`;
    if (res.status < 200 || res.status >= 300) return `${where} could not be read (HTTP ${res.status})`;
    return res.body as SecretObject;
  } catch (err) {
    return `${where} could not be read (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** Resolves every instance's credentials; throws a CredentialsError naming the instance and what to do. */
export async function resolveLocalCredentials(opts: LocalCredentialOptions): Promise<Map<string, ResolvedCredentials>> {
  const fromFileSource = opts.file ? fromFile(opts.file.text, opts.file.path) : undefined;
  const fromEnv = fromEnvironment(opts.env);
  const fallback: SourcedCredentials | undefined = opts.fallback
    ? {
        source: opts.fallback.source,
        credentials: { username: opts.fallback.username, password: opts.fallback.password },
      }
    : undefined;
  const out = new Map<string, ResolvedCredentials>();
  // Read in parallel: an unreachable API server costs one timeout, not one per instance.
  const secrets = await Promise.all(
    opts.registry.instances.map((i) => secretSource(opts.kube.get(i.clusterName), i, opts.logger)),
  );
  for (const [n, instance] of opts.registry.instances.entries()) {
    const secret = secrets[n]!;
    // A Secret that cannot be decoded matters only when nothing before it (file, environment) gives the login.
    if (secret.invalid && !fromFileSource && !fromEnv) throw secret.invalid;
    try {
      const resolved = chooseCredentials(
        instance,
        [fromFileSource, fromEnv, secret.source, fromRegistry(instance.credentials, instance.id)],
        fallback,
      );
      opts.logger.info('controller credentials', { instance: instance.id, source: resolved.source });
      out.set(instance.id, resolved);
    } catch (err) {
      if (err instanceof CredentialsError && secret.problem) {
        throw new CredentialsError(`${err.message} (${secret.problem})`);
      }
      throw err;
    }
  }
  return out;
}

async function secretSource(
  kube: KubeRequest | undefined,
  instance: InstanceConfig,
  logger: Logger,
): Promise<{ source?: SourcedCredentials; problem?: string; invalid?: CredentialsError }> {
  if (!kube) return {};
  const read = await readAviSecret(kube, instance.namespace);
  if (read === undefined) return {};
  if (typeof read === 'string') {
    logger.warn('avi-secret not read', { instance: instance.id, problem: read });
    return { problem: read };
  }
  try {
    return { source: fromSecret(read, `Secret ${instance.namespace}/${AVI_SECRET_NAME}`) };
  } catch (err) {
    if (err instanceof CredentialsError) return { invalid: err, problem: err.message };
    throw err;
  }
}
