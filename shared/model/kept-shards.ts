// Empty shard VSes kept as AKO keeps them: which applied models are this instance's shards, and their empty models.
import type { InstanceConfig } from '../registry/types.ts';
import type { BuildContext } from './context.ts';
import { buildSharedModel } from './l7-shared.ts';
import { shardCount, sharedVsNameForShard, splitModelName } from './naming.ts';
import type { AviModel } from './types.ts';
import { cmp } from './view-index.ts';

/**
 * The shared L7 shards among `appliedModelNames` (`<tenant>/<vs>`) that this instance keeps even when empty:
 * names of its own shard VSes (`<cluster>--[<akoNs>-]Shared-L7-<n>`, n below the current shard count).
 * The sync side passes its applied record as `CloudFacts.knownShards`; everything else in the list is ignored.
 */
export function knownShardsOf(instance: InstanceConfig, appliedModelNames: Iterable<string> | undefined): string[] {
  if (!appliedModelNames || instance.l7.shardVSSize === 'DEDICATED') return [];
  const n = Math.max(1, shardCount(instance.l7.shardVSSize));
  const own = new Set(Array.from({ length: n }, (_, i) => sharedVsNameForShard(instance, i)));
  const out = new Set<string>();
  for (const name of appliedModelNames) if (own.has(splitModelName(name).vsName)) out.add(name);
  return [...out].sort(cmp);
}

/** Empty shard models for known shards the build did not produce (`wanted` limits them to a selection). */
export function keptShards(ctx: BuildContext, built: AviModel[], wanted?: Set<string>): AviModel[] {
  const have = new Set(built.map((m) => m.name));
  const out: AviModel[] = [];
  for (const name of knownShardsOf(ctx.instance, ctx.facts.knownShards)) {
    if (have.has(name) || (wanted && !wanted.has(name))) continue;
    const { tenant, vsName } = splitModelName(name);
    const m = buildSharedModel(ctx, vsName, tenant, [], undefined, true);
    if (m) out.push(m);
  }
  return out;
}
