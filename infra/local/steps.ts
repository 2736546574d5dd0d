/**
 * Replay steps: multi-document YAML files applied like `kubectl apply`, where a document
 * `{kind: Delete, target: {apiVersion, kind, namespace, name}}` deletes an object.
 * Documents are put into a canonical order so the result does not depend on their order in the file.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../shared/model/types.ts';

export type StepOperation =
  | { op: 'apply'; object: KubeObject }
  | { op: 'delete'; target: { apiVersion: string; kind: string; namespace?: string; name: string } };

export class StepError extends Error {}

// Dependencies first: namespaces and cluster-scoped kinds before the objects that live in or refer to them.
const KIND_ORDER = ['Namespace', 'Node', 'IngressClass', 'Secret', 'Service', 'EndpointSlice', 'Ingress', 'Route'];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

function sortKey(op: StepOperation): string {
  const t = op.op === 'apply' ? op.object : { kind: op.target.kind, metadata: op.target };
  const rank = op.op === 'apply' ? kindRank(t.kind) : 100 - kindRank(t.kind);
  return `${op.op === 'apply' ? 0 : 1}:${String(rank).padStart(3, '0')}:${t.kind}:${t.metadata.namespace ?? ''}:${t.metadata.name}`;
}

export function parseStep(text: string, source: string): StepOperation[] {
  const ops: StepOperation[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length > 0) throw new StepError(`${source}: document ${i + 1}: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as Record<string, unknown> | null;
    if (value === null || value === undefined) return;
    const where = `${source}: document ${i + 1}`;
    if (typeof value !== 'object' || typeof value.kind !== 'string') {
      throw new StepError(`${where}: not a Kubernetes object (no kind); fix or remove the document`);
    }
    if (value.kind === 'Delete') {
      const t = value.target as Record<string, unknown> | undefined;
      if (!t || typeof t.apiVersion !== 'string' || typeof t.kind !== 'string' || typeof t.name !== 'string') {
        throw new StepError(`${where}: a Delete needs target.apiVersion, target.kind and target.name`);
      }
      ops.push({
        op: 'delete',
        target: {
          apiVersion: t.apiVersion,
          kind: t.kind,
          name: t.name,
          ...(typeof t.namespace === 'string' ? { namespace: t.namespace } : {}),
        },
      });
      return;
    }
    const meta = value.metadata as Record<string, unknown> | undefined;
    if (typeof value.apiVersion !== 'string' || !meta || typeof meta.name !== 'string') {
      throw new StepError(`${where}: ${value.kind} needs apiVersion and metadata.name`);
    }
    ops.push({ op: 'apply', object: value as unknown as KubeObject });
  });
  return ops.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
}

export function readStep(path: string): StepOperation[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StepError(`cannot read step file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseStep(text, path);
}
