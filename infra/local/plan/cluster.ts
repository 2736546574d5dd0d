/**
 * Reads everything the forwarder would watch from a cluster, once (lists, no watches), trimmed the way the
 * forwarder trims it. TLS private keys stay in memory: the model needs them for certificate bodies.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { listPath, WATCHED_KINDS, type WatchedKind } from '../../../functions/forwarder/kinds.ts';
import { type KubeRequest, kubeRequester, listAll, servesResource } from '../../../functions/forwarder/kube.ts';
import { trimObject } from '../../../functions/forwarder/trim.ts';
import type { KubeObject } from '../../../shared/model/types.ts';

export interface ClusterRead {
  objects: KubeObject[];
  /** Kinds listed (optional kinds only when the API serves them). */
  kinds: string[];
}

async function served(request: KubeRequest, w: WatchedKind): Promise<boolean> {
  if (!w.optional) return true;
  return servesResource(request, w.group, w.version, w.plural);
}

/** Lists every watched kind; any failure throws (a plan on a partial view would list wrong deletes). */
export async function readCluster(kc: KubeConfig, request: KubeRequest = kubeRequester(kc)): Promise<ClusterRead> {
  const objects: KubeObject[] = [];
  const kinds: string[] = [];
  for (const w of WATCHED_KINDS) {
    if (!(await served(request, w))) continue;
    kinds.push(w.kind);
    const { items } = await listAll(request, listPath(w), w.fieldSelector);
    for (const raw of items) {
      const o = trimObject(w.kind, w.apiVersion, raw as Record<string, unknown>);
      if (!w.keep || w.keep(o as unknown as Record<string, unknown>)) objects.push(o); // e.g. Secrets without TLS data
    }
  }
  return { objects, kinds };
}
