// `npm run check:template`: checks .serverless/cloudformation-template-update-stack.json (written by
// `npm run package`) against the CloudFormation spec and the project's rules. Exit 0 clean, 1 problems, 2 usage.
//   tsx infra/aws/scripts/check-template.ts [--template <file>] [--instances <registry.yaml>]
//       [--bundles dist/bundle-sizes.json] [--controller-concurrency <n>] [--target-bundle-kb 500] [--max-bundle-kb 1024]
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import { loadRegistryFile } from '../../../shared/registry/index.ts';
import { DEFAULT_STACK_OPTIONS } from '../stack.ts';
import { checkAgainstSpec, checkProjectRules, formatProblem } from '../template-check.ts';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      template: { type: 'string', default: '.serverless/cloudformation-template-update-stack.json' },
      instances: { type: 'string', default: process.env.AKO_INSTANCES ?? 'examples/instances.yaml' },
      bundles: { type: 'string', default: 'dist/bundle-sizes.json' },
      'controller-concurrency': {
        type: 'string',
        default: process.env.AKO_CONTROLLER_CONCURRENCY ?? String(DEFAULT_STACK_OPTIONS.controllerConcurrency),
      },
      'target-bundle-kb': { type: 'string', default: '500' },
      'max-bundle-kb': { type: 'string', default: '1024' },
    },
  });
  const templatePath = resolve(values.template);
  if (!existsSync(templatePath)) {
    console.error(`no template at ${templatePath}: run \`npm run package\` first`);
    return 2;
  }
  const started = performance.now();
  const template = JSON.parse(readFileSync(templatePath, 'utf8'));
  const registry = loadRegistryFile(values.instances);
  const bundles = existsSync(values.bundles) ? JSON.parse(readFileSync(values.bundles, 'utf8')) : undefined;
  const db = await loadAwsServiceSpec();
  const problems = [
    ...checkAgainstSpec(template, db),
    ...checkProjectRules(template, registry, {
      controllerConcurrency: Number(values['controller-concurrency']),
      bundles,
      targetBundleBytes: Number(values['target-bundle-kb']) * 1024,
      maxBundleBytes: Number(values['max-bundle-kb']) * 1024,
    }),
  ];
  for (const p of problems) console.log(formatProblem(p));
  const errors = problems.filter((p) => p.severity === 'error').length;
  const count = Object.keys(template.Resources ?? {}).length;
  console.log(
    `${count} resources checked in ${Math.round(performance.now() - started)} ms; ${errors} error(s), ` +
      `${problems.length - errors} warning(s)`,
  );
  if (bundles) {
    for (const b of bundles as { outfile: string; bytes: number }[]) {
      console.log(`  bundle ${b.outfile}: ${(b.bytes / 1024).toFixed(1)} KB`);
    }
  }
  return errors > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  },
);
