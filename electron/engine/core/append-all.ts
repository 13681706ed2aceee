/**
 * Appends `items` to `target` in place, one element at a time. `target.push(...items)` passes every
 * element as a call argument and throws `RangeError: Maximum call stack size exceeded` once `items`
 * holds a few hundred thousand entries; this loop works at any length. Returns `target`.
 */
export function appendAll<T>(target: T[], items: readonly T[]): T[] {
  for (let i = 0; i < items.length; i++) target.push(items[i]);
  return target;
}
