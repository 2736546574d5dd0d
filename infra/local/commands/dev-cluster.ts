import { EXIT_FAILURE } from './common.ts';

// Placeholder until the command lands.
export async function run(_argv: string[]): Promise<number> {
  console.error("error: 'dev-cluster' is not available yet");
  return EXIT_FAILURE;
}
