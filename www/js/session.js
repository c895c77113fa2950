// The timeline model (no DOM): one live arena, the ops beyond its cursor, and
// long replays in chunks so the page never freezes.
//
// The state at step n is createArena(config) + the first n ops. The live arena
// always sits at the cursor, so its own log (arena.log()) is the past; `future`
// holds the ops after the cursor (after an undo, a cancelled replay, or a fork).
//
//   const session = new Session(api, { size: 1024 });   // api: arena.js's exports
//   session.act((a) => a.alloc(16));
//   await session.undo();
//   await session.load(config, '+10,+20,-0');

/** A replay of at most this many ops runs at once; a comparison runs in chunks of this many (over its strategies). */
export const CHUNK = 20_000;
/** A long replay's pieces: the first, the bounds, and the time each aims at. */
const FIRST_PIECE = 5_000;
const MIN_PIECE = 50;
const MAX_PIECE = 4 * CHUNK;
const PIECE_MS = 40;
/** Where the core stops a piece whose ops turned slow (its size was set from faster ones). */
const STOP_MS = 3 * PIECE_MS;
/** Above this many ops, going back replays from the start in chunks instead of rebuild(n). */
const REBUILD_SYNC_MAX = 100_000;
/**
 * A replay the page runs at once (no chunks, no progress bar) takes at most
 * about this long by the rate measured on this timeline: under a free list
 * kept by size or insertion, every op walks the list, and 100,000 ops took
 * seconds where by address they take 20 ms.
 */
const SYNC_MS = 150;

/**
 * `text` in the plain comma-separated form, so a validated text can be
 * replayed a piece at a time. The core's lexer is the only one: anything but
 * that form (what logs and workloads produce) goes through
 * `api.canonicalOps`, which parses the text and formats it back.
 */
function plainText(text, api) {
  text = String(text);
  return /[\s;#]/.test(text) ? api.canonicalOps(text) : text;
}

/**
 * Pieces of `size` tokens (CHUNK unless asked) for `#chunked`, from a token list.
 * @returns {{ next: (size?: number) => string|null, back: (ran: number) => void }}
 */
function tokenPieces(tokens) {
  let i = 0;
  let last = 0;
  return {
    next: (size = CHUNK) => {
      if (i >= tokens.length) return null;
      last = i;
      return tokens.slice(i, (i += size)).join(',');
    },
    /** Only the first `ran` ops of the last piece ran: the rest come again. */
    back: (ran) => { i = Math.min(i, last + ran); },
  };
}

/**
 * Pieces of `size` ops (CHUNK unless asked) for `#chunked`, cut from plain op-list text at
 * commas as they are needed: a million-op text is never split into a million
 * strings (that alone blocked the page for ~100 ms). `rest()` gives the
 * tokens after the last piece handed out (for a cancelled replay).
 * @returns {{ next: (size?: number) => string|null, back: (ran: number) => void, rest: () => string[] }}
 */
function textPieces(plain) {
  let at = 0;
  let last = 0;
  let count = 0;
  return {
    /** Only the first `ran` ops of the last piece ran: the rest come again. */
    back(ran) {
      if (ran >= count) return;
      let end = last - 1;
      for (let k = 0; k < ran; k++) {
        const c = plain.indexOf(',', end + 1);
        if (c < 0 || c >= at - 1) return; // the whole piece ran
        end = c;
      }
      at = end + 1;
    },
    next(size = CHUNK) {
      if (at >= plain.length) return null;
      last = at;
      let end = at - 1;
      count = 0;
      for (let k = 0; k < size; k++) {
        end = plain.indexOf(',', end + 1);
        count++;
        if (end < 0) break;
      }
      if (end < 0) end = plain.length;
      const piece = plain.slice(at, end);
      at = end + 1;
      return piece;
    },
    rest: () => (at < plain.length ? plain.slice(at).split(',').filter(Boolean) : []),
  };
}

const pause = () => new Promise((r) => setTimeout(r));

export class Session extends EventTarget {
  #api;
  #tokens = null;
  #tokensAt = -1;
  #tokensArena = null;
  #cancel = false;
  /** What the last chunked replay was refused with (`{ error, ran, of }`), until `#settle()`. */
  #refused = null;
  /** Why the last chunked replay stopped short: 'cancel', 'memory' (refused: wasm memory full), or null. */
  stoppedBy = null;
  /** Ops per ms of the timeline's latest long enough replay (its config's), or null before one. */
  #rate = null;

  /**
   * @param {object} api `{ createArena, compare, createComparer, parseOps, canonicalOps, STRATEGIES }` (from arena.js)
   * @param {object} config createArena options
   */
  constructor(api, config = {}) {
    super();
    this.#api = api;
    this.arena = api.createArena(config);
    this.config = this.arena.initialConfig();
    /** Ops after the cursor, as tokens. */
    this.future = [];
    /** Saved timelines: [{ name, config, tokens, position }]; `active` indexes the live one. */
    this.branches = [];
    this.active = 0;
    /** Bumps on every change (views compare it to know when to redraw). */
    this.version = 0;
    /** True while a chunked replay runs. */
    this.busy = false;
    /** After an act at a past step: `{ name, ops, branch }`, the branch that kept the later ops. */
    this.kept = null;
  }

  /** Ops run so far (the cursor). */
  get position() { return this.arena.logLength; }
  /** Ops in the whole timeline. */
  get total() { return this.position + this.future.length; }

  #changed(kind) {
    this.version++;
    // `kept` describes the act that just branched, and nothing later.
    if (kind !== 'act') this.kept = null;
    this.dispatchEvent(new CustomEvent('change', { detail: { kind } }));
  }

  #progress(done, total, label) {
    this.dispatchEvent(new CustomEvent('progress', { detail: { done, total, label } }));
  }

  /**
   * Records how fast `n` ops replayed in `ms`: runs long enough to tell (a
   * timer's grain is 0.1 ms or coarser), by their time (10 ms) or by their
   * ops (500, at least 1 ms): a piece of very slow ops runs few.
   */
  #measured(n, ms) {
    if (n > 0 && (ms >= 10 || (n >= 500 && ms >= 1))) this.#rate = n / ms;
  }

  /**
   * Whether replaying `n` ops of this timeline should take at most `ms`
   * milliseconds, by the rate measured on it (true before any measure).
   */
  quick(n, ms = SYNC_MS) {
    return this.#rate === null || n / this.#rate <= ms;
  }

  /** The milliseconds a replay of `n` ops of this timeline should take, or null before any measure. */
  estimateMs(n) {
    return this.#rate === null ? null : n / this.#rate;
  }

  #setArena(a) {
    if (a === this.arena) return;
    this.arena.dispose();
    this.arena = a;
  }

  /** Tokens of the ops run so far (arena.log(), cached; seeks keep the cache). */
  pastTokens() {
    const n = this.arena.logLength;
    if (this.#tokensArena === this.arena && this.#tokens && this.#tokensAt < n) {
      // The same arena ran more ops: format only the new ones (into a new
      // array: callers may hold on to the old one).
      this.#tokens = this.#tokens.concat(this.#logTokens(this.#tokensAt, n));
      this.#tokensAt = n;
    } else if (this.#tokensArena !== this.arena || this.#tokensAt !== n || !this.#tokens) {
      const log = this.arena.log();
      this.#remember(log ? log.split(',') : []);
    }
    return this.#tokens;
  }

  #remember(tokens) {
    this.#tokens = tokens;
    this.#tokensAt = this.arena.logLength;
    this.#tokensArena = this.arena;
  }

  #cached() {
    return this.#tokensArena === this.arena && this.#tokensAt === this.arena.logLength ? this.#tokens : null;
  }

  /** Every op of the timeline, past and future. */
  tokens() {
    return this.future.length ? this.pastTokens().concat(this.future) : this.pastTokens();
  }

  /** The timeline as op-list text. */
  text() {
    return this.tokens().join(',');
  }

  /** Tokens `[from, to)` of the timeline, without building the whole list when it can. */
  slice(from, to) {
    const pos = this.position;
    if (from >= pos) return this.future.slice(from - pos, to - pos);
    // Without the whole past in hand, read just the window from the log.
    const past = this.#cached();
    const head = past ? past.slice(from, Math.min(to, pos)) : this.#logTokens(from, Math.min(to, pos));
    if (to <= pos) return head;
    return head.concat(this.future.slice(0, to - pos));
  }

  #logTokens(from, to) {
    const text = this.arena.logSlice(from, to);
    return text ? text.split(',') : [];
  }

  /** Starts over from a new configuration (throws `bad-config`; then nothing changes). */
  reset(config) {
    const a = this.#api.createArena(config);
    this.#setArena(a);
    this.config = a.initialConfig();
    this.#rate = null;
    this.future = [];
    this.branches = [];
    this.active = 0;
    this.#changed('reset');
  }

  /**
   * Runs a direct operation on the live arena (alloc, free, ...). When it logs
   * an op at a past step, a new history starts there, and the ops it replaces
   * are not lost: the timeline as it was is kept as a branch (`kept` then says
   * which, and how many ops it holds past the cursor, until the next change).
   * Errors propagate; the core leaves the arena unchanged on error (failed
   * allocations are logged).
   */
  act(fn, { keepFuture = false } = {}) {
    this.#guard();
    const before = this.position;
    const later = keepFuture ? 0 : this.future.length;
    const was = later ? { config: this.config, tokens: this.tokens(), position: before } : null;
    this.kept = null;
    try {
      return fn(this.arena);
    } finally {
      if (this.position !== before) {
        if (was) {
          if (!this.branches.length) this.branches.push({ name: 'original' });
          Object.assign(this.branches[this.active], was);
          this.kept = { name: this.branches[this.active].name, ops: later, branch: this.active };
          this.branches.push({ name: `edit @ step ${before}` });
          this.active = this.branches.length - 1;
          this.future = [];
          this.#saveBranch();
        }
        this.#changed('act');
      }
    }
  }

  /** Switches the strategy: in the config when nothing has run yet, else as a logged `@mode` op. */
  setStrategy(strategy) {
    if (this.total === 0) this.reset({ ...this.config, strategy });
    else this.act((a) => { a.strategy = strategy; });
  }

  /** Coalescing on or off, like setStrategy. */
  setCoalesce(on) {
    if (this.total === 0) this.reset({ ...this.config, coalesce: on });
    else this.act((a) => { a.coalesce = on; });
  }

  #guard() {
    if (this.busy) {
      const e = new Error('a replay is running');
      e.code = 'busy';
      throw e;
    }
  }

  /**
   * compare() over `n` ops of `text`, a chunk at a time when long (with
   * 'busy' and 'progress' events, like a replay); null when cancelled.
   */
  async #compareChunked(text, n, strategies, every) {
    if (n * strategies.length <= CHUNK && this.quick(n * strategies.length)) return this.#api.compare(this.config, text, strategies, every);
    this.#guard();
    const c = this.#api.createComparer(this.config, text, strategies, every);
    // (Compare runs the free-list strategies together, then the slab allocator.)
    const label = strategies.length > 1
      ? `Comparing ${strategies.length} ${strategies.includes('slab') ? 'allocators' : 'free-list strategies'}`
      : strategies[0] === 'slab' ? 'Comparing: the slab allocator' : `Comparing (${strategies[0]})`;
    // Pieces sized by time, as a replay's are (slow ops made a piece of
    // CHUNK ops block the page for seconds). The first is small: best and
    // worst fit can run far slower than the timeline's own strategy (under
    // a free list kept in another order they walk all of it).
    let per = Math.max(1, Math.floor(Math.min(CHUNK, this.#rate === null ? CHUNK : this.#rate * PIECE_MS / 8) / strategies.length));
    this.busy = true;
    this.#cancel = false;
    this.dispatchEvent(new CustomEvent('busy', { detail: { busy: true, label } }));
    try {
      this.#progress(0, n, label);
      while (c.done < c.length) {
        const [t0, before] = [performance.now(), c.done];
        // (The core stops once the time is up: ops turn slower as free blocks pile up.)
        const done = c.step(per, STOP_MS);
        const ms = performance.now() - t0;
        // (Never more than CHUNK ops over all strategies: progress stays fine-grained where ops are fast.)
        if (done > before) per = Math.max(1, Math.min(Math.floor(CHUNK / strategies.length), Math.round((done - before) * PIECE_MS / Math.max(ms, 1))));
        this.#progress(done, n, label);
        await pause();
        if (this.#cancel) return null;
      }
      return c.finish();
    } finally {
      c.dispose();
      this.busy = false;
      this.dispatchEvent(new CustomEvent('busy', { detail: { busy: false, label } }));
    }
  }

  /**
   * After a chunked replay and its caller's bookkeeping: a refusal (wasm
   * memory full) that changed nothing is thrown; one that stopped part way,
   * the timeline changed but whole (what did not run is the future), is
   * said with a 'refused' event, `{ error, ran, of }`, as a cancel is a
   * normal end.
   * @param {boolean} changed whether the state changed
   */
  #settle(changed) {
    const r = this.#refused;
    this.#refused = null;
    if (!r) return;
    if (!changed) throw r.error;
    this.dispatchEvent(new CustomEvent('refused', { detail: r }));
  }

  /** Stops the running chunked replay after its current chunk. */
  cancel() {
    this.#cancel = true;
  }

  /**
   * Replays `n` validated ops on `arena`, the pieces `pieces.next()` hands
   * out (see tokenPieces, textPieces), with a yield, progress and a chance to
   * cancel between pieces; returns how many ops ran (fewer when cancelled,
   * or refused: wasm memory full). A refusal is kept for `#settle()`, which
   * the caller calls once the ops that did not run are its future again;
   * `stoppedBy` says which.
   */
  async #chunked(arena, n, pieces, label) {
    if (n <= CHUNK && this.quick(n)) {
      const all = pieces.next();
      this.stoppedBy = null;
      try {
        const t0 = performance.now();
        if (all) arena.replay(all);
        this.#measured(n, performance.now() - t0);
      } catch (e) {
        if (e?.code !== 'host-memory') throw e;
        this.#refused = { error: e, ran: 0, of: n };
        this.stoppedBy = 'memory';
        return 0;
      }
      return n;
    }
    this.busy = true;
    this.#cancel = false;
    this.stoppedBy = null;
    this.dispatchEvent(new CustomEvent('busy', { detail: { busy: true, label } }));
    let done = 0;
    try {
      this.#progress(0, n, label);
      // Pieces sized by time, not by count: each takes about PIECE_MS, so
      // the page answers between them whatever an op costs (aligned
      // requests under best fit among 30,000 holes made a 20,000-op piece
      // block the page for seconds).
      let size = FIRST_PIECE;
      for (let piece = pieces.next(size); piece !== null; piece = pieces.next(size)) {
        const t0 = performance.now();
        // The core stops once the time is up (a piece of slow ops would
        // otherwise run whole); what did not run comes again.
        let ran;
        try {
          ran = arena.replayFor(piece, STOP_MS).ops;
        } catch (e) {
          if (e?.code !== 'host-memory') throw e;
          // Refused before it ran an op: the piece is part of the rest.
          pieces.back(0);
          this.#refused = { error: e, ran: done, of: n };
          this.stoppedBy = 'memory';
          break;
        }
        const ms = performance.now() - t0;
        this.#measured(ran, ms);
        pieces.back(ran);
        done += ran;
        size = Math.max(MIN_PIECE, Math.min(MAX_PIECE, Math.round(ran * PIECE_MS / Math.max(ms, 1))));
        this.#progress(done, n, label);
        await pause();
        if (this.#cancel) { this.stoppedBy = done < n ? 'cancel' : null; break; }
      }
    } finally {
      this.busy = false;
      this.dispatchEvent(new CustomEvent('busy', { detail: { busy: false, label } }));
    }
    return done;
  }

  /** Moves the cursor to step `n` (undo, redo, scrubbing). */
  async seek(n) {
    this.#guard();
    const pos = this.position;
    n = Math.max(0, Math.min(this.total, Math.round(n)));
    if (n === pos) return;
    if (n > pos) {
      const known = this.#cached();
      const run = this.future.slice(0, n - pos);
      const done = await this.#chunked(this.arena, run.length, tokenPieces(run), 'Replaying');
      this.future = this.future.slice(done);
      if (known) this.#remember(done === run.length ? known.concat(run) : known.concat(run.slice(0, done)));
      this.#changed('seek');
      this.#settle(done > 0);
      return;
    } else {
      const past = this.pastTokens();
      const future = past.slice(n).concat(this.future);
      if (n === 0 || (n <= REBUILD_SYNC_MAX && this.quick(n))) {
        const t0 = performance.now();
        this.#setArena(this.arena.rebuild(n));
        this.#measured(n, performance.now() - t0);
        this.#remember(past.slice(0, n));
      } else {
        // (The old arena's copy for lastOp() goes first: with the new arena
        // and the copy it keeps, four arenas at once would be one too many.)
        this.arena.forgetLastOp();
        const a = this.#api.createArena(this.config);
        const old = this.arena;
        const kept = this.future;
        this.arena = a;
        this.future = [];
        // Up to the op before the cursor, where lastOp() keeps the state
        // (else its first account would replay all of it again), then that op.
        let done = await this.#chunked(a, n - 1, tokenPieces(past.slice(0, n - 1)), 'Rewinding');
        if (done === n - 1 && !this.stoppedBy) {
          a.keepForLastOp();
          done += await this.#chunked(a, 1, tokenPieces(past.slice(n - 1, n)), 'Rewinding');
        }
        if (this.stoppedBy === 'memory') {
          // Refused part way: back to where it was, as if never asked.
          a.dispose();
          this.arena = old;
          this.future = kept;
          this.#changed('seek');
          this.#settle(false);
          return;
        }
        old.dispose();
        this.future = past.slice(done, n).concat(future);
        this.#changed('seek');
        return;
      }
      this.future = future;
    }
    this.#changed('seek');
  }

  undo() { return this.seek(this.position - 1); }
  redo() { return this.seek(this.position + 1); }

  /**
   * Replaces the whole timeline: a fresh arena from `config`, then `text`
   * (validated first: a bad script throws `bad-script` with `.line` and
   * nothing changes). Long texts replay in chunks with 'progress' events; a
   * cancelled replay keeps the rest as the future.
   */
  async load(config, text, { label = 'Replaying' } = {}) {
    this.#guard();
    const a = this.#api.createArena(config);
    let count;
    try {
      ({ count } = a.validate(text));
    } catch (e) {
      a.dispose();
      throw e;
    }
    let ms = null;
    if (count <= CHUNK) {
      // Run before the timeline is replaced: a refusal (wasm memory full)
      // leaves it as it was.
      try {
        const t0 = performance.now();
        a.replay(text);
        ms = performance.now() - t0;
      } catch (e) {
        a.dispose();
        throw e;
      }
    }
    // (Another config, another rate: measured anew.)
    this.#rate = null;
    if (ms !== null) this.#measured(count, ms);
    this.#setArena(a);
    this.config = a.initialConfig();
    this.future = [];
    this.branches = [];
    this.active = 0;
    if (count > CHUNK) {
      await pause();
      this.#changed('load-start');
      const pieces = textPieces(plainText(text, this.#api));
      const done = await this.#chunked(a, count, pieces, label);
      if (done < count) this.future = pieces.rest();
    }
    this.#changed('load');
    this.#settle(true);
    return count;
  }

  /** Runs `text` on top of the current state (validated against it first). */
  async append(text, { label = 'Replaying' } = {}) {
    this.#guard();
    const { count } = this.arena.validate(text);
    if (count <= CHUNK && this.quick(count)) {
      // (A refusal, wasm memory being full, keeps the redo history.)
      const t0 = performance.now();
      this.arena.replay(text);
      this.#measured(count, performance.now() - t0);
      this.future = [];
    } else {
      this.future = [];
      const pieces = textPieces(plainText(text, this.#api));
      const done = await this.#chunked(this.arena, count, pieces, label);
      if (done < count) this.future = pieces.rest();
    }
    this.#changed('append');
    this.#settle(true);
    return count;
  }

  /**
   * Forks the timeline at the cursor: the rest of the ops will run under
   * `strategy`. The old timeline stays available as a branch.
   */
  fork(strategy) {
    this.#guard();
    const name = `${strategy} @ step ${this.position}`;
    if (!this.branches.length) this.branches.push({ name: 'original' });
    this.#saveBranch();
    this.act((a) => { a.strategy = strategy; }, { keepFuture: true });
    this.branches.push({ name });
    this.active = this.branches.length - 1;
    this.#saveBranch();
    this.#changed('fork');
    return name;
  }

  #saveBranch() {
    const b = this.branches[this.active];
    if (b) Object.assign(b, { config: this.config, tokens: this.tokens(), position: this.position });
  }

  /** Switches to saved branch `k`. */
  async switchBranch(k) {
    this.#guard();
    if (k === this.active || !this.branches[k]) return;
    this.#saveBranch();
    const b = this.branches[k];
    const a = this.#api.createArena(b.config);
    this.#setArena(a);
    this.config = a.initialConfig();
    this.future = [];
    this.active = k;
    const upTo = b.tokens.slice(0, b.position);
    const done = await this.#chunked(a, upTo.length, tokenPieces(upTo), 'Switching branch');
    this.future = b.tokens.slice(done);
    this.#changed('branch');
    this.#settle(true);
  }

  /**
   * Fragmentation over the whole timeline, from a scratch arena:
   * `{ samples: [{ step, externalFragmentation, ... }], peaks }`, about
   * `points` samples and the peaks watched after every op (which samples
   * can miss).
   */
  samples(points = 240) {
    const total = this.total;
    const every = Math.max(1, Math.ceil(total / points));
    const scratch = this.#api.createArena(this.config);
    try {
      // (Before the first op, every `every` ops and after the last.)
      const t0 = performance.now();
      const { samples, peaks } = scratch.replaySampled(this.text(), every);
      this.#measured(total, performance.now() - t0);
      return { samples, peaks };
    } finally {
      scratch.dispose();
    }
  }

  /**
   * Runs the timeline's ops (without its strategy switches) under every
   * strategy: `compare()`'s result plus `{ every, tokens, skipped }`.
   * `upTo` stops after that many ops (mini maps at a step).
   */
  async compare({ strategies = this.#api.STRATEGIES, points = 300, upTo } = {}) {
    let tokens = this.tokens();
    if (upTo != null) tokens = tokens.slice(0, upTo);
    let skipped = 0;
    let index = null;
    if (tokens.some((t) => t.startsWith('@'))) {
      // Which ops switch the mode: asked of the core's parser, not guessed here.
      const { ops } = this.#api.parseOps(tokens.join(','));
      index = [];
      ops.forEach((op, i) => { if (op.op !== 'setMode') index.push(i); });
      skipped = tokens.length - index.length;
      tokens = index.map((i) => tokens[i]);
    }
    const every = Math.max(1, Math.ceil(tokens.length / points));
    const text = tokens.join(',');
    // The slab allocator places differently from the first op on; the divergence
    // worth showing is among the free-list strategies, so they run together and
    // the slab run joins afterwards.
    const fits = strategies.filter((s) => s !== 'slab');
    const rest = strategies.filter((s) => s === 'slab');
    let result;
    let divergenceAmong = null;
    if (fits.length > 1 && rest.length) {
      const a = await this.#compareChunked(text, tokens.length, fits, every);
      const b = a && await this.#compareChunked(text, tokens.length, rest, every);
      if (!b) return null;
      const order = (r) => strategies.indexOf(r.strategy);
      result = { runs: [...a.runs, ...b.runs].sort((x, y) => order(x) - order(y)), firstDivergence: a.firstDivergence };
      divergenceAmong = 'the free-list strategies';
    } else {
      result = await this.#compareChunked(text, tokens.length, strategies, every);
      if (!result) return null;
    }
    // index[k]: the timeline position of compared op k (null when nothing was skipped).
    return { ...result, every, tokens, skipped, index, divergenceAmong };
  }
}
