/**
 * The model's input of one instance, kept in step with its working set: the objects of the namespaces it owns
 * (held and released ones contribute nothing), TLS key material decrypted only here (never stored or logged in
 * clear), and which models an object touches.
 */
import type { EncryptedSecret } from '../../shared/events/index.ts';
import { contributing, type WorkingSet } from '../../shared/instance/working-set.ts';
import type { Logger } from '../../shared/log.ts';
import type { ClusterView, KubeObject, ModelApi, ObjectKey } from '../../shared/model/types.ts';
import { applyChange } from '../../shared/model/view-index.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import { ENCRYPTED_FIELD } from './messages.ts';
import { addAll } from './plan.ts';

/** Decrypts a Secret's TLS payload into its `data` map (shared/crypto behind a key provider). */
export type SecretDecryptor = (
  payload: EncryptedSecret,
  ref: { cluster: string; namespace: string; name: string },
) => Promise<Record<string, string>>;

/** Kinds stored for the view's sake that never feed a model by themselves. */
const INTERNAL_KINDS = new Set(['Namespace']);

export interface ViewKeeperDeps {
  instance: InstanceConfig;
  model: Pick<ModelApi, 'affectedModels'>;
  log: Logger;
  decryptSecret?: SecretDecryptor;
}

export function createViewKeeper(deps: ViewKeeperDeps) {
  const { instance, model, log } = deps;
  /** key@uid@rv → decrypted data (warm containers keep it; never logged). */
  const secretCache = new Map<string, Record<string, string> | null>();

  async function decrypted(key: ObjectKey, o: KubeObject): Promise<KubeObject> {
    const payload = o[ENCRYPTED_FIELD] as EncryptedSecret | undefined;
    if (!payload) return o;
    const cacheKey = `${key}@${o.metadata.uid}@${o.metadata.resourceVersion}`;
    let data = secretCache.get(cacheKey);
    if (data === undefined) {
      if (!deps.decryptSecret) {
        data = null;
        log.warn('TLS secret carries encrypted key material but no key provider is configured', {
          object: key,
          operation: 'decrypt',
          outcome: 'skipped',
        });
      } else {
        try {
          data = await deps.decryptSecret(payload, {
            cluster: instance.clusterName,
            namespace: o.metadata.namespace ?? '',
            name: o.metadata.name,
          });
        } catch (err) {
          data = null;
          log.error('cannot decrypt TLS secret; its hosts get no SNI child until it is re-sent', {
            object: key,
            operation: 'decrypt',
            outcome: 'failed',
            reason: err instanceof Error ? err.message : String(err),
          });
        }
      }
      if (secretCache.size > 10_000) secretCache.clear();
      secretCache.set(cacheKey, data);
    }
    const { [ENCRYPTED_FIELD]: _drop, ...rest } = o;
    return data ? { ...(rest as KubeObject), data: { ...(o.data ?? {}), ...data } } : (rest as KubeObject);
  }

  /** The model's input: objects of namespaces this instance owns (held/released ones contribute nothing). */
  async function buildView(ws: WorkingSet): Promise<ClusterView> {
    if (!ws.view) ws.view = await freshView(ws);
    return ws.view;
  }

  /** Record an object's new state (undefined: deleted) in the working set and the view. */
  async function trackObject(
    ws: WorkingSet,
    key: ObjectKey,
    prev: KubeObject | undefined,
    next: KubeObject | undefined,
  ) {
    if (next) ws.objects.set(key, next);
    else ws.objects.delete(key);
    if (!ws.view) return;
    const o = next ?? prev;
    if (!o) return;
    const ns = o.metadata.namespace || undefined;
    if (o.kind === 'Namespace' || (ns && !ws.view.namespaces.some((n) => n.metadata.name === ns))) {
      ws.view = undefined; // namespace set changes: rebuild once
      return;
    }
    if (!contributing(ws, ns)) return;
    const object = next ? (next[ENCRYPTED_FIELD] ? await decrypted(key, next) : next) : o;
    ws.view = applyChange(ws.view, { op: next ? 'upsert' : 'delete', object });
  }

  async function freshView(ws: WorkingSet): Promise<ClusterView> {
    const objects: KubeObject[] = [];
    const nsObjects = new Map<string, KubeObject>();
    const seen = new Set<string>();
    for (const [key, o] of ws.objects) {
      if (o.kind === 'Namespace') {
        if (contributing(ws, o.metadata.name)) nsObjects.set(o.metadata.name, o);
        continue;
      }
      const ns = o.metadata.namespace || undefined;
      if (!contributing(ws, ns)) continue;
      if (ns) seen.add(ns);
      objects.push(o[ENCRYPTED_FIELD] ? await decrypted(key, o) : o);
    }
    for (const [ns, st] of ws.states) if (st === 'owned') seen.add(ns);
    const namespaces: KubeObject[] = [];
    for (const ns of [...seen].sort()) {
      namespaces.push(
        nsObjects.get(ns) ?? {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: ns, labels: ws.labels.get(ns) ?? {} },
        },
      );
    }
    return { namespaces, objects };
  }

  function affectedBy(view: ClusterView, o: KubeObject | undefined, key: ObjectKey, into: Set<string>): void {
    if (!o || INTERNAL_KINDS.has(o.kind)) return;
    try {
      addAll(into, model.affectedModels(instance, view, o));
    } catch (err) {
      log.error('cannot compute the models an object touches', {
        object: key,
        operation: 'affected-models',
        outcome: 'failed',
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }

  return { decrypted, buildView, trackObject, affectedBy };
}
