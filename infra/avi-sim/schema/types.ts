/** Shape of the generated swagger table (see swagger.ts). Short keys keep the table small. */
export type JsonKind = 's' | 'i' | 'n' | 'b' | 'o' | 'a';

export interface FieldSpec {
  /** JSON type: string, integer, number, boolean, object, array. */
  t: JsonKind;
  /** Nested definition name for objects and arrays of objects. */
  def?: string;
  /** Item type for arrays. */
  items?: JsonKind;
  /** Lower-case object type this string (or string array) refers to, e.g. `pool`. */
  ref?: string;
  /** Allowed string values. */
  en?: string[];
  /** Allowed integer range; `sp` lists special values outside it. */
  min?: number;
  max?: number;
  sp?: number[];
  /** Server-set: ignored when a client sends it. */
  ro?: 1;
  /** Default filled in by the controller when the field is omitted (top-level fields only). */
  dflt?: unknown;
  /** Controller version that introduced the field (older X-Avi-Version: not accepted, not returned). */
  v?: string;
}

export interface DefinitionSpec {
  req?: string[];
  p: Record<string, FieldSpec>;
}
