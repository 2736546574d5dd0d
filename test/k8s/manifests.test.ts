// The forwarder's Kubernetes manifests, rendered with `kubectl kustomize`, and its Dockerfile, checked statically
// (no Docker engine here).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const root = new URL('../..', import.meta.url).pathname;
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const haveKubectl = kubectl.status === 0;
if (!haveKubectl) console.warn('test/k8s: kubectl not found on PATH; skipping the kustomize rendering tests');

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [k: string]: any;
}

function render(dir: string): Doc[] {
  const out = spawnSync('kubectl', ['kustomize', `${root}${dir}`], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${out.stderr}`);
  return parseAllDocuments(out.stdout).map((d) => d.toJS() as Doc);
}
const one = (docs: Doc[], kind: string) => {
  const found = docs.filter((d) => d.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

// What the forwarder watches (DESIGN.md data flow §1): group → resources.
const WATCHED: Record<string, string[]> = {
  '': ['namespaces', 'nodes', 'services', 'secrets'],
  'networking.k8s.io': ['ingresses', 'ingressclasses'],
  'discovery.k8s.io': ['endpointslices'],
  'route.openshift.io': ['routes'],
  'crd.projectcalico.org': ['blockaffinities'],
  'network.openshift.io': ['hostsubnets'],
  'cilium.io': ['ciliumnodes'],
};
const STATUS: Record<string, string[]> = {
  '': ['services/status'],
  'networking.k8s.io': ['ingresses/status'],
  'route.openshift.io': ['routes/status'],
};

describe.skipIf(!haveKubectl)('kustomize base', () => {
  const docs = haveKubectl ? render('infra/k8s/base') : [];

  it('has the namespace, service account, RBAC, config map and deployment', () => {
    expect(docs.map((d) => d.kind).sort()).toEqual(
      ['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Namespace', 'ServiceAccount'].sort(),
    );
  });

  it('grants exactly list/watch on the watched kinds, patch on their status and create on events', () => {
    const role = one(docs, 'ClusterRole');
    const grants = new Map<string, Set<string>>();
    for (const rule of role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]) {
      for (const g of rule.apiGroups) {
        for (const r of rule.resources) {
          const key = `${g}/${r}`;
          grants.set(key, new Set([...(grants.get(key) ?? []), ...rule.verbs]));
        }
      }
    }
    const expected = new Map<string, string[]>();
    for (const [g, rs] of Object.entries(WATCHED)) for (const r of rs) expected.set(`${g}/${r}`, ['list', 'watch']);
    for (const [g, rs] of Object.entries(STATUS)) for (const r of rs) expected.set(`${g}/${r}`, ['patch']);
    expected.set('events.k8s.io/events', ['create']);
    expect(Object.fromEntries([...grants].map(([k, v]) => [k, [...v].sort()]))).toEqual(Object.fromEntries(expected));
    expect(JSON.stringify(role.rules)).not.toContain('*');
  });

  it('binds the role to the deployment’s service account', () => {
    const sa = one(docs, 'ServiceAccount');
    const binding = one(docs, 'ClusterRoleBinding');
    const deploy = one(docs, 'Deployment');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'ako-forwarder',
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
    ]);
    expect(deploy.spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
    expect(deploy.metadata.namespace).toBe(sa.metadata.namespace);
  });

  it('runs one non-root replica with probes, limits and the config map', () => {
    const deploy = one(docs, 'Deployment');
    const cm = one(docs, 'ConfigMap');
    expect(deploy.spec.replicas).toBe(1);
    const pod = deploy.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    expect(c.livenessProbe.httpGet.path).toBeTruthy();
    expect(c.readinessProbe.httpGet.path).toBeTruthy();
    expect(c.resources.limits.cpu).toBeTruthy();
    expect(c.resources.limits.memory).toBeTruthy();
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
    expect(c.envFrom).toContainEqual({ configMapRef: { name: cm.metadata.name } });
    for (const key of ['AKO_CLUSTER_NAME', 'AKO_EVENT_BUS', 'AWS_REGION', 'AKO_STATUS_QUEUE_URL']) {
      expect(cm.data, key).toHaveProperty(key);
    }
    // the probes' port is the container's named port
    const ports = (c.ports as { name: string }[]).map((p) => p.name);
    expect(ports).toContain(c.livenessProbe.httpGet.port);
  });
});

describe.skipIf(!haveKubectl)('IRSA overlay example', () => {
  const docs = haveKubectl ? render('infra/k8s/overlays/irsa-example') : [];

  it('annotates the service account with the IAM role and sets the image and settings', () => {
    expect(one(docs, 'ServiceAccount').metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(
      /^arn:aws:iam::\d{12}:role\//,
    );
    const c = one(docs, 'Deployment').spec.template.spec.containers[0];
    expect(c.image).toMatch(/\.dkr\.ecr\..*\/ako-serverless-forwarder:0\.1\.0$/);
    expect(one(docs, 'ConfigMap').data.AKO_STATUS_QUEUE_URL).toMatch(/^https:\/\/sqs\..*\.fifo$/);
    // RBAC is unchanged by the overlay
    expect(one(docs, 'ClusterRole').rules).toEqual(one(render('infra/k8s/base'), 'ClusterRole').rules);
  });
});

describe('forwarder Dockerfile', () => {
  const text = readFileSync(`${root}infra/k8s/Dockerfile`, 'utf8');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: { from: string; lines: string[] }[] = [];
  for (const l of lines) {
    if (/^FROM\s/i.test(l)) stages.push({ from: l, lines: [] });
    else stages.at(-1)?.lines.push(l);
  }
  const final = stages.at(-1)!;

  it('is multi-stage with every base image pinned to an exact version or digest', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) {
      const image = s.from.split(/\s+/)[1]!;
      const pinned = /@sha256:[0-9a-f]{64}$/.test(image) || /:\d+\.\d+\.\d+[\w.-]*$/.test(image);
      expect(pinned, `${image} is not pinned`).toBe(true);
    }
  });

  it('runs as a non-root user in the final stage', () => {
    const user = final.lines.filter((l) => /^USER\s/i.test(l)).at(-1);
    expect(user).toBeDefined();
    expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
  });

  it('copies only the bundled forwarder into the final stage', () => {
    const copies = final.lines.filter((l) => /^(COPY|ADD)\s/i.test(l));
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      expect(c).toMatch(/^COPY\s+--from=\w+/i);
      expect(c).toMatch(/\/dist\/forwarder\/?\s/);
    }
    expect(final.lines.some((l) => /^RUN\s+npm/i.test(l))).toBe(false);
    expect(final.lines.find((l) => /^(ENTRYPOINT|CMD)\s/i.test(l))).toMatch(/main\.mjs/);
  });
});
