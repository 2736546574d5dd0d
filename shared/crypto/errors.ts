export type EnvelopeErrorCode =
  | 'bad-envelope'
  | 'unsupported'
  | 'wrong-key'
  | 'tampered'
  | 'key-unavailable'
  | 'key-file';

/** Every crypto failure. Messages name the problem and the fix; they never carry plaintext or key material. */
export class EnvelopeError extends Error {
  constructor(
    readonly code: EnvelopeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EnvelopeError';
  }
}
