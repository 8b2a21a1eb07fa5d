import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  acquireLakehouseLock,
  LAKEHOUSE_LOCK_ENV,
  LakehouseLockedError,
  LOCK_FILE,
  type LockHolder,
} from "./lock.ts";

const HOLDER = fileURLToPath(new URL("./testdata/lock_holder.ts", import.meta.url));

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function readLock(dir: string): LockHolder {
  return JSON.parse(Deno.readTextFileSync(join(dir, LOCK_FILE)));
}

/** Field 22 of /proc/<pid>/stat, counted from the end of the parenthesised command name. */
function startTicks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[22 - 3]);
}

/** A lock file as a process of this host that has died would have left it (PID reuse form). */
function writeStaleLock(dir: string, token: string): void {
  const stale: LockHolder = {
    pid: Deno.pid,
    host: Deno.hostname(),
    started_at: "2026-11-29T10:00:00.000Z",
    owner: "run-mort",
    process_start: startTicks(Deno.pid) + 1,
    token,
  };
  Deno.writeTextFileSync(join(dir, LOCK_FILE), JSON.stringify(stale));
}

/** A lock_holder.ts child process, driven line by line. */
class Holder {
  readonly child: Deno.ChildProcess;
  readonly #out: ReadableStreamDefaultReader<string>;
  readonly #in: WritableStreamDefaultWriter<Uint8Array>;
  #buffer = "";

  constructor(dir: string, owner: string, env: Record<string, string> = {}, release = false) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", HOLDER, dir, owner, ...(release ? ["release"] : [])],
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#out = this.child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    this.#in = this.child.stdin.getWriter();
  }

  async line(): Promise<string> {
    while (!this.#buffer.includes("\n")) {
      const { value, done } = await this.#out.read();
      if (done) throw new Error(`holder ${this.child.pid} ended early: ${this.#buffer}`);
      this.#buffer += value;
    }
    const at = this.#buffer.indexOf("\n");
    const out = this.#buffer.slice(0, at);
    this.#buffer = this.#buffer.slice(at + 1);
    return out;
  }

  async ready(): Promise<void> {
    assert.equal(await this.line(), "ready");
  }

  /** Lets the child try to take the lock; returns its outcome. */
  async go(): Promise<Record<string, unknown>> {
    await this.#in.write(new TextEncoder().encode("go\n"));
    return JSON.parse(await this.line());
  }

  /** Closes its stdin (it then exits) and waits for the exit; returns what it printed last. */
  async end(): Promise<string> {
    await this.#in.close();
    let rest = this.#buffer;
    for (;;) {
      const { value, done } = await this.#out.read();
      if (done) break;
      rest += value;
    }
    assert.equal((await this.child.status).code, 0);
    return rest;
  }
}

Deno.test("the lock file says who holds it, is private (0600), and release removes it", async () => {
  await withDir(async (dir) => {
    const lock = await acquireLakehouseLock(dir, { owner: "run-42" });
    const file = readLock(dir);
    assert.deepEqual(file, lock.holder);
    assert.equal(file.pid, Deno.pid);
    assert.equal(file.host, Deno.hostname());
    assert.equal(file.owner, "run-42");
    assert.equal(file.process_start, startTicks(Deno.pid));
    assert.ok(!Number.isNaN(Date.parse(file.started_at)));
    assert.equal((await Deno.stat(join(dir, LOCK_FILE))).mode! & 0o777, 0o600);
    assert.deepEqual(lock.env, { [LAKEHOUSE_LOCK_ENV]: file.token });
    assert.equal(lock.inherited, false);
    assert.equal(await lock.release(), true);
    await assert.rejects(Deno.stat(join(dir, LOCK_FILE)), Deno.errors.NotFound);
    assert.equal(await lock.release(), false);
    // No temporary file is left behind.
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("a live holder: the error names pid, host, start time, owner and lock file", async () => {
  await withDir(async (dir) => {
    const first = await acquireLakehouseLock(dir, { owner: "run-42" });
    const h = first.holder;
    const error = await acquireLakehouseLock(dir, { waitMs: 0 }).catch((e) => e);
    assert.ok(error instanceof LakehouseLockedError);
    assert.deepEqual(error.holder, h);
    assert.equal(error.path, join(dir, LOCK_FILE));
    for (const part of [`pid ${h.pid}`, `host ${h.host}`, h.started_at, "run-42"]) {
      assert.ok(error.message.includes(part), `${part} missing from: ${error.message}`);
    }
    assert.ok(error.message.includes(`${h.process_start} clock ticks`));
    assert.ok(error.message.includes(join(dir, LOCK_FILE)));
    assert.match(error.message, /still running on this host/);
    // A waiting writer gets the lock once the holder releases it.
    const waiting = acquireLakehouseLock(dir, { owner: "run-43", waitMs: 600_000, pollMs: 5 });
    assert.equal(await first.release(), true);
    const second = await waiting;
    assert.equal(readLock(dir).owner, "run-43");
    assert.equal(second.tookOverFrom, null);
    await second.release();
  });
});

Deno.test("a lock left by a process that died is taken over, and the takeover reported", async () => {
  await withDir(async (dir) => {
    const crashed = new Holder(dir, "run-crashed");
    await crashed.ready();
    const got = await crashed.go();
    assert.equal(got.ok, true);
    // While it lives, its lock holds.
    await assert.rejects(acquireLakehouseLock(dir), LakehouseLockedError);
    await crashed.end(); // exits without releasing
    const lock = await acquireLakehouseLock(dir, { owner: "run-next" });
    assert.equal(lock.tookOverFrom?.pid, crashed.child.pid);
    assert.equal(lock.tookOverFrom?.owner, "run-crashed");
    assert.equal(lock.tookOverFrom?.token, got.token);
    assert.equal(readLock(dir).token, lock.holder.token);
    assert.equal(await lock.release(), true);
  });
});

Deno.test("PID reuse: the holder's pid alive with another start time is a stale lock", async () => {
  await withDir(async (dir) => {
    writeStaleLock(dir, "jeton-perime");
    const lock = await acquireLakehouseLock(dir);
    assert.equal(lock.tookOverFrom?.token, "jeton-perime");
    assert.equal(readLock(dir).token, lock.holder.token);
    await lock.release();
  });
});

Deno.test("a lock taken on another host is never taken over; the error says how to remove it", async () => {
  await withDir(async (dir) => {
    const path = join(dir, LOCK_FILE);
    const foreign = JSON.stringify({
      pid: 1,
      host: "autre-machine",
      started_at: "2026-11-29T10:00:00.000Z",
      owner: "run-ailleurs",
      process_start: 1,
      token: "jeton-ailleurs",
    });
    Deno.writeTextFileSync(path, foreign);
    const error = await acquireLakehouseLock(dir, { waitMs: 20, pollMs: 5 }).catch((e) => e);
    assert.ok(error instanceof LakehouseLockedError);
    assert.match(error.message, /pid 1 on host autre-machine/);
    assert.match(error.message, /run-ailleurs/);
    assert.match(error.message, /another host/);
    assert.ok(error.message.includes(`rm '${path}'`));
    assert.equal(Deno.readTextFileSync(path), foreign);
  });
});

Deno.test("an unreadable lock file is reported with its path, never taken over", async () => {
  await withDir(async (dir) => {
    const path = join(dir, LOCK_FILE);
    Deno.writeTextFileSync(path, "pas du JSON");
    await assert.rejects(
      acquireLakehouseLock(dir),
      (e: unknown) =>
        e instanceof LakehouseLockedError && e.holder === null &&
        e.message.includes(`rm '${path}'`) && /not valid JSON/.test(e.message),
    );
    assert.equal(Deno.readTextFileSync(path), "pas du JSON");
  });
});

Deno.test("release leaves a lock file that is no longer ours", async () => {
  await withDir(async (dir) => {
    const lock = await acquireLakehouseLock(dir);
    writeStaleLock(dir, "jeton-autre");
    assert.equal(await lock.release(), false);
    assert.equal(readLock(dir).token, "jeton-autre");
  });
});

Deno.test("concurrent takers of a stale lock in separate processes: exactly one wins", async () => {
  await withDir(async (dir) => {
    writeStaleLock(dir, "jeton-perime");
    const takers = Array.from({ length: 4 }, (_, i) => new Holder(dir, `run-${i}`));
    await Promise.all(takers.map((t) => t.ready()));
    const outcomes = await Promise.all(takers.map((t) => t.go()));
    const winners = outcomes.filter((o) => o.ok);
    assert.equal(winners.length, 1, JSON.stringify(outcomes));
    assert.equal(winners[0].tookOverFrom, "jeton-perime");
    assert.equal(readLock(dir).token, winners[0].token);
    for (const o of outcomes.filter((o) => !o.ok)) {
      assert.equal(o.error, "LakehouseLockedError");
      assert.ok(String(o.message).includes(`pid ${winners[0].pid} `), String(o.message));
    }
    await Promise.all(takers.map((t) => t.end()));
  });
});

Deno.test("concurrent takers of a stale lock in one process: exactly one wins", async () => {
  await withDir(async (dir) => {
    writeStaleLock(dir, "jeton-perime");
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => acquireLakehouseLock(dir)),
    );
    const won = outcomes.filter((o) => o.status === "fulfilled");
    assert.equal(won.length, 1);
    const lock = won[0].value;
    assert.equal(lock.tookOverFrom?.token, "jeton-perime");
    for (const o of outcomes.filter((o) => o.status === "rejected")) {
      assert.ok(o.reason instanceof LakehouseLockedError);
      assert.equal(o.reason.holder?.token, lock.holder.token);
    }
    assert.equal(await lock.release(), true);
  });
});

Deno.test("a child process inherits its parent's lock through the environment", async () => {
  await withDir(async (dir) => {
    const parent = await acquireLakehouseLock(dir, { owner: "run-parent" });
    const child = new Holder(dir, "notebook", { ...parent.env }, true);
    await child.ready();
    const got = await child.go();
    assert.equal(got.ok, true, String(got.message));
    assert.equal(got.inherited, true);
    assert.equal(got.token, parent.holder.token);
    assert.match(await child.end(), /"released":false/);
    assert.equal(readLock(dir).token, parent.holder.token);
    // Without the token, a child is just another writer.
    const stranger = new Holder(dir, "intrus");
    await stranger.ready();
    const refused = await stranger.go();
    assert.equal(refused.error, "LakehouseLockedError");
    assert.ok(String(refused.message).includes(`pid ${Deno.pid} `));
    await stranger.end();
    assert.equal(await parent.release(), true);
  });
});
