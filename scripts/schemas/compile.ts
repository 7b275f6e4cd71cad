// JSON Schema validators (ajv), with ajv loaded on first use: it costs ~70 ms, which a run
// that validates nothing (a git hook without tappaas.json) should not pay.
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject } from 'ajv';

export type SchemaError = ErrorObject;
export type Validator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

let ajv: AjvClass | undefined;

/** A validator reporting every error, not only the first; keywords ajv does not know are annotations. */
export function compileSchema(schema: object): Validator {
  if (!ajv) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    ajv = new Ajv({ allErrors: true, strict: false });
  }
  return ajv.compile(schema);
}
