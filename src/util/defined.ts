/**
 * The named fields of `from` that are set: for passing optional settings on under
 * exactOptionalPropertyTypes, where `{ key: undefined }` is not an absent key.
 */
export function pickDefined<T extends object, K extends keyof T> (from: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {}
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key]
  return out
}
