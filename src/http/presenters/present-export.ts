import type { components } from '../../../generated/openapi';
import type { ExportResult } from '../../modules/exports';
import type { JsonStream } from '../handler-types';
import { presentPost } from './present-post';
import { presentUser } from './present-user';

type ExportDocument = components['schemas']['ExportDocument'];

/** Writes the export document batch by batch: `{"exported_at":…,"user":…,"posts":[…]}`. */
export function streamExport(result: ExportResult): JsonStream<ExportDocument> {
  return (async function* () {
    const head = JSON.stringify({
      exported_at: result.header.exportedAt.toISOString(),
      user: presentUser(result.header.user),
    });
    yield `${head.slice(0, -1)},"posts":[`;
    let first = true;
    for await (const batch of result.batches) {
      if (batch.length === 0) continue;
      const items = batch.map((post) => JSON.stringify(presentPost(post))).join(',');
      yield first ? items : `,${items}`;
      first = false;
    }
    yield ']}';
  })();
}
