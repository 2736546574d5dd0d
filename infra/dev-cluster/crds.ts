/**
 * CustomResourceDefinitions (apiextensions.k8s.io/v1) as an API server serves them: a CRD is validated on write,
 * gets its `NamesAccepted` / `Established` status, and from then on its served versions are resource types like
 * any other (discovery, CRUD, watch, `/status` when the subresource is declared, `kubectl get` columns from
 * `additionalPrinterColumns`). Custom resources are pruned, defaulted and validated against their version's
 * `openAPIV3Schema`. Deleting a CRD deletes its custom resources and ends their watches.
 */
import { ApiError, badRequest, invalid } from './errors.ts';
import type { ResourceIndex, ResourceType } from './resources.ts';
import { applyCrdSchema, type Cause, unknownFields } from './schema.ts';
import type { KObj, ObjectStore } from './store.ts';

export const CRD_GROUP = 'apiextensions.k8s.io';

export const CRD_TYPE: ResourceType = {
  group: CRD_GROUP,
  version: 'v1',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  kind: 'CustomResourceDefinition',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  status: true,
  categories: ['api-extensions'],
  printerColumns: [{ name: 'Created At', type: 'string', jsonPath: '.metadata.creationTimestamp' }],
};

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const GROUP = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const VERSION = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

// biome-ignore lint/suspicious/noExplicitAny: CRD manifests are free-form JSON
type Json = any;

/** Field errors of a CRD (what an API server refuses with 422). Pure. */
export function crdProblems(crd: KObj): Cause[] {
  const out: Cause[] = [];
  const spec: Json = crd.spec ?? {};
  const names: Json = spec.names ?? {};
  if (typeof spec.group !== 'string' || !GROUP.test(spec.group)) {
    out.push({
      field: 'spec.group',
      message: `Invalid value: ${JSON.stringify(spec.group ?? '')}: should be a domain with at least one dot`,
    });
  }
  if (typeof names.plural !== 'string' || !DNS_LABEL.test(names.plural)) {
    out.push({ field: 'spec.names.plural', message: 'Required value: a lowercase DNS-1035 label' });
  }
  if (names.singular !== undefined && (typeof names.singular !== 'string' || !DNS_LABEL.test(names.singular))) {
    out.push({
      field: 'spec.names.singular',
      message: `Invalid value: ${JSON.stringify(names.singular)}: a lowercase DNS-1035 label`,
    });
  }
  if (typeof names.kind !== 'string' || !KIND.test(names.kind)) {
    out.push({ field: 'spec.names.kind', message: 'Required value: a CamelCase kind' });
  }
  for (const s of Array.isArray(names.shortNames) ? names.shortNames : []) {
    if (typeof s !== 'string' || !DNS_LABEL.test(s)) {
      out.push({
        field: 'spec.names.shortNames',
        message: `Invalid value: ${JSON.stringify(s)}: a lowercase DNS-1035 label`,
      });
    }
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    out.push({
      field: 'spec.scope',
      message: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"`,
    });
  }
  if (
    typeof spec.group === 'string' &&
    typeof names.plural === 'string' &&
    crd.metadata.name !== `${names.plural}.${spec.group}`
  ) {
    out.push({
      field: 'metadata.name',
      message: `Invalid value: ${JSON.stringify(crd.metadata.name)}: must be spec.names.plural+"."+spec.group`,
    });
  }
  const versions: Json[] = Array.isArray(spec.versions) ? spec.versions : [];
  if (!versions.length)
    out.push({
      field: 'spec.versions',
      message: 'Invalid value: must have exactly one version marked as storage version',
    });
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (typeof v?.name !== 'string' || !VERSION.test(v.name)) {
      out.push({
        field: `spec.versions[${i}].name`,
        message: `Invalid value: ${JSON.stringify(v?.name)}: a DNS-1035 label`,
      });
    } else if (seen.has(v.name)) {
      out.push({ field: `spec.versions[${i}].name`, message: `Duplicate value: ${JSON.stringify(v.name)}` });
    } else seen.add(v.name);
    if (typeof v?.served !== 'boolean') out.push({ field: `spec.versions[${i}].served`, message: 'Required value' });
    if (typeof v?.storage !== 'boolean') out.push({ field: `spec.versions[${i}].storage`, message: 'Required value' });
    if (!v?.schema?.openAPIV3Schema || typeof v.schema.openAPIV3Schema !== 'object') {
      out.push({
        field: `spec.versions[${i}].schema.openAPIV3Schema`,
        message: 'Required value: schemas are required',
      });
    }
  });
  const storage = versions.filter((v) => v?.storage === true).length;
  if (versions.length && storage !== 1) {
    out.push({
      field: 'spec.versions',
      message: `Invalid value: must have exactly one version marked as storage version (found ${storage})`,
    });
  }
  return out;
}

/** The resource types (one per served version) a valid CRD defines. Pure. */
export function crdResourceTypes(crd: KObj): ResourceType[] {
  const spec: Json = crd.spec;
  const names: Json = spec.names;
  const storage = (spec.versions as Json[]).find((v) => v.storage)?.name as string;
  return (spec.versions as Json[])
    .filter((v) => v.served)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      plural: names.plural,
      singular: names.singular ?? String(names.kind).toLowerCase(),
      kind: names.kind,
      namespaced: spec.scope === 'Namespaced',
      shortNames: Array.isArray(names.shortNames) ? names.shortNames : [],
      status: v.subresources?.status !== undefined && v.subresources?.status !== null,
      ...(Array.isArray(names.categories) ? { categories: names.categories } : {}),
      crd: crd.metadata.name,
      storageVersion: storage,
      schema: v.schema?.openAPIV3Schema,
      ...(Array.isArray(v.additionalPrinterColumns) ? { printerColumns: v.additionalPrinterColumns } : {}),
    }));
}

/** The status an API server gives an accepted CRD. */
function acceptedStatus(crd: KObj, old: KObj | undefined): Json {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const since = (type: string) =>
    (old?.status?.conditions as Json[] | undefined)?.find((c) => c.type === type)?.lastTransitionTime ?? now;
  const spec: Json = crd.spec;
  return {
    acceptedNames: {
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      plural: spec.names.plural,
      singular: spec.names.singular ?? String(spec.names.kind).toLowerCase(),
      ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
      ...(spec.names.categories ? { categories: spec.names.categories } : {}),
    },
    conditions: [
      {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
        lastTransitionTime: since('NamesAccepted'),
      },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
        lastTransitionTime: since('Established'),
      },
    ],
    storedVersions: [
      ...new Set([...(old?.status?.storedVersions ?? []), (spec.versions as Json[]).find((v) => v.storage)?.name]),
    ],
  };
}

export interface CrdHost {
  store: ObjectStore;
  index: ResourceIndex;
  /** Ends the open watches of these types (their CRD is gone). */
  endWatches(types: ResourceType[]): void;
}

/**
 * Serves CRDs on a store: admission for CRDs (validation, status, name conflicts) and custom resources (schema),
 * the index updated as CRDs come and go, custom resources deleted with their CRD.
 */
export function installCrdSupport(host: CrdHost): void {
  const { store, index } = host;
  index.add([CRD_TYPE]);

  store.admit.push((rt, obj, old, subresource) => {
    if (rt === CRD_TYPE) {
      // The API extensions controller owns a CRD's status: writes to it keep the accepted names and conditions.
      if (subresource === 'status') {
        obj.status = acceptedStatus(obj, old);
        return;
      }
      const causes = crdProblems(obj);
      if (old && !causes.length) {
        if (obj.spec.group !== old.spec.group)
          causes.push({ field: 'spec.group', message: 'Invalid value: field is immutable' });
        if (obj.spec.scope !== old.spec.scope)
          causes.push({ field: 'spec.scope', message: 'Invalid value: field is immutable' });
      }
      if (causes.length) throw invalid(rt, obj.metadata.name, causes);
      const clash = index.all.find(
        (r) =>
          r.crd !== obj.metadata.name &&
          r.group === obj.spec.group &&
          (r.plural === obj.spec.names.plural || r.kind === obj.spec.names.kind),
      );
      if (clash) {
        throw new ApiError(
          409,
          'Conflict',
          `the group ${obj.spec.group} already serves ${clash.kind} (${clash.plural})`,
        );
      }
      obj.status = acceptedStatus(obj, old);
      return;
    }
    if (!rt.crd) return;
    // With the status subresource, a create starts without status (only /status writes it).
    if (rt.status && !old) delete obj.status;
    if (!rt.schema) return;
    // A status write checks only the status; a main-resource write everything but the status it will not keep.
    const causes = applyCrdSchema(rt.schema, obj).filter((c) =>
      subresource === 'status' ? c.field.startsWith('status') : !(rt.status && c.field.startsWith('status')),
    );
    if (causes.length) throw invalid({ ...rt, kind: `${rt.kind}.${rt.group}` }, obj.metadata.name, causes);
  });

  store.subscribe((e) => {
    if (e.rid !== `${CRD_GROUP}/v1/customresourcedefinitions` || e.type === 'DELETED') return;
    const gone = index.removeCrd(e.obj.metadata.name);
    const next = crdResourceTypes(e.obj);
    index.add(next);
    // Versions no longer served: their watches end (objects stay when another version still serves them).
    const still = new Set(next.map((r) => r.version));
    host.endWatches(gone.filter((r) => !still.has(r.version)));
  });

  store.beforeDelete.push((rt, obj) => {
    if (rt !== CRD_TYPE) return;
    const types = index.all.filter((r) => r.crd === obj.metadata.name);
    const first = types[0];
    if (first) for (const o of store.list(first)) store.delete(first, o.metadata.namespace, o.metadata.name);
    index.removeCrd(obj.metadata.name);
    host.endWatches(types);
  });
}

/** OpenAPI v3 component schemas of the custom resource types among `rs`, named like the real server names them. */
export function crdOpenApiSchemas(rs: ResourceType[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const r of rs) {
    if (!r.schema) continue;
    const name = `${r.group.split('.').reverse().join('.')}.${r.version}.${r.kind}`;
    const props = (r.schema.properties ?? {}) as Record<string, unknown>;
    schemas[name] = {
      ...r.schema,
      type: 'object',
      properties: {
        apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this object.' },
        kind: { type: 'string', description: 'Kind is a string value representing the REST resource.' },
        metadata: { type: 'object', description: "Standard object's metadata." },
        ...props,
      },
      'x-kubernetes-group-version-kind': [{ group: r.group, version: r.version, kind: r.kind }],
    };
  }
  return schemas;
}

/**
 * `fieldValidation=Strict` (kubectl's default): a custom resource carrying fields its schema does not know is
 * refused instead of pruned, as the API server's strict decoding does. Returns the body for chaining.
 */
export function strictFields(rt: ResourceType, url: URL, body: unknown): unknown {
  if (!rt.schema || url.searchParams.get('fieldValidation') !== 'Strict') return body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const unknown = unknownFields(rt.schema, body as Record<string, unknown>);
  if (unknown.length) {
    throw badRequest(
      `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
    );
  }
  return body;
}
