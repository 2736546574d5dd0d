import { inspect } from 'node:util';

/**
 * A credential that must never reach logs, errors or events in clear.
 * Serialising, printing or inspecting it yields a fixed mask; only `reveal()` gives the value.
 */
export class SecretValue {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  get isEmpty(): boolean {
    return this.#value.length === 0;
  }
  toString(): string {
    return '***';
  }
  toJSON(): string {
    return '***';
  }
  [inspect.custom](): string {
    return 'SecretValue(***)';
  }
}
