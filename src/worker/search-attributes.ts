import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { searchAttributeKeys } from '../shared/search-attributes';

// gRPC status codes (from @grpc/grpc-js, not a direct dependency of ours).
const ALREADY_EXISTS = 6;
const UNIMPLEMENTED = 12;

/**
 * Registers our search attributes on a namespace that lacks them. Idempotent, so it is safe at
 * every start and on any server (dev server, cluster, the time-skipping test server, which can
 * add attributes but not list them).
 */
export async function registerSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<string[]> {
  let existing: Record<string, unknown> = {};
  try {
    existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    if ((err as { code?: number }).code !== UNIMPLEMENTED) throw err;
  }
  const missing = searchAttributeKeys.filter((k) => !(k.name in existing));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!]),
      ),
    });
  } catch (err) {
    if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err;
  }
  return missing.map((k) => k.name);
}
