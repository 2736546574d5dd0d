import type { AviModel, AviObject, DesiredState } from '../../shared/model/types.ts';

export function model(state: DesiredState, name: string): AviModel {
  const m = state.models.find((x) => x.name === name);
  if (!m) throw new Error(`no model ${name}; have ${state.models.map((x) => x.name).join(', ')}`);
  return m;
}

export function object(m: AviModel, type: AviObject['type'], name: string): AviObject {
  const o = m.objects.find((x) => x.type === type && x.name === name);
  if (!o)
    throw new Error(`no ${type} ${name} in ${m.name}; have ${m.objects.map((x) => `${x.type}:${x.name}`).join(', ')}`);
  return o;
}

export function names(m: AviModel): string[] {
  return m.objects.map((o) => `${o.type}:${o.name}`);
}

// biome-ignore lint/suspicious/noExplicitAny: test access to JSON bodies
export function body(o: AviObject): any {
  return o.body;
}
