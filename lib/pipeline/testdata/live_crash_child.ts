// Subprocess for live_test.ts: runs one batch of the live mode and SIGKILLs itself right after
// stage <stage> ("none": never), as a crash at that moment would.
// Args: <stage> <folder> <lakehouse> <config.yaml> [webhook URL]
import { loadAlertConfig } from "../alerts.ts";
import { runLive } from "../live.ts";

const [stage, folder, lakehouse, config, webhook] = Deno.args;
const outcome = await runLive({
  lakehouse,
  source: { kind: "folder", dir: folder },
  config: await loadAlertConfig(config),
  webhookUrl: webhook ?? null,
  maxBatches: 1,
  onStage: (s) => {
    if (s === stage) Deno.kill(Deno.pid, "SIGKILL");
  },
});
Deno.exit(outcome.code);
