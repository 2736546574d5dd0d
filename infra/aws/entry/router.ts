// Lambda entry of the router: dependencies built once per cold start from the environment.
import { readFileSync } from 'node:fs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createRouterHandler } from '../../../functions/router/handler.ts';
import { createLogger } from '../../../shared/log.ts';
import { readRouterEnv } from '../adapters/env-config.ts';
import { createRouterDeps } from '../wiring-router.ts';

const env = readRouterEnv(process.env);
// The packaging step writes the registry next to this bundle (dist/router/registry.json).
const registryText = readFileSync(new URL(`./${env.registryFile}`, import.meta.url), 'utf8');

export const handler = createRouterHandler(
  createRouterDeps({
    env,
    registryText,
    sqs: new SQSClient({}),
    logger: createLogger({ function: 'router', stage: process.env.AKO_STAGE }),
  }),
);
