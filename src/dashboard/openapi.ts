/**
 * The OpenAPI document at /docs/json. Routes carry JSON Schema draft-07, the dialect fastify validates
 * with; OpenAPI 3.0.3 schema objects differ from it in a few keywords, rewritten here in the document only,
 * so validation stays exact and the document stays valid (test/dashboard/schemathesis.test.ts checks it).
 */

/**
 * A draft-07 schema (or a whole document) in OpenAPI 3.0.3 terms: a numeric `exclusiveMinimum: n`
 * becomes `minimum: n, exclusiveMinimum: true` (likewise for the maximum), and `const: v` becomes `enum: [v]`.
 */
export function toOpenApi30<T>(node: T): T {
  if (Array.isArray(node)) return node.map(toOpenApi30) as T;
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'exclusiveMinimum' && typeof value === 'number') Object.assign(out, { minimum: value, exclusiveMinimum: true });
    else if (key === 'exclusiveMaximum' && typeof value === 'number') Object.assign(out, { maximum: value, exclusiveMaximum: true });
    else if (key === 'const') out.enum = [value];
    else out[key] = toOpenApi30(value);
  }
  return out as T;
}
