/**
 * Scheduled sweep of one instance (every fullSyncFrequency seconds): EventBridge scheduled event or a
 * sweep-requested event in, a report out. With deleteConfig it removes the instance's objects instead.
 */
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import type { Reconciler } from '../../shared/avi/types.ts';
import type { Logger } from '../../shared/log.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import type { InstanceStore } from '../../shared/store/types.ts';
import { createSyncEngine, type ModelFunctions, type PublishedEvent, type SecretDecryptor } from '../sync/engine.ts';
import { defaultModel } from '../sync/model.ts';
import { type DeleteConfigReport, runDeleteConfig } from './delete-config.ts';
import { runSweep, type SweepAvi, type SweepReport } from './sweep.ts';

export interface SweepHandlerDeps {
  instance: InstanceConfig;
  store: InstanceStore;
  /** shared/avi's reconciler (apply/remove plus listOwned and applyWithCurrent for drift repair). */
  reconciler: Reconciler & SweepAvi;
  publish(event: PublishedEvent): Promise<void> | void;
  logger: Logger;
  now(): Date;
  model?: ModelFunctions;
  decryptSecret?: SecretDecryptor;
  /** Reads the registry; a throw makes the view partial (nothing is deleted). */
  checkRegistry?: () => Promise<unknown> | unknown;
}

export type SweepResult = ({ kind: 'sweep' } & SweepReport) | ({ kind: 'delete-config' } & DeleteConfigReport);

export function createSweepRunner(deps: SweepHandlerDeps) {
  const engine = createSyncEngine({
    instance: deps.instance,
    store: deps.store,
    reconciler: deps.reconciler,
    model: deps.model ?? defaultModel,
    ...(deps.decryptSecret ? { decryptSecret: deps.decryptSecret } : {}),
    publish: deps.publish,
    logger: deps.logger,
    now: deps.now,
  });
  return async function sweepOnce(): Promise<SweepResult> {
    const ws = await engine.loadWorkingSet();
    try {
      if (deps.instance.deleteConfig) {
        return { kind: 'delete-config', ...(await runDeleteConfig(engine, ws, deps.reconciler)) };
      }
      return {
        kind: 'sweep',
        ...(await runSweep(engine, ws, {
          avi: deps.reconciler,
          now: () => deps.now().getTime(),
          ...(deps.checkRegistry ? { checkRegistry: deps.checkRegistry } : {}),
        })),
      };
    } finally {
      // The next run re-reads the store: a sweep is rare and must see everything fresh.
      engine.invalidate();
    }
  };
}

export function createSweepHandler(deps: SweepHandlerDeps) {
  const run = createSweepRunner(deps);
  return middy<EventBridgeEvent<string, unknown> | Record<string, never>, SweepResult>().handler(async () => run());
}
