import assert from "node:assert/strict";
import * as XLSX from "xlsx";

// Users hand the pipeline their own .xlsx files, which SheetJS parses. Releases before 0.19.3
// have CVE-2023-30533 (prototype pollution on read) and before 0.20.2 CVE-2024-22363 (ReDoS);
// `xlsx` on npm stops at 0.18.5, so the import map names a republication of a fixed release.
const FIXED = [0, 20, 2];

Deno.test("SheetJS is a release fixed for CVE-2023-30533 and CVE-2024-22363", () => {
  const version = XLSX.version.split(".").map(Number);
  assert.equal(version.length, 3, XLSX.version);
  const order = version.map((n, i) => Math.sign(n - FIXED[i])).find((s) => s !== 0) ?? 0;
  assert.ok(order >= 0, `SheetJS ${XLSX.version} is older than ${FIXED.join(".")}`);
});
