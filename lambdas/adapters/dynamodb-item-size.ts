/**
 * The size DynamoDB bills for an item, as the document client marshalls it, by the rules in
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html:
 * attribute names plus values; strings by UTF-8 length, binaries by raw length, numbers by one byte
 * per two significant digits plus one, null and booleans one byte, lists and maps 3 bytes plus one
 * byte per element plus the elements (a map's element names count). Attributes set to undefined are
 * not written (removeUndefinedValues), so they count nothing.
 */
export function dynamoDbItemBytes(item: Readonly<Record<string, unknown>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    bytes += Buffer.byteLength(name) + valueBytes(value);
  }
  return bytes;
}

/** Write units of one write of the item (one per started KB). */
export function writeUnitsOf(itemBytes: number): number {
  return Math.max(1, Math.ceil(itemBytes / 1024));
}

/** Read units of one strongly consistent read of the item (one per started 4 KB). */
export function readUnitsOf(itemBytes: number): number {
  return Math.max(1, Math.ceil(itemBytes / 4096));
}

function valueBytes(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return numberBytes(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) {
    let bytes = 3;
    for (const element of value) bytes += 1 + valueBytes(element);
    return bytes;
  }
  if (typeof value === 'object') {
    let bytes = 3;
    for (const [name, element] of Object.entries(value as Record<string, unknown>)) {
      if (element === undefined) continue;
      bytes += 1 + Buffer.byteLength(name) + valueBytes(element);
    }
    return bytes;
  }
  throw new TypeError(`DynamoDB stores no ${typeof value} value`);
}

function numberBytes(value: number): number {
  const digits = Math.abs(value).toExponential().replace(/e.*$/, '').replace('.', '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}
