// osls adapter: serverless.yml reads `functions` and `resources` from here
// (`${file(./infra/aws/serverless-stack.cjs):functions}`). osls loads variable files with require(), so this file is
// CommonJS; it loads the TypeScript generator through tsx. Nothing here touches the network or AWS credentials.
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const serviceDir = resolve(__dirname, '..', '..');

// osls passes errors of this class whose message starts with "Cannot resolve variable at " through unchanged, so the
// user sees the registry validator's message instead of a stack trace.
class ServerlessError extends Error {}

const cache = new Map();

async function generate({ resolveConfigurationProperty, options }) {
  const ako = (await resolveConfigurationProperty(['custom', 'ako'])) || {};
  const service = (await resolveConfigurationProperty(['service'])) || 'ako-serverless';
  const stage = options.stage || (await resolveConfigurationProperty(['provider', 'stage'])) || 'dev';
  const instancesFile = resolve(serviceDir, String(ako.instances || 'examples/instances.yaml'));
  const key = JSON.stringify({ instancesFile, stage, service, ako });
  if (!cache.has(key)) cache.set(key, build({ ako, service, stage, instancesFile }));
  return cache.get(key);
}

async function build({ ako, service, stage, instancesFile }) {
  const { tsImport } = await import('tsx/esm/api');
  const generator = await tsImport('./generate.ts', __filename);
  try {
    const stack = generator.generateFromFile(instancesFile, {
      service,
      stage,
      serviceDir,
      ...generator.optionsFromConfig(ako),
    });
    const registryPath = join(serviceDir, 'dist', 'router', 'registry.json');
    mkdirSync(dirname(registryPath), { recursive: true });
    writeFileSync(registryPath, `${JSON.stringify(stack.routerRegistry)}\n`);
    return stack;
  } catch (err) {
    if (
      err &&
      (err.name === 'RegistryValidationError' || err.name === 'BudgetError' || err.name === 'BundleMissingError')
    ) {
      throw new ServerlessError(`Cannot resolve variable at "functions": ${err.message}`);
    }
    throw err;
  }
}

module.exports = {
  functions: async (ctx) => (await generate(ctx)).functions,
  resources: async (ctx) => (await generate(ctx)).resources,
};
