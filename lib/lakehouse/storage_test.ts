import assert from "node:assert/strict";
import { locate, StorageLocationError } from "./storage.ts";

Deno.test("locate: credentials that do not name their account are checked on the first call", async () => {
  const env = Deno.env.toObject();
  const names = ["AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY"];
  for (const name of names) Deno.env.delete(name);
  // A bare endpoint with a SAS: the SDK reads the account (devstoreaccount1) from its path.
  Deno.env.set(
    "AZURE_STORAGE_CONNECTION_STRING",
    "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;SharedAccessSignature=sv=2020&sig=c2VjcmV0",
  );
  try {
    const { storage, key } = locate("abfss://lake@autre.dfs.core.windows.net/eco2mix/x.json");
    assert.equal(key, "lake/eco2mix/x.json");
    await assert.rejects(
      storage.read(key),
      (e: unknown) =>
        e instanceof StorageLocationError &&
        /names account autre, the credentials are for devstoreaccount1/.test(e.message) &&
        !e.message.includes("c2VjcmV0"),
    );
  } finally {
    Deno.env.delete("AZURE_STORAGE_CONNECTION_STRING");
    for (const name of names) if (env[name] !== undefined) Deno.env.set(name, env[name]);
  }
});
