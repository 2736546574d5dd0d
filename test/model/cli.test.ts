import { afterEach, describe, expect, it, vi } from 'vitest';
import { readManifests, run } from '../../infra/local/commands/model.ts';

afterEach(() => vi.restoreAllMocks());

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const code = await run(argv);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const DEMO = ['--instances', 'examples/instances.yaml', '--objects', 'examples/manifests/demo.yaml'];

describe('ako-serverless model', () => {
  it('JSON: per instance models, static routes only for the primary, no private key, unowned namespaces', async () => {
    const r = await capture(DEMO);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const [p, b] = j.instances;
    expect(p).toMatchObject({ id: 'demo/avi-system', primary: true, createdBy: 'ako-demo', namespaces: ['shop'] });
    expect(b).toMatchObject({ id: 'demo/blue', primary: false, createdBy: 'ako-demo-blue', namespaces: ['payments'] });
    expect(p.models.every((m: { name: string }) => /^admin\/demo--Shared-L7-\d$/.test(m.name))).toBe(true);
    expect(b.models.map((m: { name: string }) => m.name)).toContain('admin/demo--payments-pay-lb');
    expect(
      b.models
        .filter((m: { name: string }) => m.name.includes('Shared-L7'))
        .every((m: { name: string }) => m.name.includes('demo--blue-Shared-L7-')),
    ).toBe(true);
    expect(p.staticRoutes).toHaveLength(2);
    expect(b.staticRoutes).toEqual([]);
    expect(j.unownedNamespaces).toEqual([{ namespace: 'sandbox', reason: 'no-match' }]);
    expect(r.out).not.toContain('PRIVATE KEY');
    expect(r.out).toContain('"key": "<redacted>"');
  });

  it('--summary prints a readable list', async () => {
    const r = await capture([...DEMO, '--summary']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('instance demo/blue (non-primary, created_by ako-demo-blue)');
    expect(r.out).toContain('model admin/demo--payments-pay-lb');
    expect(r.out).toContain('sandbox: no-match');
  });

  it('usage errors exit 2 with a clear message', async () => {
    expect((await capture(['--instances', 'examples/instances.yaml'])).code).toBe(2);
    const r = await capture(['--instances', 'examples/instances.yaml', '--objects', 'no/such/file.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot read no/such/file.yaml');
  });

  it('readManifests: multi-document, List items, clear error for a document without kind', () => {
    const files: Record<string, string> = {
      'a.yaml':
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n---\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Namespace, metadata: {name: y}}\n',
      'b.yaml': 'metadata: {name: z}\n',
    };
    expect(readManifests(['a.yaml'], (p) => files[p]!).map((o) => o.metadata.name)).toEqual(['x', 'y']);
    expect(() => readManifests(['b.yaml'], (p) => files[p]!)).toThrow(
      'b.yaml: document 1 has no kind or metadata.name',
    );
  });
});
