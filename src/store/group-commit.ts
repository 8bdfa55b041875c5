// Group commit (docs/performance.md "Group commit"): transactions that arrive together share one
// database transaction and so one COMMIT — one fsync — instead of one each. Each caller's work
// runs in its own SAVEPOINT, so one that fails is rolled back alone; every caller's promise
// settles only after the shared COMMIT, so "on disk before the acknowledgement" holds for each.

export interface GroupCommitOptions {
  /**
   * How long the first caller of a batch waits for others to join, ms. 0 waits only for the
   * callers already queued by the current turn of the event loop (setImmediate).
   */
  windowMs: number;
  /** At most this many callers share one commit; the rest go in the next one. */
  maxBatch: number;
}

export const GROUP_COMMIT_DEFAULTS: GroupCommitOptions = { windowMs: 0, maxBatch: 256 };

/** One open transaction of the batch, as the group needs it. */
export interface BatchTransaction<Tx> {
  /** A view of the transaction for one caller; `close()` is called once its share has ended. */
  forCaller(): { tx: Tx; hooks: Array<() => void>; close(): void };
  savepoint(): Promise<void>;
  release(): Promise<void>;
  rollbackToSavepoint(): Promise<void>;
}

/**
 * Runs `body` inside one real transaction, committing when it returns, rolling back when it
 * throws. It resolves once the transaction has ended; `durable`, when given, settles once its
 * commit is on disk — a store that syncs after letting the transaction go (wal-sync.ts) gives
 * it, so the next batch runs while this one's sync is under way.
 */
export type OpenTransaction<Tx> = (
  body: (batch: BatchTransaction<Tx>) => Promise<void>,
) => Promise<{ durable?: Promise<void> } | undefined>;

interface Waiting<Tx> {
  fn: (tx: Tx) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome =
  | { ok: true; value: unknown; hooks: Array<() => void> }
  /** `lost`: the failure ended the whole transaction, not only this caller's savepoint. */
  | { ok: false; error: unknown; lost: boolean };

export class CommitGroup<Tx> {
  readonly #queue: Waiting<Tx>[] = [];
  #scheduled = false;
  #running = false;

  constructor(
    private readonly open: OpenTransaction<Tx>,
    private readonly options: GroupCommitOptions,
    private readonly runHook: (hook: () => void) => void,
  ) {}

  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.#schedule();
    });
  }

  /**
   * `waited`: the queued callers arrived while the previous batch was committing, so they have
   * waited at least one commit already; the window is for gathering callers when the group was
   * idle, and a second one would only add to their latency (the next batch forms meanwhile).
   */
  #schedule(waited = false): void {
    if (this.#running || this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    const go = () => {
      this.#scheduled = false;
      void this.#flush();
    };
    if (this.options.windowMs > 0 && !waited) setTimeout(go, this.options.windowMs);
    else setImmediate(go);
  }

  async #flush(): Promise<void> {
    this.#running = true;
    const batch = this.#queue.splice(0, Math.max(1, this.options.maxBatch));
    const outcomes: Outcome[] = [];
    let durable: Promise<void> | undefined;
    try {
      const ended = await this.open(async (trx) => {
        // A lone caller needs no savepoint: its failure rolls the whole transaction back.
        const isolated = batch.length > 1;
        for (const waiting of batch) {
          const outcome = await this.#share(trx, waiting, isolated);
          outcomes.push(outcome);
          if (!outcome.ok && (!isolated || outcome.lost)) throw outcome.error;
        }
      });
      durable = ended?.durable;
    } catch (error) {
      // Nothing of the batch committed. A caller whose own work failed hears its own error (it
      // says why); the others hear what stopped the commit.
      // kysely's ROLLBACK after a lost transaction fails as well, with an error that hides why.
      this.#next();
      const lost = outcomes.find((o) => !o.ok && o.lost);
      const why = lost && !lost.ok ? lost.error : error;
      for (let i = 0; i < batch.length; i++) {
        const outcome = outcomes[i];
        batch[i]!.reject(outcome && !outcome.ok ? outcome.error : why);
      }
      return;
    }
    // Committed: the next batch may run while this one's commit is being synced. What it reads
    // of this batch is not on disk yet, but its own callers hear "done" only after its own sync,
    // and the WAL is synced in order: that sync covers this batch's frames too.
    this.#next();
    try {
      await durable;
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i]!;
      if (!outcome.ok) {
        batch[i]!.reject(outcome.error);
        continue;
      }
      for (const hook of outcome.hooks) this.runHook(hook);
      batch[i]!.resolve(outcome.value);
    }
  }

  #next(): void {
    this.#running = false;
    this.#schedule(true);
  }

  /** One caller's share of the batch; with a savepoint, its failure undoes only its own writes. */
  async #share(
    trx: BatchTransaction<Tx>,
    waiting: Waiting<Tx>,
    isolated: boolean,
  ): Promise<Outcome> {
    const view = trx.forCaller();
    try {
      if (isolated) await trx.savepoint();
      const value = await waiting.fn(view.tx);
      if (isolated) await trx.release();
      return { ok: true, value, hooks: view.hooks };
    } catch (error) {
      if (!isolated) return { ok: false, error, lost: true };
      try {
        await trx.rollbackToSavepoint();
        await trx.release();
        return { ok: false, error, lost: false };
      } catch {
        // The database ended the transaction itself (SQLite on a full disk): the whole batch is
        // lost, and this caller's error is the one that says why.
        return { ok: false, error, lost: true };
      }
    } finally {
      view.close();
    }
  }
}
