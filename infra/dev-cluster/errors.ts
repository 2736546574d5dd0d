/** API errors carried as Kubernetes `Status` objects (metav1.Status). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export interface ResourceRef {
  group: string;
  plural: string;
  kind: string;
}

const qualified = (r: ResourceRef) => (r.group ? `${r.plural}.${r.group}` : r.plural);

export const notFound = (r: ResourceRef, name: string) =>
  new ApiError(404, 'NotFound', `${qualified(r)} "${name}" not found`, {
    name,
    group: r.group,
    kind: r.plural,
  });

export const alreadyExists = (r: ResourceRef, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, {
    name,
    group: r.group,
    kind: r.plural,
  });

export const conflict = (r: ResourceRef, name: string) =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: r.group, kind: r.plural },
  );

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);

export const invalid = (r: ResourceRef, name: string, causes: { field: string; message: string }[]) =>
  new ApiError(
    422,
    'Invalid',
    `${r.kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    {
      name,
      group: r.group,
      kind: r.kind,
      causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
    },
  );

export const gone = (message: string) => new ApiError(410, 'Expired', message);
