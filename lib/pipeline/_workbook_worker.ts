/**
 * Web Worker of `writeGoldWorkbook(..., { worker: true })`: writes the gold workbook of the
 * lakehouse it is given, on its own thread, and answers with the path or the error.
 *
 * @module
 */

import { openCatalog } from "./catalog.ts";
import { type WorkbookReply, type WorkbookRequest, writeGoldWorkbook } from "./report_step.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<WorkbookRequest>) => void) | null;
  postMessage(reply: WorkbookReply): void;
};

scope.onmessage = async ({ data }) => {
  try {
    scope.postMessage({ path: await writeGoldWorkbook(openCatalog(data.root), data.path) });
  } catch (error) {
    scope.postMessage({ error: (error as Error).stack ?? String(error) });
  }
};
