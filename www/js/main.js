// Wiring: builds the views into the page's containers, connects them to one
// Session (the live arena and its timeline), keeps the URL in sync.
// All allocator logic is in the core (../arena.js); the views only render.

import { init, createArena, checkConfig, parseOps, canonicalOps, parseRep, looksLikeRep, parseMallocPy, drawMallocPy, workload, checkWorkload, compare, createComparer, maxExplainedOps, maxTranscriptOps, firstFitArena, sbrkArena, slabForAlign, alignDividing, STRATEGIES, MALLOC_PY_BASE } from '../arena.js';
import { Session, CHUNK } from './session.js';
import { MemoryMap, renderLegend, listRanks } from './memory-map.js';
import { Meter } from './meter.js';
import { ByteView } from './byte-view.js';
import { ConfigControls, strategyLabel, ORDER_LABELS, ORDER_MALLOC_PY } from './controls.js';
import { AllocPanel, MAX_OPTIONS } from './alloc-panel.js';
import { TimelineView, DEFAULT_SPEED_MS } from './timeline.js';
import { OpEditor } from './op-editor.js';
import { WorkloadForm, renderExamples, renderQuickExamples } from './workload-form.js';
import { CompareView } from './compare.js';
import { decodeState, encodeState, MAX_URL_OPS, MAX_URL_ARENA } from './url-state.js';
import { embedSnippets, MAX_EMBED_OPS } from './embed-snippets.js';
import { LIMITS as WIDGET_LIMITS } from './widget-limits.js';
import { themeToggle } from './theme.js';
import { Presenter } from './present.js';
import { Notices, ProgressBar } from './notices.js';
import { OstepView } from './ostep-view.js';
import { describeLastOp } from './last-op.js';
import { PredictBox, PredictScore, questionAt, grade, asks } from './predict.js';
import { num, bytesShort, plural, article, sentence, callText } from './format.js';
import { h } from './dom.js';

const $ = (id) => document.getElementById(id);
const DEFAULTS = Object.freeze({ size: 1024, strategy: 'first-fit', align: 8, coalesce: true });
/** Up to this many ops, the editor follows the timeline on its own. */
const EDITOR_SYNC_MAX = 20_000;
/** Resolves once what the page shows now has been painted (or after 100 ms, in a hidden tab). */
const painted = () => new Promise((r) => { requestAnimationFrame(() => setTimeout(r)); setTimeout(r, 100); });

/** Whether an op (parseOps's, lastOp's `call`) is a request, which takes the next ptr number. */
const isRequest = (op) => ['alloc', 'allocAligned', 'calloc'].includes(op.op);
/** The ptr numbers the ops of `text` (valid op-list text) hand out. */
const requestsIn = (text) => parseOps(text).ops.filter(isRequest).length;
/** Text in the op editor that is a malloc.py command line rather than an op list, or its flags alone (`-n 10 -s 0`: no op list starts with a letter after its dash). */
const MALLOC_PY = /(^|[\s/])malloc\.py(\s|$)|^\s*--?[A-Za-z]/;
/** Up to this many ops, the timeline draws fragmentation over time. */
const SAMPLES_MAX = 250_000;
/** Nor when the replay for them would take longer than this, by the rate measured on the timeline. */
const SAMPLES_MS = 400;
const OPS_PER_LINE = 16;
const BYTES_MAX = 256;
/** Untrusted input limits: a CS:APP trace, and any imported file (op lists of 1M ops are ~7 MB). */
const MAX_TRACE = 4 << 20;
const MAX_FILE = 16 << 20;
/** The most characters pasted into the editor (a 4 MiB paste takes the browser about 3 s). */
const MAX_PASTE = 4 << 20;
/** A CS:APP trace's start: its four header numbers on lines of their own. */

/** Op tokens as editor text, 16 per line. */
function formatOps(tokens) {
  const lines = [];
  for (let i = 0; i < tokens.length; i += OPS_PER_LINE) lines.push(tokens.slice(i, i + OPS_PER_LINE).join(','));
  return lines.join('\n');
}

function errText(e) {
  // The core's words speak to an API user ("dispose of arenas"); a page user can only reload.
  if (e?.code === 'host-memory') return MEMORY_FULL;
  return String(e?.message ?? e);
}

/** What a `host-memory` refusal says on the page. */
const MEMORY_FULL = 'the page’s memory is full (a page’s WebAssembly memory stops at 4 GiB), so nothing was done: Copy link keeps this timeline, and reloading the page starts afresh';

async function start() {
  await init();
  const api = { createArena, compare, createComparer, parseOps, canonicalOps, STRATEGIES };
  const createArenaDefaults = (() => { const a = createArena({}); const c = a.initialConfig(); a.dispose(); return c; })();
  const notices = new Notices($('notices'));
  /**
   * A `host-memory` refusal: one notice however many actions were refused
   * (each would otherwise add its own). True when `e` was one.
   */
  const memoryFull = (e) => {
    if (e?.code !== 'host-memory') return false;
    notices.show(sentence(MEMORY_FULL), { kind: 'error', key: 'memory' });
    return true;
  };
  /** `fn` for a timer: a `host-memory` refusal inside it becomes the notice. */
  const quietly = (fn) => () => {
    try {
      return fn();
    } catch (e) {
      if (!memoryFull(e)) throw e;
      return undefined;
    }
  };
  // Whatever path a refusal takes (a timer, a promise), the page says why.
  window.addEventListener('error', (e) => { if (memoryFull(e.error)) e.preventDefault(); });
  window.addEventListener('unhandledrejection', (e) => { if (memoryFull(e.reason)) e.preventDefault(); });

  // ----- the session, from the URL or the defaults ---------------------------------
  const session = new Session(api, DEFAULTS);
  const urlState = decodeState(location.hash);

  // ----- views -----------------------------------------------------------------------
  let target = null; // the selected ptr (byte view, pointer forms)
  // The version right after a request that failed: no outline then (the
  // outline would say the request got the last pointer's block), until the
  // state changes or a pointer is picked.
  let failedAt = -1;
  let region = null; // { offset, size, seq?, freed?, why } shown in the byte view
  let playing = false;
  let speedMs = DEFAULT_SPEED_MS;
  let samples = null;
  /** The peaks of the whole timeline (`replaySampled`'s), with `samples`. */
  let peaks = null;
  let samplesAt = -1;
  let compareState = null; // { result, maps, at, mapsStep, mapsLabel, highlightSeq, version }
  let movedClasses = null; // slab classes the alignment moved (not the user), while they stand
  let busy = false;

  const progress = new ProgressBar($('progress'), { onCancel: () => session.cancel() });

  // After a CS:APP trace ran: the trace id each ptr[k] stands for (until
  // another op list, trace or link is loaded).
  let traceIds = null;
  /** The trace ids of each saved branch (see the session's change listener). */
  const traceOf = new WeakMap();
  const traceName = (seq) => (traceIds && seq < traceIds.length ? `trace id ${traceIds[seq]}` : null);
  // Presenting (present.js): a click on the map frees nothing then.
  let presenting = false;
  const map = new MemoryMap($('map'), {
    nameOf: traceName,
    onFree: (b) => { if (!presenting) freeOffset(b.offset, `ptr[${b.seq}]`); },
    onInspect: (b, how) => {
      failedAt = -1;
      // `i` on a used block shows it as its pointer; a free one as stale memory.
      if (b.free) {
        region = { offset: b.offset, size: b.size, why: b.padding ? 'alignment padding' : b.chunk ? 'a free slab chunk' : 'a free block' };
        target = null;
      } else {
        region = null;
        target = b.seq;
      }
      schedule();
      // From the keyboard, the Bytes card (maybe off screen: below the map
      // at 1280×720) comes into view and a screen reader hears what it shows
      // now; the focus stays on the block. (A click leaves the page where
      // the pointer is.)
      if (how?.key) {
        idleWaiters.push(() => {
          const card = $('bytes-card');
          const r = card.getBoundingClientRect();
          if (r.top < 0 || r.bottom > innerHeight) card.scrollIntoView({ behavior: scrollBehavior(), block: 'nearest' });
          // (Cleared first, so that the same words twice are said twice.)
          const said = $('bytes-said');
          said.textContent = '';
          requestAnimationFrame(() => { said.textContent = `Bytes card: ${card.querySelector('.bv-title')?.textContent ?? ''}`; });
        });
      }
    },
  });
  renderLegend($('legend'), { selected: true });
  let legendShown = 'false false'; // the legend's header and sbrk flags
  const meter = new Meter($('meter'));
  const bytesView = new ByteView($('bytes'));

  const controls = new ConfigControls($('controls'), {
    strategies: STRATEGIES,
    onStrategy: (s) => guard(() => {
      const at = session.position;
      session.setStrategy(s);
      // At a past step the later ops went to a branch: that notice says so,
      // and offers the whole timeline under the new strategy.
      if (session.kept) {
        offerBranchRerun(STRATEGIES.map((m) => `@${m}`), { strategy: s }, `under ${strategyLabel(s, session.config.classes)}`);
        return;
      }
      const { slabSize, size } = session.config;
      if (s === 'slab' && slabSize > size) {
        notices.show(`A ${num(slabSize)}-byte slab does not fit in the ${num(size)}-byte arena: every malloc will fail. Choose smaller slabs (Slab classes) or a larger arena.`, { kind: 'warn', key: 'strategy' });
        return;
      }
      if (!at) return;
      // With ops run, a switch is an op of its own: mallocs from here on use
      // the new strategy and placed blocks stay. Offer the other reading too.
      offerRerun(at, `${strategyLabel(s, session.config.classes)} from op ${num(at + 1)} on: the op list records the switch as @${s}, and blocks already placed stay where they are.`,
        STRATEGIES.map((m) => `@${m}`), { strategy: s }, `under ${strategyLabel(s, session.config.classes)}`, 'strategy');
    }),
    onCoalesce: (on) => guard(() => {
      const at = session.position;
      session.setCoalesce(on);
      if (session.kept) offerBranchRerun(['@coalesce', '@no-coalesce'], { coalesce: on }, `with coalescing ${on ? 'on' : 'off'}`);
      if (!at || session.kept) return;
      offerRerun(at, `Coalescing ${on ? 'on' : 'off'} from op ${num(at + 1)} on: the op list records the switch as @${on ? 'coalesce' : 'no-coalesce'}${on ? ', and neighbouring free blocks merge at once' : ''}. malloc.py’s -C is coalescing from the start.`,
        ['@coalesce', '@no-coalesce'], { coalesce: on }, `with coalescing ${on ? 'on' : 'off'}`, 'coalesce');
    }),
    onMerge: () => guard(() => {
      const n = session.act((a) => a.mergeAll());
      notices.show(n ? `Merged ${plural(n, 'pair')} of adjacent free blocks.` : 'No adjacent free blocks to merge.', { kind: 'ok', key: 'merge' });
    }),
    onSize: (size) => {
      // A size the alignment does not divide takes the largest alignment
      // that does (as a link without one does), and says so.
      let { align } = session.config;
      // (With a header blocks start anywhere: any size goes, as in malloc.py.)
      // (A size past the page's limit goes to reconfigure as it is, which says so.)
      if (!(size > 0) || size > MAX_URL_ARENA || size % align === 0 || session.config.header > 0) return reconfigure({ size }, 'Changing the arena size');
      align = alignDividing(size, align);
      return reconfigure({ size, align }, 'Changing the arena size',
        `Align is now ${align}, the largest that divides ${num(size)} bytes${align > 1 ? ' (OSTEP’s malloc.py aligns nothing by default: align 1)' : ''}.`);
    },
    onAlign: async (align) => {
      // Slab classes must be multiples of the alignment, even under a fit
      // strategy (a script may switch to @slab): classes that are not follow it.
      const { classes, slabSize } = session.config;
      const { classes: dc, slabSize: ds } = createArenaDefaults;
      // (The core says whether the defaults suit this alignment: they do when it leaves them as they are.)
      const back = slabForAlign({ classes: dc, slabSize: ds }, align);
      if (movedClasses && String(classes) === String(movedClasses) && String(back.classes) === String(dc) && back.slabSize === ds) {
        // Classes only the alignment had moved go back to the defaults when it allows.
        if (await reconfigure({ align, classes: dc, slabSize: ds }, 'Changing the alignment', `Slab classes are back to ${dc.join('/')} B.`)) movedClasses = null;
        return;
      }
      const { classes: next, slabSize: slab } = slabForAlign({ classes, slabSize }, align);
      if (String(next) === String(classes) && slab === slabSize) {
        reconfigure({ align }, 'Changing the alignment');
        return;
      }
      if (await reconfigure({ align, classes: next, slabSize: slab }, 'Changing the alignment',
        `Slab classes are now ${next.join('/')} B${slab !== slabSize ? ` in ${slab} B slabs` : ''}: each must be a multiple of the alignment.`)) movedClasses = next;
    },
    onOrder: (order) => reconfigure({ order }, 'Changing the free list order'),
    onSbrk: (sbrk) => reconfigure({ sbrk }, 'Changing how the heap grows'),
    onHeader: (header) => {
      if (Number.isNaN(header)) {
        notices.show('Header: enter a whole number of bytes, 0 or more (0: no header).', { kind: 'error', key: 'config' });
        return;
      }
      // The same header (a field emptied to 0 where it was 0): nothing to re-run.
      if (header === (session.config.header ?? 0)) return;
      // Without a header the size must be a multiple of the alignment again:
      // the largest alignment that divides it then, said (as a new size does).
      const { size, align } = session.config;
      // A header that leaves no room for any request is allowed (malloc.py
      // allows it too), and said: every malloc would fail, unexplained.
      const none = header > 0 && align + header > size && session.arena.strategy !== 'slab'
        ? `No request fits now: even malloc(1) takes ${num(align + header)} B (1 rounded up to ${align}, plus the ${num(header)} B header), more than the ${num(size)} B arena.`
        : undefined;
      if (header !== 0 || size % align === 0) return reconfigure({ header }, 'Changing the header size', none);
      const fit = alignDividing(size, align);
      return reconfigure({ header, align: fit }, 'Changing the header size', `Align is now ${fit}, the largest that divides ${num(size)} bytes (without a header blocks start at multiples of it).`);
    },
    onSlab: ({ classes, slabSize }) => reconfigure({ classes, slabSize }, 'Changing the slab classes'),
    onSlabError: (message) => notices.show(message, { kind: 'error', key: 'config' }),
    onReset: () => reconfigure({}, 'Resetting', null, { rerun: false }),
  });

  const panel = new AllocPanel($('alloc'), {
    onAlloc: ({ size, align }) => allocate(callText(align ? { op: 'allocAligned', size, align } : { op: 'alloc', size }), (a) => (align ? a.allocAligned(size, align) : a.alloc(size))),
    onCalloc: (size) => allocate(callText({ op: 'calloc', size }), (a) => a.calloc(size)),
    onFree: (seq) => {
      const b = liveBlock(seq);
      if (b) freeOffset(b.offset, `ptr[${seq}]`);
    },
    onRealloc: (seq, size) => guard(() => {
      const b = liveBlock(seq);
      if (!b) return;
      try {
        const off = session.act((a) => a.realloc(b.offset, size));
        target = seq;
        region = null;
        panel.message(off === b.offset ? `ptr[${seq}] resized in place to ${num(size)} B.` : `ptr[${seq}] moved from ${num(b.offset)} to ${num(off)} (${num(size)} B).`, 'ptr');
      } catch (e) {
        panel.error(`${callText({ op: 'realloc', ptr: seq, size })} failed: ${errText(e)}`, null, 'ptr');
      }
    }),
    onWrite: (seq, at, data) => guard(() => {
      const b = liveBlock(seq);
      if (!b) return;
      try {
        session.act((a) => a.write(b.offset, data, at));
        target = seq;
        region = null;
        // Inside the block but past the request: legal here, an overflow in C.
        const past = Math.min(data.length, at + data.length - b.requested);
        panel.message(`Wrote ${plural(data.length, 'byte')} into ptr[${seq}] at +${num(at)}.${past > 0
          ? ` ${past === data.length ? (past === 1 ? 'It lands' : 'All land') : past === 1 ? 'The last byte lands' : `The last ${plural(past, 'byte')} land`} past the ${num(b.requested)} bytes requested, in the block's rounding slack: in C, a buffer overflow.`
          : ''}`, 'ptr');
      } catch (e) {
        panel.error(`write failed: ${errText(e)}`, null, 'ptr');
      }
    }),
    onTarget: (seq) => { target = seq; region = null; failedAt = -1; schedule(); },
  });

  const timeline = new TimelineView($('timeline'), {
    strategies: STRATEGIES,
    onSeek: (n) => { stop(); seek(n); },
    onPlay: () => play(),
    onPause: () => stop(),
    onSpeed: (ms) => { speedMs = ms; },
    onFork: (s) => guard(() => {
      const name = session.fork(s);
      const rest = session.future.length;
      notices.show(`Forked: “${name}”. ${rest ? `Press play to run the other ${plural(rest, 'op')} under ${strategyLabel(s)}.` : 'New ops now run under it.'}`, { kind: 'ok', key: 'fork' });
    }),
    onBranch: (k) => run(() => session.switchBranch(k)),
    // The switch keeps the focus; the question is a Tab away.
    onPredict: (on) => setPredict(on, { focus: false }),
  });

  // ----- predict mode: guess what the next op does, then check -------------------------
  // The question waits under the map for the op after the cursor; answering
  // runs the op and grades the guess against the core's account of it
  // (lastOp()). Stepping, playing or scrubbing past a question just shows it.
  const MAX_PREDICTED = maxExplainedOps();
  const predict = {
    on: false, score: new PredictScore(), last: null, focus: false, drawn: '', answering: false,
    /** malloc.py's -b of a pasted command: its addresses are answers too (without a header only). */
    base: null,
  };
  const predictBox = new PredictBox($('predict'), {
    classes: { btn: 'btn btn-sm', primary: 'btn btn-sm btn-primary', input: 'input input-sm input-mono' },
    arenaSize: () => session.config.size,
    // malloc.py's addresses (its -b, 1000 by default) answer too, where
    // they cannot be offsets (an arena of at most 1000 bytes).
    base: () => predict.base ?? (session.config.size <= MALLOC_PY_BASE ? MALLOC_PY_BASE : null),
    onGuess: (guess) => answerPrediction(guess),
    onStep: () => { stop(); predict.focus = true; stepBy(1); },
    onRestart: () => guard(async () => {
      predict.score = new PredictScore();
      predict.last = null;
      predict.focus = true;
      await seek(0);
    }),
  });
  /** Turns predict mode on or off; `focus`: give the first question the keyboard focus (not on a page load). */
  function setPredict(on, { focus = true } = {}) {
    predict.on = on;
    predict.score = new PredictScore();
    predict.last = null;
    predict.focus = on && focus;
    predict.drawn = '';
    // At the end of a run there is nothing left to predict: start from op 1
    // (a load under way does that itself when it ends).
    if (on && !busy && !session.busy && session.total && session.position === session.total) seek(0);
    schedule();
    syncUrl(false);
  }
  /** What to ask about the op after the cursor (see questionAt), or null at the end. */
  function nextQuestion() {
    const at = session.position;
    return questionAt(session.arena, session.slice(at, at + 1)[0], at + 1, session.config.classes);
  }
  async function answerPrediction(guess) {
    const q = predictBox.question;
    if (!q || session.position !== q.step - 1 || busy || session.busy) return;
    // One redraw for the answer (the verdict with the next question), not
    // one for the step and one for the verdict.
    predict.answering = true;
    try {
      await seek(q.step);
    } finally {
      predict.answering = false;
    }
    if (session.position !== q.step) { schedule(); return; }
    let e = null;
    try { e = session.arena.lastOp(); } catch { /* not graded: below */ }
    const verdict = grade(q, guess, e, predict.score, session.arena);
    predict.last = verdict && { ...verdict, version: session.version };
    // The last-op line words the same account: not computed twice.
    lastOpOf = { version: session.version, e };
    predict.focus = true;
    predict.drawn = '';
    schedule();
  }
  function renderPredict(isBusy) {
    if (!predict.on) { predictBox.clear(); return; }
    if (predict.answering) return;
    const key = `${session.version}/${isBusy}/${playing}/${predict.score.total}`;
    if (predict.drawn === key) return;
    predict.drawn = key;
    const last = predict.last?.version === session.version ? predict.last : null;
    const total = session.total;
    const atEnd = session.position >= total;
    const question = isBusy || playing ? null : nextQuestion();
    const note = !total ? 'Run some ops (an op list, an example), then predict what each one does before it runs.'
      : atEnd ? `That was the last op${predict.score.total ? '' : ' (step back, or start over)'}.` : '';
    predictBox.render({ last, question, note, restart: total > 0 && atEnd, score: predict.score, focus: predict.focus });
    predict.focus = false;
  }

  const ostepView = new OstepView(document.body, { onChange: () => syncUrl(false) });
  const editor = new OpEditor($('editor'), {
    fullText: () => session.text(),
    // (What a paste said of the format no longer holds.)
    onFormat: () => notices.dismiss('paste'),
    onValidate: (text, format) => {
      if (format === 'rep') {
        const t = parseRep(text);
        return { count: t.count, heapHint: t.hintHolds ? t.heapHint : null };
      }
      if (MALLOC_PY.test(text)) {
        // A malloc.py command: its ops, checked under its own settings.
        const r = parseMallocPy(text);
        const scratch = createArena(mallocPyConfig(r));
        try { return scratch.validate(r.ops); } finally { scratch.dispose(); }
      }
      const scratch = createArena(session.config);
      try { return scratch.validate(text); } finally { scratch.dispose(); }
    },
    onRun: (text, format) => run(async () => {
      if (format === 'rep') {
        // A trace whose hint differs from the arena: offer both sizes first.
        let t = null;
        try { t = parseRep(text); } catch { /* runTrace reports it */ }
        // (Run from start is hidden while a trace's panel is up: this text has none yet.)
        if (t && t.hintHolds && hintSize(t.heapHint, session.config.align) !== session.config.size) {
          offerTrace(text, 'Trace');
          return undefined;
        }
        return runTrace(text, session.config);
      }
      // A malloc.py command line: its settings and its -A ops.
      if (MALLOC_PY.test(text)) return runMallocPy(text);
      // An editor with no ops (emptied, or the summary shown for a long
      // timeline) would start over with nothing: ask first.
      let empty = false;
      try { empty = canonicalOps(text) === ''; } catch { /* load reports it */ }
      if (empty && session.total && !confirmDiscard('Running an op list with no ops')) return;
      try {
        await session.load(session.config, text);
        await afterLoad(text);
        revealMap();
      } catch (e) {
        reportScriptError(e, 'The op list was not run');
      }
    }),
    onAppend: (text) => run(async () => {
      // Append means after the last op: from a step in the past, the
      // timeline's later ops stay and the new ones follow them (and a refused
      // append leaves the cursor where it was).
      const from = session.position;
      try {
        if (from < session.total) await session.seek(session.total);
        const n = await session.append(text);
        syncEditor(true);
        notices.show(`Appended ${plural(n, 'op')}: the timeline now has ${plural(session.total, 'op')}.`, { kind: 'ok', key: 'append' });
      } catch (e) {
        if (session.position !== from) await session.seek(from);
        reportScriptError(e, 'Nothing was appended');
      }
    }),
    onOstep: () => guard(() => ostepView.open(session.arena)),
    onRevert: () => {
      // A textarea takes seconds to lay out millions of characters.
      if (session.total > 200_000 && !globalThis.confirm(`The log holds ${plural(session.total, 'op')}: showing them all in the editor takes a few seconds. Download saves them without waiting. Show them anyway?`)) return;
      syncEditor(true);
    },
    onFile: (file) => importFile(file),
    maxPaste: MAX_PASTE,
    onPasteTooLarge: (length) => notices.show(`That text is ${bytesShort(length)} long: pasting more than ${MAX_PASTE >> 20} MiB would freeze the page while the editor takes it. Save it as a file and use Import file (up to ${MAX_FILE >> 20} MiB).`, { kind: 'error', key: 'paste' }),
    onPasteDetect: (text) => {
      try { canonicalOps(text); return 'ops'; } catch { /* not an op list */ }
      if (MALLOC_PY.test(text)) {
        setTimeout(() => notices.show('That looks like a malloc.py command: Run from start runs its -A ops, or without -A the ops it draws (-s, -n, -r, -P), with its settings (-S, -a, -H, -p, -l, -C; -b goes to the malloc.py view).', { kind: 'info', key: 'paste' }));
        return 'ops';
      }
      if (text.length > MAX_TRACE) {
        // Too long to parse as a trace: say so when it starts as one (its
        // four header numbers), not with the op list's first error.
        if (looksLikeRep(text.slice(0, 400))) {
          setTimeout(() => notices.show(`That looks like a CS:APP .rep trace, but it is larger than ${MAX_TRACE >> 20} MiB: traces are limited to that.`, { kind: 'error', key: 'paste' }));
        }
        return null;
      }
      try {
        parseRep(text);
        setTimeout(() => {
          offerTrace(text, 'Pasted trace');
          notices.show('That looks like a CS:APP .rep trace: the editor switched to .rep.', { kind: 'info', key: 'paste' });
        });
        return 'rep';
      } catch (e) {
        // It starts as a trace (its header numbers, then an op): the trace
        // reader's own error says what is wrong, not the op list's "unknown op".
        if (looksLikeRep(text.slice(0, 400))) {
          setTimeout(() => notices.show(`That looks like a CS:APP .rep trace, but the trace reader refused it: ${errText(e)}.`, { kind: 'error', key: 'paste' }));
          return 'rep';
        }
        return null;
      }
    },
  });

  const wl = new WorkloadForm($('workload'), {
    onGenerate: (opts) => run(async () => {
      // Checked, then asked, then drawn up: a long workload takes a moment
      // (a million ops, a quarter second here and seconds on a slow phone),
      // and the progress bar says so before it starts, not after.
      try { checkWorkload(opts); } catch (e) { wl.showError(errText(e)); return; }
      if (session.total && !confirmDiscard('Running a generated workload')) return;
      if (opts.ops > CHUNK) {
        progress.update(0, opts.ops, 'Generating the workload');
        await painted();
      }
      try {
        await session.load(session.config, workload(opts), { label: 'Running the workload' });
      } finally {
        // (Refused before its replay began, the load leaves the bar to us.)
        progress.hide();
      }
      await afterLoad(null);
      revealMap();
      recipe = { opts: { ...opts }, version: contentVersion };
      // Many refusals change what the run shows (a full arena fragments
      // little): say so, with what to change.
      const snap = session.arena.snapshot();
      const failed = snap.stats.failedAllocs;
      const share = snap.nextPtr ? failed / snap.nextPtr : 0;
      const many = share > 0.3;
      const largest = snap.classes.at(-1);
      const why = snap.strategy === 'slab' && opts.maxSize > largest
        ? `under the slab allocator every request above its largest class (${num(largest)} B) fails: a max size of ${num(largest)} or less keeps to the classes.`
        : `the ${bytesShort(snap.arenaSize)} arena is full much of the time: a larger arena or smaller sizes show more of the strategy.`;
      // Cancelled part way: the ops not run wait ahead on the timeline.
      const ran = session.position < session.total
        ? `Generated ${plural(opts.ops, `${opts.shape} op`)} (seed ${opts.seed}) and ran ${num(session.position)} before ${session.stoppedBy === 'memory' ? 'the page’s memory filled up' : 'the cancel'}: the rest are ahead on the timeline (Play or Go to end runs them).`
        : `Ran ${plural(opts.ops, `${opts.shape} op`)} (seed ${opts.seed}).`;
      notices.show(`${ran}${many
        ? ` ${failed === snap.nextPtr ? 'All' : `${Math.min(99, Math.round(share * 100))}%`} of the allocation requests failed (${num(failed)} of ${num(snap.nextPtr)}): ${why}`
        : ''}`, { kind: many ? 'warn' : 'ok', key: 'wl', timeout: many ? 12000 : 5000 });
    }),
  });

  const loadExample = (ex) => run(async () => {
    if (session.total && !confirmDiscard(`Loading the “${ex.title}” example`)) return;
    // The focus goes where the page scrolls to, the map: the example's button
    // is far below it, or (in the empty map) hidden once the ops run.
    const pressed = document.activeElement?.closest?.('#examples, #quick-examples');
    await session.load(ex.config, ex.ops);
    await afterLoad(ex.ops);
    if (ex.target != null) { target = ex.target; region = null; }
    notices.show(`${ex.title}: ${ex.blurb}`, { kind: 'info', key: 'example', timeout: 9000 });
    if (pressed) $('map-card').focus({ preventScroll: true });
    revealMap(true);
  });

  /**
   * Scrolls the memory map's card into view after ops ran from far below it
   * (an example, the editor on a phone): always when `force`, else only
   * when the map is off the screen (a map in view stays where it is).
   */
  function revealMap(force = false) {
    const r = $('map').getBoundingClientRect();
    const shown = Math.min(r.bottom, innerHeight) - Math.max(r.top, 0);
    if (!force && shown >= Math.min(r.height / 2, 120)) return;
    $('map-card').scrollIntoView({ behavior: scrollBehavior(), block: 'start' });
  }

  /** Smooth scrolling, unless the reader asks for reduced motion. */
  function scrollBehavior() {
    return matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth';
  }
  renderExamples($('examples'), loadExample);
  renderQuickExamples($('quick-examples'), loadExample);

  const cmp = new CompareView($('compare'), {
    onRun: () => runCompare(compareState?.at ?? 'end'),
    onAt: (at) => runCompare(at),
    // (The chart's metric travels in the link with the comparison.)
    onMetric: () => syncUrl(),
  });

  themeToggle($('theme-btn'), { onChange: () => schedule() });
  $('share-btn').addEventListener('click', share);
  new Presenter($('present-btn'), {
    notices,
    onStep: (d) => { stop(); stepBy(d); },
    onBlank: () => stop(),
    // (The map redraws itself when the layout changes its width.)
    onChange: (on) => { presenting = on; schedule(); },
  });
  // Presenting, a window of another height leaves the map another room.
  window.addEventListener('resize', () => { if (presenting) schedule(); });
  $('embed-btn').addEventListener('click', openEmbed);
  for (const which of ['widget', 'iframe']) {
    $(`embed-copy-${which}`).addEventListener('click', async () => {
      const area = $(`embed-${which}`);
      // Said inside the dialog: a notice would sit under the modal, out of reach.
      // (The focus stays on the button; the text is selected only for Ctrl+C.)
      try {
        await navigator.clipboard.writeText(area.value);
        $('embed-status').textContent = `The ${which} snippet is copied.`;
      } catch {
        area.select();
        $('embed-status').textContent = 'The snippet is selected: press Ctrl+C to copy it (the clipboard is not available here).';
      }
    });
  }
  // (help-boot.js opened or closed it before the first paint; a reader's choice is kept.)
  const help = $('help');
  help.querySelector('summary').addEventListener('click', () => setTimeout(() => {
    try { localStorage.setItem('allocator-playground:help', help.open ? 'open' : 'closed'); } catch { /* ignore */ }
  }));

  // ----- actions ---------------------------------------------------------------------

  function guard(fn) {
    controls.flush();
    if (busy || session.busy) { notices.show('Wait for the replay to finish (or cancel it).', { kind: 'warn', key: 'busy' }); return undefined; }
    try {
      return fn();
    } catch (e) {
      if (!memoryFull(e)) notices.show(errText(e), { kind: 'error', key: 'action' });
      return undefined;
    } finally {
      schedule();
    }
  }

  async function run(fn) {
    controls.flush();
    if (busy || session.busy) { notices.show('Wait for the replay to finish (or cancel it).', { kind: 'warn', key: 'busy' }); return; }
    busy = true;
    stop();
    schedule();
    try {
      return await fn();
    } catch (e) {
      if (!memoryFull(e)) notices.show(errText(e), { kind: 'error', key: 'action' });
    } finally {
      busy = false;
      schedule();
    }
  }

  function confirmDiscard(what) {
    return globalThis.confirm(`${what} starts over: the ${plural(session.total, 'op')} of this timeline will be discarded. Continue?`);
  }

  /**
   * Says that an op at a past step started a new history and where the
   * later ops went (`kept`: session.kept), with a way back, and `extra`, a
   * second action, when given.
   */
  function branchNotice(kept, extra = null) {
    notices.show(`A new history starts at step ${num(session.position - 1)}: the ${plural(kept.ops, 'later op')} of the timeline you were on ${kept.ops === 1 ? 'is' : 'are'} kept on the branch “${kept.name}” (the Branch menu under the timeline).`, {
      key: 'branch', timeout: 15000,
      actions: [{ label: `Back to “${kept.name}”`, onClick: () => run(async () => {
        if (session.branches[kept.branch]?.name !== kept.name) {
          notices.show(`The branch “${kept.name}” is gone (new settings re-ran one timeline).`, { kind: 'info', key: 'branch' });
          return;
        }
        await session.switchBranch(kept.branch);
      }) }, ...(extra ? [extra] : [])],
    });
  }

  /**
   * After a switch logged at step `at`: says what it means, and offers the
   * other reading, all the ops before it re-run from the start under
   * `change` (without the earlier switches of the same kind, `switches`).
   */
  function offerRerun(at, message, switches, change, under, key) {
    notices.show(message, { key, timeout: 15000, actions: [rerunAction(session.tokens().slice(0, at), switches, change, under)] });
  }

  /**
   * A notice action that re-runs `tokens` from the start under `change`,
   * without the switches of the same kind among them (`switches`).
   */
  function rerunAction(tokens, switches, change, under, ids = traceIds) {
    const drop = new Set(switches);
    const kept = tokens.filter((t) => !drop.has(t));
    const dropped = tokens.length - kept.length;
    const config = { ...session.config, ...change };
    // Ops malloc.py drew are drawn again, as the command with the new
    // setting draws them (checked on the click: a draw costs a replay).
    const drawn = !dropped && ostepView.args().draw?.numOps === kept.length;
    return {
      label: drawn
        ? `Draw the ${plural(kept.length, 'op')} again ${under}, as malloc.py would`
        : `Re-run all ${plural(kept.length, 'op')} ${under}${dropped ? ` (without the earlier ${dropped === 1 ? 'switch' : `${dropped} switches`})` : ''}`,
      onClick: () => run(async () => {
        const again = drawn ? drawnAgain(kept.join(','), config) : null;
        const text = again?.text ?? kept.join(',');
        try {
          await session.load(config, text);
          await afterLoad(again?.text ? null : text);
        } catch (e) {
          reportScriptError(e, 'The op list was not run');
          return;
        }
        if (again?.text) keepDraw(again);
        else {
          // The same ops: a trace's ids still name their pointers (switches
          // make none), as many as the ops re-run make.
          keepIds(ids?.slice(0, requestsIn(text)));
          if (again?.error) notices.show(`The same ${plural(kept.length, 'op')} re-ran ${under}: malloc.py’s draw was not made again (${again.error}), so its own run would differ.`, { kind: 'warn', key: 'config' });
        }
      }),
    };
  }

  /**
   * When `text` is the timeline's malloc.py draw (a command without -A, the
   * malloc.py view's `draw`): the ops malloc.py draws under `config`
   * instead, `{ text, draw, header }`. Which requests fail decides what it
   * frees, so the same ops under other settings are not malloc.py's run
   * with them (failed requests' frees, leaked blocks). Null otherwise, or
   * where malloc.py draws none (next fit, slab pools).
   */
  function drawnAgain(text, config) {
    const { header, draw } = ostepView.args();
    if (!draw) return null;
    try {
      if (drawMallocPy(session.config, draw, header) !== text) return null;
    } catch {
      return null;
    }
    // A header of the heap's own (malloc.py -H run as the heap's setting)
    // is the new settings' to say; the view's -H is only for a heap without.
    const own = (session.config.header ?? 0) > 0;
    const next = config.header ?? 0;
    try {
      return { text: drawMallocPy(config, draw, own ? 0 : header), draw, header: next > 0 ? next : own ? 0 : header };
    } catch (e) {
      // (Next fit or slab pools, which malloc.py lacks; a draw too long for a list order.)
      return { error: errText(e), draw };
    }
  }

  /** After a load of the same ops (settings changed): a trace's ids, which the load dropped, name their pointers again. */
  function keepIds(ids) {
    if (!ids) return;
    traceIds = ids;
    schedule();
    syncUrl(false);
  }

  /** After a load of a draw (drawnAgain's): the malloc.py view and the link keep saying how it was drawn. */
  function keepDraw(d) {
    ostepView.setArgs({ ...ostepView.args(), draw: d.draw, ...(d.header != null ? { header: d.header } : {}) });
    syncUrl(false);
  }

  /**
   * After a switch at a past step, which moved the later ops to a branch:
   * the branch notice also offers the whole timeline as it was (the branch's
   * ops) re-run under the new setting, what "show this trace under worst
   * fit" means.
   */
  function offerBranchRerun(switches, change, under) {
    const kept = session.kept;
    const whole = kept && session.branches[kept.branch]?.tokens;
    if (whole?.length) branchNotice(kept, rerunAction(whole, switches, change, under, traceOf.get(session.branches[kept.branch]) ?? null));
  }

  /**
   * New settings. With ops on the timeline they re-run from the start under
   * them (nothing is lost: the notice offers the old settings back); only
   * Reset (`rerun: false`) starts over empty, after a confirm.
   */
  function reconfigure(change, what, done = null, { rerun = true } = {}) {
    if (Object.values(change).some((v) => Number.isNaN(v))) {
      notices.show('Arena size: enter a whole number of bytes, digits only, at least 1.', { kind: 'error', key: 'config' });
      return Promise.resolve(false);
    }
    if (change.size > MAX_URL_ARENA) {
      notices.show(`The page takes arenas of up to ${bytesShort(MAX_URL_ARENA)} (${num(MAX_URL_ARENA)} bytes), as much as a link may restore.`, { kind: 'error', key: 'config' });
      return Promise.resolve(false);
    }
    // The strategy and coalescing the controls show (a script or a switch
    // may have changed them since the start) carry over.
    const prev = { ...session.config, strategy: session.arena.strategy, coalesce: session.arena.coalesce };
    const next = { ...prev, ...change };
    try {
      checkConfig(next);
    } catch (e) {
      notices.show(errText(e), { kind: 'error', key: 'config' });
      return Promise.resolve(false);
    }
    notices.dismiss('config');
    if (!session.total || !rerun) {
      return Promise.resolve(guard(() => {
        if (session.total && !confirmDiscard(what)) return false;
        session.reset(next);
        target = null;
        region = null;
        if (done) notices.show(done, { kind: 'info', key: 'config', timeout: 9000 });
        return true;
      }) ?? false);
    }
    // Re-running starts one timeline: other branches would go.
    if (session.branches.length > 1 && !globalThis.confirm(`${what} re-runs this timeline's ops under the new settings; the other ${plural(session.branches.length - 1, 'branch', 'branches')} (Branch menu) will be discarded. Continue?`)) return Promise.resolve(false);
    const old = session.text();
    // Ops malloc.py drew are drawn again under the new settings.
    const again = drawnAgain(old, next);
    const text = again?.text ?? old;
    // The editor's text, comments and all, when it is what the timeline
    // runs (not a malloc.py command whose settings just changed).
    const typed = !again?.text && !editor.dirty && editor.format === 'ops' && session.total <= EDITOR_SYNC_MAX ? editor.value : null;
    const back = { config: session.config, position: session.position, draw: ostepView.args().draw, viewHeader: ostepView.args().header, ids: traceIds };
    let changed = false;
    // The same ops re-run: a workload's recipe still names them.
    const seeded = recipe?.version === contentVersion ? recipe : null;
    return run(async () => {
      try {
        await session.load(next, text, { label: `${what}: re-running the ops` });
        if (seeded) { recipe = seeded; seeded.version = contentVersion; }
        // The cursor stays at its step (a lecture goes on from where it was).
        if (back.position < session.total) await session.seek(back.position);
      } catch (e) {
        // load() validates first: nothing changed.
        if (!memoryFull(e)) notices.show(`${what} was not done: the ops do not run under the new settings (${errText(e)}).`, { kind: 'error', key: 'config' });
        return;
      }
      changed = true;
      await afterLoad(typed);
      if (again?.text) keepDraw(again);
      else keepIds(back.ids);
      // Undo puts back the ops as they were: only while the timeline is still
      // what the re-run made (an op, a workload or a link since would be lost).
      const ranAt = contentVersion;
      const how = again?.text
        ? `malloc.py -s ${again.draw.seed} drew the ${plural(session.total, 'op')} again under the new settings, as the command with them would (which requests fail decides what it frees).`
        : `the ${plural(session.total, 'op')} re-ran from the start under the new settings.${again?.error ? ` malloc.py’s draw was not made again (${again.error}), so its own run would differ.` : ''}`;
      notices.show(`${what}: ${how}${done ? ` ${done}` : ''}`, {
        kind: 'info', key: 'config', timeout: 12000,
        actions: [{ label: 'Undo', onClick: () => run(async () => {
          if (contentVersion !== ranAt) {
            notices.show('The settings were not undone: the timeline has changed since they were (undoing them would bring back the ops as they were then).', { kind: 'warn', key: 'config' });
            return;
          }
          await session.load(back.config, old, { label: 'Restoring the settings' });
          if (seeded) { recipe = seeded; seeded.version = contentVersion; }
          await session.seek(back.position);
          await afterLoad(typed);
          if (back.draw) keepDraw({ draw: back.draw, header: back.viewHeader });
          keepIds(back.ids);
          notices.dismiss('config');
        }) }],
      });
    }).then(() => changed);
  }

  function liveBlock(seq) {
    const b = session.arena.blocksTyped();
    for (let i = 0; i < b.length; i++) {
      if (b.seq[i] === seq && !b.free[i]) return { offset: b.offset[i], size: b.size[i], requested: b.requested[i] };
    }
    return null;
  }

  function allocate(what, fn) {
    guard(() => {
      const before = session.position;
      try {
        const off = session.act(fn);
        const seq = session.arena.ptrAt(off);
        target = seq;
        region = null;
        panel.message(`ptr[${seq}] = ${num(off)} · ${what}`);
      } catch (e) {
        // A request the heap numbered is logged (it took a ptr index); one rejected before is not.
        const logged = session.position > before;
        // The outline leaves the last pointer placed: it did not get this request's block.
        if (logged) failedAt = session.version;
        // A logged refusal in one line, as a success is said (the words under
        // the map say why, at length): longer words here would push the
        // pointer controls down.
        if (logged && e?.code === 'out-of-memory') panel.error(`ptr[${session.arena.nextPtr - 1}] = NULL · ${what}: out of memory`);
        else panel.error(`${what} failed. ${logged ? `ptr[${session.arena.nextPtr - 1}] is NULL: ` : ''}${errText(e)}`);
      }
    });
  }

  function freeOffset(offset, name) {
    guard(() => {
      const b = session.arena.blocksTyped();
      let size = 0;
      for (let i = 0; i < b.length; i++) if (b.offset[i] === offset) { size = b.size[i]; break; }
      const seq = session.arena.ptrAt(offset);
      session.act((a) => a.free(offset));
      if (target === seq) region = { offset, size, seq, freed: true };
      panel.message(`Freed ${name}.`, 'ptr');
    });
  }

  let seekTarget = null;
  let seekInFlight = null;
  let seeking = null;
  /** Steps `d` ops from where the timeline is going (keys pressed faster than a seek runs add up). */
  function stepBy(d) {
    const from = seekTarget ?? seekInFlight ?? session.position;
    seek(Math.max(0, Math.min(session.total, from + d)));
  }
  function seek(n) {
    seekTarget = n;
    if (!seeking) {
      seeking = (async () => {
        // Not a step before `seeking` is set: a loop that ended at once
        // (busy) would clear it in `finally` first, and it would never clear.
        await null;
        try {
          while (seekTarget !== null) {
            const t = seekTarget;
            seekTarget = null;
            if (busy) break;
            seekInFlight = t;
            try {
              await session.seek(t);
            } catch (e) {
              if (!memoryFull(e)) notices.show(errText(e), { kind: 'error', key: 'seek' });
            } finally {
              seekInFlight = null;
            }
            schedule();
            await new Promise((r) => requestAnimationFrame(r));
          }
        } finally {
          seeking = null;
        }
      })();
    }
    return seeking;
  }

  // Two ids, never one: rAF and timer ids are separate counters, and
  // clearTimeout() of a frame's id clears whatever timer shares the number
  // (found in CI: idle()'s poll was cleared and never resolved).
  let playTimeout = 0;
  let playFrame = 0;
  /** Bumps at each play(): a loop whose number is not the current one ends (Pause then Play while its seek was under way left two loops). */
  let playRun = 0;
  function play() {
    // (A second Play before the button shows Pause starts no second loop.)
    if (playing || session.position >= session.total) return;
    playing = true;
    const run = ++playRun;
    schedule();
    const tick = async () => {
      if (!playing || run !== playRun) return;
      if (session.position >= session.total || busy) { stop(); return; }
      // Predict mode plays one op at a time where a question can stop it.
      const stepBy = speedMs === 0 && !(predict.on && session.position < MAX_PREDICTED) ? Math.max(1, Math.ceil(session.total / 600)) : 1;
      await seek(Math.min(session.total, session.position + stepBy));
      if (!playing || run !== playRun) return;
      if (session.position >= session.total) { stop(); return; }
      // Predict mode plays to the next question.
      if (predict.on && asks(nextQuestion())) { predict.focus = true; stop(); return; }
      if (speedMs === 0) playFrame = requestAnimationFrame(tick);
      else playTimeout = setTimeout(tick, speedMs);
    };
    tick();
  }
  function stop() {
    if (!playing) return;
    playing = false;
    clearTimeout(playTimeout);
    cancelAnimationFrame(playFrame);
    playTimeout = playFrame = 0;
    lastOpAt = -1; // the op play stopped after is said now
    schedule();
  }

  function reportScriptError(e, what) {
    if (memoryFull(e)) return;
    if (e?.code === 'bad-script') {
      editor.showError(e);
      notices.show(`${what}: ${e.line ? `line ${e.line}: ` : ''}${e.reason ?? errText(e)}`, { kind: 'error', key: 'script', detail: 'The current state is unchanged.' });
    } else {
      notices.show(`${what}: ${errText(e)}`, { kind: 'error', key: 'script' });
    }
  }

  async function afterLoad(text) {
    target = null;
    region = null;
    // New ops are no malloc.py draw (a malloc.py command sets its own after this).
    ostepView.setArgs({ ...ostepView.args(), draw: null });
    notices.dismiss('script');
    if (text != null && session.total <= EDITOR_SYNC_MAX) {
      // The text just run stays as written (comments, lines): the sync the
      // load queued would put the log's one-line form in its place.
      clearTimeout(editorTimer);
      editorTimer = 0;
      editor.setText(text, { format: 'ops' });
    } else if (text != null && editor.text === text) {
      // Too long to set again, and the editor holds what just ran: it stays
      // (no queued sync puts the "too many to follow" note in its place),
      // no longer an edit waiting to run.
      clearTimeout(editorTimer);
      editorTimer = 0;
      editor.ran(session.total);
    } else syncEditor(false);
    editor.showTrace(null);
    predict.base = null;
    // Predict mode: ops just loaded are predicted from op 1.
    if (predict.on) {
      const scored = predict.score.total;
      predict.score = new PredictScore();
      if (session.total && session.position === session.total) await session.seek(0);
      if (scored) notices.show('Predict: back at op 1 for the ops just run; the score starts again.', { kind: 'info', key: 'predict' });
    }
  }


  /** The arena settings of a parsed malloc.py command (slab settings as they are). */
  function mallocPyConfig(r) {
    return { ...session.config, size: r.size, align: r.align, strategy: r.strategy, coalesce: r.coalesce, order: r.order, header: r.header };
  }

  /**
   * The ops the last malloc.py command loaded: while the timeline still holds
   * just them, the next command replaces it without asking (homework
   * variants are one edit apart, and the command stays in the editor).
   */
  let commandOps = null;

  /** Runs a malloc.py command line: its settings, then its ops. */
  async function runMallocPy(text) {
    let r;
    try {
      r = parseMallocPy(text);
    } catch (e) {
      reportScriptError(e, 'The malloc.py command was not run');
      return;
    }
    const config = mallocPyConfig(r);
    try {
      checkConfig(config);
    } catch (e) {
      notices.show(`The malloc.py command was not run: ${errText(e)}.`, { kind: 'error', key: 'script' });
      return;
    }
    const own = commandOps !== null && session.branches.length <= 1 && session.text() === commandOps;
    if (session.total && !own && !confirmDiscard('Running a malloc.py command')) return;
    try {
      await session.load(config, r.ops);
      commandOps = session.text();
    } catch (e) {
      reportScriptError(e, 'The malloc.py command was not run');
      return;
    }
    // The command stays in the editor as typed (the next homework variant
    // is an edit away); a click on the map then shows the log there as usual.
    await afterLoad(editor.text === text ? text : r.ops);
    revealMap();
    ostepView.setArgs(r);
    // Its addresses (-b) answer predictions too (after a header, -H, the data's: graded right as well).
    predict.base = r.base;
    // (Options stay whole on a narrow screen: no line break inside "-A" or between "-n" and its value.)
    const opt = (o, v = '') => `-\u2060${o}${v === '' ? '' : `\u00a0${v}`}`;
    const drew = r.draw ? ` drawn as malloc.py ${opt('s', r.draw.seed)} draws them (${opt('n', r.draw.numOps)} ${opt('r', r.draw.range)} ${opt('P', r.draw.percentAlloc)}, no\u00a0${opt('A')})` : '';
    // A free that malloc.py -A itself would skip or crash on (it counts only
    // the requests that succeed) ran here: say so now, not only in the view.
    let unlike = '';
    try {
      const { differs, why } = session.arena.mallocPyCommand(r.base, maxTranscriptOps(), r.header, r.draw ?? null);
      if (differs) unlike = ` Unlike here, ${why}.`;
    } catch { /* no command to compare with */ }
    notices.show(`Ran the malloc.py command: ${plural(session.total, 'op')}${drew} in ${article(num(r.size))} ${num(r.size)}-byte arena, ${strategyLabel(r.strategy).toLowerCase()}, align ${r.align}${r.align === 1 ? ' (-a -1)' : ''}, ${r.order === 'address' ? '' : `the free list ${ORDER_LABELS[r.order].toLowerCase()} (-l ${ORDER_MALLOC_PY[r.order]}), `}coalescing ${r.coalesce ? 'on (-C)' : 'off'}. The malloc.py view writes it with -b ${r.base} -H ${r.header}${r.header ? `; each block on the map starts with its ${r.header}-byte header` : ''}.${unlike}`, { kind: unlike ? 'warn' : 'ok', key: 'script', timeout: 12000 });
  }

  async function runTrace(text, config, name) {
    let t;
    try {
      t = parseRep(text);
    } catch (e) {
      reportScriptError(e, 'The trace was not run');
      return;
    }
    try {
      await session.load(config, t.ops, { label: 'Replaying the trace' });
    } catch (e) {
      reportScriptError(e, 'The trace was not run');
      return;
    }
    traceIds = t.ptrIds;
    target = null;
    region = null;
    // (An earlier refusal no longer stands: this ran.)
    notices.dismiss('script');
    // The trace stays in the editor as it was (the queued sync would show
    // the op log instead), and its panel offers runs for the arena it made.
    clearTimeout(editorTimer);
    editorTimer = 0;
    editor.setText(text, { format: 'rep' });
    offerTrace(text, name ?? 'Trace');
    const st = session.arena.stats();
    // A file by its name; "Trace" / "Pasted trace" mid-sentence in lower case.
    const what = !name ? 'the trace' : /\.\w+$/.test(name) ? `“${name}”` : `the ${name.toLowerCase()}`;
    revealMap();
    notices.show(`Ran ${what}: ${plural(t.count, 'op')} in ${article(num(st.arenaSize))} ${num(st.arenaSize)} B arena · ${num(st.failedAllocs)} failed.`, { kind: st.failedAllocs ? 'warn' : 'ok', key: 'trace' });
  }

  /** The smallest arena in which a trace's ops run under first fit with no failure (null past the page's largest arena); one trace remembered. */
  let fitMemo = null;
  function fittingArena(text, ops, cfg) {
    const key = `${cfg.align}/${cfg.coalesce}/${cfg.order}/${cfg.header ?? 0}/${!!cfg.sbrk}`;
    if (fitMemo?.text !== text || fitMemo.key !== key) {
      let size = null;
      try { size = firstFitArena({ ...cfg, strategy: 'first-fit' }, ops, MAX_URL_ARENA); } catch { /* none to offer */ }
      fitMemo = { text, key, size };
    }
    return fitMemo.size;
  }

  /** The trace's heap hint as an arena size: a multiple of the alignment, at most what the page (and a link) takes. */
  function hintSize(hint, align) {
    const a = align || 8;
    return Math.min(MAX_URL_ARENA, Math.max(a, Math.ceil(hint / a) * a));
  }

  async function importFile(file) {
    if (file.size > MAX_FILE) { notices.show(`${file.name} is larger than ${MAX_FILE >> 20} MiB.`, { kind: 'error', key: 'file' }); return; }
    let text;
    try { text = await file.text(); } catch (e) { notices.show(`Could not read ${file.name}: ${errText(e)}`, { kind: 'error', key: 'file' }); return; }
    let isRep = /\.rep$/i.test(file.name);
    if (!isRep) {
      try { canonicalOps(text); } catch { try { parseRep(text); isRep = true; } catch { /* an op list with an error */ } }
    }
    if (isRep && text.length > MAX_TRACE) {
      notices.show(`${file.name} is larger than ${MAX_TRACE >> 20} MiB: traces are limited to that.`, { kind: 'error', key: 'file' });
      return;
    }
    if (!isRep) {
      editor.showTrace(null);
      editor.setText(text, { format: 'ops', dirty: true });
      notices.show(`Loaded ${file.name} into the editor: press Run from start.`, { kind: 'info', key: 'file' });
      return;
    }
    editor.setText(text, { format: 'rep', dirty: true, validate: false });
    if (offerTrace(text, file.name)) editor.validateNow();
  }

  /** Shows a trace's summary with "run in the hinted arena" / "run in the current one". */
  function offerTrace(text, name) {
    if (text.length > MAX_TRACE) {
      editor.showTrace(null);
      notices.show(`${name} is larger than ${MAX_TRACE >> 20} MiB: traces are limited to that.`, { kind: 'error', key: 'file' });
      return false;
    }
    let t;
    try {
      t = parseRep(text);
    } catch (e) {
      editor.showTrace(null);
      reportScriptError(e, `${name} is not a valid trace`);
      return false;
    }
    const cfg = session.config;
    const sized = t.hintHolds ? hintSize(t.heapHint, cfg.align) : null;
    const actions = [];
    // CS:APP's heap grows as needed and the hint is only a hint (often far
    // too small): offer the smallest arena that refuses nothing, as the core
    // works it out for first fit.
    const fit = fittingArena(text, t.ops, cfg);
    // A heap that grows with sbrk: an arena the size of every request's
    // block, where no fit strategy refuses one, so that Compare shows the
    // heap each needs (first fit's mark would cap the others).
    // (Not under slab: slabs are carved whole, which the sum does not bound.)
    let room = null;
    if (cfg.strategy !== 'slab') {
      try { room = sbrkArena(cfg, t.ops, MAX_URL_ARENA); } catch { /* none to offer */ }
    }
    const grow = room == null ? null : {
      label: `Run in ${article(num(room))} ${num(room)} B arena, the heap growing with sbrk (the sum of its requests: no fit strategy runs out)`, testid: 'trace-run-sbrk',
      onClick: () => run(() => {
        let now = null;
        try { now = sbrkArena(session.config, t.ops, MAX_URL_ARENA); } catch { /* refused below */ }
        if (now == null) { notices.show('The trace’s requests add up to more than the page’s largest arena.', { kind: 'warn', key: 'trace' }); return undefined; }
        return runTrace(text, { ...session.config, sbrk: true, size: now }, name);
      }),
    };
    // (First when the heap grows already; else after first fit's arena.)
    if (grow && cfg.sbrk) actions.push(grow);
    // Each button runs under the settings of the moment it is pressed (the
    // panel may stay up while they change); the fit is first fit's own.
    if (fit != null && (fit !== cfg.size || cfg.strategy !== 'first-fit')) {
      actions.push({
        label: `Run under first fit in ${article(num(fit))} ${num(fit)} B arena (its high-water mark: it refuses nothing)`, testid: 'trace-run-fit',
        onClick: () => run(() => {
          const now = fittingArena(text, t.ops, session.config);
          if (now == null) { notices.show('The trace needs more than the page’s largest arena under first fit.', { kind: 'warn', key: 'trace' }); return undefined; }
          return runTrace(text, { ...session.config, strategy: 'first-fit', size: now }, name);
        }),
      });
    }
    if (grow && !cfg.sbrk) actions.push(grow);
    // (A hint below the trace's peak payload, as course copies' 0 or 1, would refuse requests: not offered.)
    if (sized != null && sized !== cfg.size && sized !== fit) {
      actions.push({ label: `Run in ${article(num(sized))} ${num(sized)} B arena (the trace’s hint${sized !== t.heapHint ? ` of ${num(t.heapHint)} B, ${sized > t.heapHint ? 'rounded up to the alignment' : 'capped at the page’s largest arena'}` : ''})`, testid: 'trace-run-hint', onClick: () => run(() => runTrace(text, { ...session.config, size: hintSize(t.heapHint, session.config.align) }, name)) });
    }
    actions.push({ label: `Run in the current ${num(cfg.size)} B arena`, testid: 'trace-run-current', onClick: () => run(() => runTrace(text, session.config, name)) });
    editor.showTrace({ name, ...t }, actions);
    return true;
  }

  function runCompare(at) {
    return run(async () => {
      cmp.setBusy(true);
      try {
        if (!session.total) { notices.show('Nothing to compare yet: run some ops first (try a workload or an example).', { kind: 'info', key: 'compare' }); return; }
        await new Promise((r) => setTimeout(r, 16));
        const result = await session.compare();
        if (!result) { notices.show('Compare cancelled.', { kind: 'info', key: 'compare' }); return; }
        let maps = result;
        let mapsLabel = `After all ${plural(session.total, 'op')}.`;
        let highlightSeq;
        let mapsStep = session.total;
        // The maps at another step need a second, shorter run; cancelling it
        // keeps the finished comparison with the maps at the end.
        const cancelledMaps = () => {
          notices.show('Cancelled: the maps show the end of the timeline instead.', { kind: 'info', key: 'compare' });
          return { maps: result, at: 'end', mapsStep: session.total, mapsLabel, highlightSeq: undefined };
        };
        if (at === 'divergence' && result.firstDivergence != null) {
          const fd = result.firstDivergence;
          const step = result.index ? result.index[fd] + 1 : fd + 1;
          const m = await session.compare({ upTo: step });
          if (!m) {
            ({ maps, at, mapsStep, mapsLabel, highlightSeq } = cancelledMaps());
          } else {
            maps = m;
            mapsStep = step;
            const op = parseOps(result.tokens[fd]).ops[0];
            if (op.op === 'realloc') highlightSeq = op.ptr;
            else if (isRequest(op)) highlightSeq = maps.runs[0].snapshot.nextPtr - 1;
            mapsLabel = `Right after op ${num(step)} (${result.tokens[fd]}), where placements first differ${highlightSeq != null ? `: ptr[${highlightSeq}] is outlined` : ''}.`;
          }
        } else if (at === 'cursor') {
          const m = await session.compare({ upTo: session.position });
          if (!m) {
            ({ maps, at, mapsStep, mapsLabel, highlightSeq } = cancelledMaps());
          } else {
            maps = m;
            mapsStep = session.position;
            mapsLabel = `At the timeline cursor: after ${plural(mapsStep, 'op')}.`;
          }
        } else {
          at = 'end';
        }
        // The settings the comparison ran under go into its JSON export.
        const { size, align, coalesce, classes, slabSize, order } = session.config;
        compareState = {
          result, maps, at, mapsStep, mapsLabel, highlightSeq, version: contentVersion,
          config: { size, align, coalesce, classes, slabSize, order, header: session.config.header ?? 0, sbrk: !!session.config.sbrk },
          workload: recipe?.version === contentVersion ? { ...recipe.opts } : null,
        };
        renderCompare();
        // Ops malloc.py drew are not what it would draw under another -p: which
        // requests fail decides what it frees. A student comparing policies for
        // OSTEP's questions should know.
        const { header, draw } = ostepView.args();
        let drawn = false;
        try { drawn = !!draw && session.arena.mallocPyCommand(MALLOC_PY_BASE, maxTranscriptOps(), header, draw).drawn; } catch { /* a refused draw is none */ }
        if (drawn) {
          notices.show(`These ${plural(session.total, 'op')} are the ones malloc.py -s ${draw.seed} draws under ${strategyLabel(session.config.strategy).toLowerCase()}. Compare runs the same ops under each strategy; malloc.py with another -p draws other ops (which requests fail decides what it frees), so for its figures per policy run the command with that -p.`, { kind: 'info', key: 'compare', timeout: 15000 });
        }
      } catch (e) {
        reportScriptError(e, 'Compare failed');
      } finally {
        cmp.setBusy(false);
      }
    });
  }

  /**
   * Presenting, the map's height (its own pixels) that leaves the words and
   * the timeline under it on the screen: a projector's 720 lines held the
   * map alone, the timeline below the fold.
   */
  function presentMapRoom(raw = false) {
    const zoom = Number(getComputedStyle(document.documentElement).getPropertyValue('--present-zoom')) || 1;
    const box = $('map').getBoundingClientRect();
    // Above it the header and the card's head; under it the words, the
    // step buttons and the op strip (the speed and fork row may fall below).
    const above = box.top + scrollY;
    // (Predict's question, when it is on, is part of the lecture too.)
    const pd = document.querySelector('#predict [data-testid=predict]');
    const last = pd && !pd.hidden ? pd : document.querySelector('#timeline .tl-meta');
    const under = last.getBoundingClientRect().bottom - box.bottom;
    const room = Math.floor((innerHeight - above - under - 12) / zoom);
    // (`raw`: the room as it is, which the map may grow into; else at least
    // 100 px, the least a map shrinks to.)
    return raw ? room : Math.max(100, room);
  }

  /** A link's comparison: run, and pointed at (it is further down the page). */
  /** The comparison a link carries (`cmp=`, and what its chart draws, `chart=`). */
  async function compareFromLink({ compare: at, chart }) {
    if (!session.total) return; // (a link with cmp= alone: nothing to compare)
    // (Left out, the default: not what the chart drew before the link.)
    cmp.metric = chart;
    await runCompare(at);
    if (compareState?.version !== contentVersion) return;
    notices.show('The link carries a comparison of the strategies on these ops: it is under Compare strategies.', {
      kind: 'info', key: 'compare-link', timeout: 12000,
      actions: [{ label: 'Show it', onClick: () => $('compare-card').scrollIntoView({ behavior: scrollBehavior(), block: 'start' }) }],
    });
  }

  function renderCompare() {
    if (!compareState) return;
    const c = compareState;
    const idx = c.result.index;
    let cursor = session.position;
    if (idx) { let k = 0; while (k < idx.length && idx[k] < cursor) k++; cursor = k; }
    cmp.render({ ...c, cursor });
  }

  function openEmbed() {
    $('embed-status').textContent = '';
    const { widget, iframe, dropped } = embedSnippets({ config: session.config, tokens: session.tokens(), step: session.position, base: new URL('.', location.href), defaults: createArenaDefaults, predict: predict.on });
    const total = session.total;
    $('embed-step').textContent = session.position < Math.min(total, MAX_EMBED_OPS)
      ? `, starting at step ${session.position.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} as here (the rest is a step forward away)`
      : '';
    $('embed-widget').value = widget;
    $('embed-iframe').value = iframe;
    const note = $('embed-dropped');
    // What a widget cannot take, said here rather than as an error on the blog.
    const notes = [];
    if (dropped) notes.push(`The op list is longer than a widget takes (${MAX_EMBED_OPS.toLocaleString('en-US')} ops): the last ${dropped.toLocaleString('en-US')} are left out.`);
    if (session.config.size > WIDGET_LIMITS.arenaSize) notes.push(`This ${bytesShort(session.config.size)} arena is larger than a widget takes (${bytesShort(WIDGET_LIMITS.arenaSize)}, so that a reader's tab stays light): the snippets will show an error until the arena size is at most that.`);
    note.hidden = notes.length === 0;
    note.textContent = notes.join(' ');
    $('embed-dialog').showModal();
  }

  async function share() {
    syncUrl(true);
    // Past MAX_URL_OPS the link carries the settings only: say so.
    const seeded = session.total > 0 && recipe?.version === contentVersion;
    const whole = session.total <= MAX_URL_OPS || seeded;
    const what = seeded
      ? `this arena and its ${plural(session.total, 'op')}, as the recipe of the seeded workload that made them`
      : whole
        ? 'this arena and its op list'
        : `this arena’s settings but not its ${plural(session.total, 'op')} (a link holds at most ${num(MAX_URL_OPS)}; Download the op list to share it)`;
    try {
      await navigator.clipboard.writeText(location.href);
      notices.show(`Link copied: it restores ${what}.`, { kind: whole ? 'ok' : 'warn', key: 'share' });
    } catch {
      notices.show(`Copy this link to share ${what}:`, { kind: 'info', key: 'share', detail: location.href, timeout: 0 });
    }
  }

  // The skip link moves focus to the map without putting `#map-card` in the
  // address bar, where the shared state lives.
  document.querySelector('.skip-link')?.addEventListener('click', (e) => {
    const target = $('map-card');
    if (!target) return;
    e.preventDefault();
    target.focus();
    target.scrollIntoView({ block: 'start' });
  });

  // ----- keyboard shortcuts ----------------------------------------------------------
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    // Text fields keep their keys (a switch, a checkbox, the scrubber and a
    // select do not need Ctrl+Z: undo works there too).
    if (t.closest?.('input:not([type=checkbox]):not([type=radio]):not([type=range]), textarea, [contenteditable]')) return;
    // A modal dialog keeps them too: the page behind it stays as the dialog
    // shows it (the malloc.py view follows the timeline, so it is no such dialog).
    if (t.closest?.('dialog[open]:not(.ostep-dialog)')) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === 'z' && !e.shiftKey) { e.preventDefault(); stop(); stepBy(-1); }
    else if (mod && (e.key.toLowerCase() === 'y' || (e.key.toLowerCase() === 'z' && e.shiftKey))) { e.preventDefault(); stop(); stepBy(1); }
    // Plain ← / → step too (a presenter's clicker sends them), except where
    // the arrows already mean something: the map's blocks, the scrubber,
    // the op strip, a dialog, the prediction box (an arrow there must not run the op it asks about).
    else if (!mod && !e.altKey && !e.shiftKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')
      && !t.closest?.('#map, [role=slider], input:not([type=checkbox]):not([type=radio]), select, .tl-ops, [role=menu], [role=listbox], .pd')) {
      e.preventDefault();
      stop();
      stepBy(e.key === 'ArrowRight' ? 1 : -1);
    }
  });

  // ----- rendering -------------------------------------------------------------------
  let contentVersion = 0;
  let frame = 0;
  let rendered = -1;
  const idleWaiters = [];
  session.addEventListener('change', (e) => {
    const kind = e.detail.kind;
    // A trace's ids follow its timeline: a branch keeps its own (an op done
    // at a past step keeps the ids of the pointers made before it), and
    // another op list, trace or link drops them.
    if (kind === 'act' && session.kept) {
      traceOf.set(session.branches[session.kept.branch], traceIds);
      if (traceIds) {
        traceIds = traceIds.slice(0, requestsIn(session.pastTokens().slice(0, -1).join(',')));
      }
      traceOf.set(session.branches[session.active], traceIds);
    } else if (kind === 'fork') {
      for (const b of session.branches) if (!traceOf.has(b)) traceOf.set(b, traceIds);
    } else if (kind === 'branch') {
      traceIds = traceOf.get(session.branches[session.active]) ?? null;
    } else if (['load-start', 'load', 'reset'].includes(kind)) {
      traceIds = null;
      // What the notices said of the timeline that went.
      for (const key of ['branch', 'wl', 'strategy', 'coalesce', 'merge', 'append', 'trace']) notices.dismiss(key);
    }
    // An op done at a past step starts a new history; the old one is a branch.
    const kept = e.detail.kind === 'act' && session.kept;
    if (kept) branchNotice(kept);
    if (e.detail.kind !== 'seek') {
      contentVersion++;
      predict.score.forget();
      if (compareState) cmp.stale('The ops or the settings changed since this comparison: run it again.');
      queueEditorSync();
    }
    schedule();
  });
  // A long replay that filled the memory part way ends as a cancel does:
  // what ran stays, the rest waits after the cursor.
  session.addEventListener('refused', (e) => {
    const { ran, of } = e.detail;
    notices.show(`The page’s memory filled up after ${num(ran)} of ${plural(of, 'op')} (a page’s WebAssembly memory stops at 4 GiB): the other ${num(of - ran)} wait in the timeline, after the cursor. Reloading the page starts afresh.`, { kind: 'error', key: 'memory' });
  });
  session.addEventListener('progress', (e) => {
    const { done, total, label } = e.detail;
    progress.update(done, total, label);
  });
  session.addEventListener('busy', (e) => { if (!e.detail.busy) progress.hide(); schedule(); });

  function schedule() {
    if (!frame) frame = requestAnimationFrame(renderAll);
  }

  let editorTimer = 0;
  function queueEditorSync() {
    clearTimeout(editorTimer);
    editorTimer = setTimeout(quietly(() => { editorTimer = 0; syncEditor(false); }), 80);
  }
  /** Runs a pending editor sync now (so nothing rewrites the editor later). */
  function flushEditorSync() {
    if (!editorTimer) return;
    clearTimeout(editorTimer);
    editorTimer = 0;
    syncEditor(false);
  }

  function syncEditor(force) {
    if (session.busy) return;
    if (!force && editor.dirty) return;
    const total = session.total;
    if (!force && total > EDITOR_SYNC_MAX) {
      editor.setText(`# ${num(total)} ops: too many to follow here.\n# Press “Show log” to load them all, or Download to save them.\n`, { format: 'ops', validate: false, standIn: true });
      return;
    }
    const tokens = session.tokens();
    editor.setText(formatOps(tokens), { format: 'ops', count: tokens.length || null });
  }

  /** The seeded workload that made the timeline: `{ opts, version }` (valid while contentVersion is `version`). */
  let recipe = null;
  let urlTimer = 0;
  let urlHeldAt = -1;
  let lastHash = '';
  let truncWarned = -1;
  function syncUrl(now) {
    clearTimeout(urlTimer);
    const write = () => {
      if (session.busy) return;
      // A link whose ops were refused stays in the address bar (a reload
      // brings them back to the editor) until the state changes.
      if (urlHeldAt === contentVersion) return;
      // A timeline that is still what a seeded workload made goes in as its
      // recipe (a few dozen characters: 3,000 ops spelled out took 14 KB,
      // which mail and chat tools mangle). Else past the URL limit only the
      // settings go in (skip building the op list).
      const tooMany = session.total > MAX_URL_OPS;
      const workload = recipe?.version === contentVersion ? recipe.opts : null;
      // A comparison of what the timeline holds now travels with it.
      const compare = compareState?.version === contentVersion ? compareState.at : null;
      const { hash } = encodeState({ config: session.config, tokens: tooMany || workload ? [] : session.tokens(), step: session.position, workload, predict: predict.on, mallocPy: ostepView.args(), compare, chart: cmp.metric, ids: traceIds }, createArenaDefaults);
      if (tooMany && !workload && truncWarned !== contentVersion) {
        truncWarned = contentVersion;
        notices.show(`The timeline has ${num(session.total)} ops; links hold at most ${num(MAX_URL_OPS)}, so the link only carries the settings.`, { kind: 'warn', key: 'url-trunc' });
      } else if (!tooMany || workload) {
        notices.dismiss('url-trunc');
      }
      // The address bar may hold another hash than the last one written
      // (an in-page anchor): the state goes back in all the same.
      if (hash !== lastHash || location.hash !== hash) {
        lastHash = hash;
        history.replaceState(null, '', hash);
      }
    };
    if (now) write(); else urlTimer = setTimeout(quietly(write), 250);
  }

  function computeSamples() {
    if (samplesAt === contentVersion) return;
    // Not while a run is under way: it would leave this version without
    // samples for good (found under load: the note never came).
    if (session.busy) {
      clearTimeout(samplesTimer);
      samplesTimer = setTimeout(quietly(() => { computeSamples(); schedule(); }), 60);
      return;
    }
    samplesAt = contentVersion;
    try {
      // (Not when its replay would hold the page up: a free list kept by
      // size or insertion walks the list on every op.)
      // (The estimate is kept with the decision: the rate moves as the cursor does.)
      samplesSlow = session.total > 0 && session.total <= SAMPLES_MAX && !session.quick(session.total, SAMPLES_MS) ? session.estimateMs(session.total) : null;
      ({ samples, peaks } = session.total && session.total <= SAMPLES_MAX && samplesSlow === null ? session.samples() : { samples: null, peaks: null });
    } catch (e) {
      // (Replayed in an arena of their own: refused when wasm memory is full.)
      if (!memoryFull(e)) throw e;
      samples = peaks = null;
    }
  }
  let samplesTimer = 0;
  /** The ms their replay would take, when the samples were left out for it; else null. */
  let samplesSlow = null;

  function renderAll() {
    frame = 0;
    // Reading the state for the views may be refused when wasm memory is
    // full: the views keep what they show, and the page says why.
    try {
      renderViews();
    } catch (e) {
      if (!memoryFull(e)) throw e;
      // A refused render is done too: whoever waits for one goes on.
      while (idleWaiters.length) idleWaiters.shift()();
    }
  }

  function renderViews() {
    // (Once drawn, the page shows: see layout.css.)
    document.documentElement.classList.add('is-drawn');
    const a = session.arena;
    const isBusy = busy || session.busy;
    const blocks = a.blocksTyped();
    // stats() and blocksTyped() carry everything the views draw; snapshot() would
    // also serialize every block as an object.
    const stats = a.stats();
    const cfg = session.config;
    const strategy = a.strategy;
    // (The meter words a slab class limit from the strategy and classes.)
    const snap = { stats, lastSearched: stats.lastSearched, lastRequestStep: a.lastRequestStep, arenaSize: stats.arenaSize, strategy, classes: cfg.classes, sbrk: !!cfg.sbrk };
    if (region?.freed && liveIn(blocks, region.seq)) region = null;
    if (target != null && !region && !liveIn(blocks, target)) target = null;
    const header = cfg.header ?? 0;
    const outlined = failedAt === session.version ? undefined : target ?? undefined;
    const mapData = { arenaSize: snap.stats.arenaSize, blocks, header, heapEnd: cfg.sbrk ? stats.highWater : null, highlightSeq: outlined, listRank: listRanks(a), maxHeight: presenting ? presentMapRoom() : null, room: presenting ? presentMapRoom(true) : null };
    map.render(mapData);
    // The legend names the header only while blocks carry one.
    const legendKey = `${header > 0} ${!!cfg.sbrk}`;
    if (legendShown !== legendKey) {
      legendShown = legendKey;
      renderLegend($('legend'), { selected: true, header: header > 0, sbrk: !!cfg.sbrk });
    }
    meter.render(snap, blocks);
    controls.render({ strategy, size: cfg.size, align: cfg.align, header: cfg.header ?? 0, order: cfg.order, sbrk: !!cfg.sbrk, coalesce: a.coalesce, classes: cfg.classes, slabSize: cfg.slabSize, busy: isBusy });
    // Live blocks by ptr number, sorted as numbers (seq · M + index) in a typed
    // array, natively; only the newest MAX_OPTIONS (and the target) become
    // objects for the panel, so tens of thousands of blocks stay quick. The
    // keys stay exact (below 2^53): a timeline holds at most 10M ops, so seq
    // < 2^24 and there are fewer than 2^25 blocks (M ≤ 2^25).
    const M = 2 ** Math.ceil(Math.log2(blocks.length + 1));
    let n = 0;
    const keys = new Float64Array(blocks.length);
    for (let i = 0; i < blocks.length; i++) {
      if (!blocks.free[i] && blocks.seq[i] >= 0) keys[n++] = blocks.seq[i] * M + i;
    }
    const order = keys.subarray(0, n).sort();
    const entry = (k) => {
      const i = order[k] % M;
      return { seq: blocks.seq[i], offset: blocks.offset[i], size: blocks.size[i], requested: blocks.requested[i] };
    };
    const first = Math.max(0, n - MAX_OPTIONS);
    const live = [];
    for (let k = 0; k < first && target != null; k++) {
      if (blocks.seq[order[k] % M] === target) { live.push(entry(k)); break; }
    }
    for (let k = first; k < n; k++) live.push(entry(k));
    if (target == null && !region && live.length) target = live[live.length - 1].seq;
    panel.render({ live, target, busy: isBusy });
    renderBytes(a, blocks);
    const pos = session.position;
    const total = session.total;
    const from = Math.max(0, pos - 10);
    const to = Math.min(total, pos + 30);
    if (samplesAt !== contentVersion) {
      clearTimeout(samplesTimer);
      samplesTimer = setTimeout(quietly(() => { computeSamples(); schedule(); }), total > 20000 ? 300 : 60);
    }
    timeline.render({
      position: pos, total, playing, busy: isBusy,
      window: { start: from, tokens: session.slice(from, to), failed: new Set(session.arena.failedOps(from, pos)) },
      samples: total ? samples : null, // slightly stale until the new ones are in: no flicker
      peaks: total ? peaks : null,
      samplesLimit: SAMPLES_MAX,
      samplesSlow: total > 0 ? samplesSlow : null,
      strategy, branches: session.branches, active: session.active, predict: predict.on,
    });
    renderPredict(isBusy);
    const failed = session.arena.failedCount;
    $('map-status').textContent = `${bytesShort(snap.stats.arenaSize)} arena · ${strategyLabel(strategy, cfg.classes)}${header ? ` · ${num(header)}-byte block headers` : ''} · ${plural(snap.stats.usedBlocks, 'used block')} · ${plural(snap.stats.listFreeBlocks, 'free block')}${snap.stats.freeChunks ? ` + ${plural(snap.stats.freeChunks, 'free chunk')}` : ''}${cfg.order && cfg.order !== 'address' ? ` · free list ${ORDER_LABELS[cfg.order].toLowerCase()} (#1 is its front)` : ''}${!cfg.sbrk ? '' : snap.stats.highWater ? ` · the heap has grown to ${bytesShort(snap.stats.highWater)} (sbrk)` : ' · the heap is empty (it grows with sbrk)'}${failed ? ` · ${plural(failed, 'failed op')} (marked in the timeline)` : ''}`;
    $('map-empty').hidden = total !== 0;
    // The words' place is kept (two lines, CSS) from the first op on, so the
    // timeline under them does not jump when they come (later, when their
    // account is slow: see scheduleLastOp).
    $('last-op').hidden = total === 0;
    scheduleLastOp();
    ostepView.refresh(session.arena, session.version);
    editor.setBusy(isBusy);
    wl.setBusy(isBusy);
    cmp.setBusy(isBusy);
    if (compareState && compareState.version === contentVersion) renderCompareCursor();
    syncUrl(false);
    // Presenting, the map's room is measured again once the words and
    // Predict's box under it are drawn: when a step's words take a line
    // more, the map refits in this frame, not at the next step.
    if (presenting) {
      const room = presentMapRoom(true);
      if (room !== mapData.room) map.render({ ...mapData, maxHeight: Math.max(100, room), room });
      // The question is what the room must see: when the map (at its
      // smallest) and the timeline leave it below the screen's edge, the
      // page scrolls it up, as far as the map's top (the map answers it).
      if (predict.on && predictBox.question) {
        const over = $('predict').getBoundingClientRect().bottom + 8 - innerHeight;
        const keep = $('map').getBoundingClientRect().top - 8;
        if (over > 0 && keep > 0) scrollBy({ top: Math.min(over, keep), behavior: 'instant' });
      }
    }
    rendered = session.version;
    while (idleWaiters.length) idleWaiters.shift()();
  }

  // "What just happened", in words under the map. The core compares with
  // the state before the last op, which the arena keeps and brings forward
  // op by op (a step back keeps it too); after a load the first account
  // replays the log (at most maxExplainedOps(), 50,000 ops: 1.5 ms at 20,000). While that is quick (not two accounts in a row of
  // LAST_OP_SYNC_MS or more) the words come with each render: had they come
  // later, the timeline under them would move under the pointer. When it is
  // slow, once the cursor rests, as a drag on the scrubber should not pay
  // for every step it passes. A screen reader hears them once the cursor
  // rests, and not during play (#last-op-said).
  const LAST_OP_SYNC_MS = 8;
  /** Accounts in a row that took LAST_OP_SYNC_MS or more (two make it slow: one may be a pause of the machine's). */
  let lastOpSlow = 0;
  let lastOpAt = -1;
  let lastOpTimer = 0;
  let saidTimer = 0;
  /** lastOp() as a prediction was graded with: `{ version, e }`. */
  let lastOpOf = null;
  // A longer account keeps its room for the shorter ones after it, so
  // stepping back and forth leaves the timeline in place; a new width (a
  // window resized, Present) starts over, from the words shown. (Next frame:
  // resizing what it observes inside its callback would loop.)
  let lastOpWidth = -1;
  new ResizeObserver(([entry]) => {
    const w = entry.contentRect.width;
    if (w === lastOpWidth) return;
    lastOpWidth = w;
    requestAnimationFrame(() => {
      const el = $('last-op');
      el.style.minHeight = '';
      if (!el.hidden) el.style.minHeight = getComputedStyle(el).height;
    });
  }).observe($('last-op'));
  function scheduleLastOp() {
    if (lastOpAt === session.version) return;
    clearTimeout(lastOpTimer);
    if (lastOpSlow < 2 && !session.busy) { updateLastOp(); return; }
    // (Playing at a readable speed, up to 16 ops/s, the words follow each
    // step: a wait longer than a step would never end.)
    lastOpTimer = setTimeout(quietly(() => {
      lastOpTimer = 0;
      if (session.busy) { scheduleLastOp(); return; }
      updateLastOp();
    }), playing && speedMs >= 60 ? 0 : 200);
  }
  /**
   * An account that would replay more than this long first waits to be asked
   * for (after a load the arena replays the log up to the op: under a free
   * list kept by size or insertion, where every op walks the list, 30,000
   * ops took seconds; a step back keeps the state before the op).
   */
  const LAST_OP_ASK_MS = 400;
  function updateLastOp(force = false) {
    lastOpAt = session.version;
    const el = $('last-op');
    let text = '';
    try {
      const replays = lastOpOf?.version === session.version ? 0 : session.arena.lastOpReplays;
      const ms = session.estimateMs(replays);
      if (!force && ms !== null && ms > LAST_OP_ASK_MS) {
        const pos = session.position;
        el.replaceChildren(`Op ${num(pos)}, ${session.slice(pos - 1, pos)[0]}: its account needs the ${num(replays)} ops before it replayed first, about ${(ms / 1000).toFixed(1)} s here. `,
          h('button', { type: 'button', class: 'linkish', 'data-testid': 'last-op-ask', text: 'Write it out', onclick: () => updateLastOp(true) }));
        return;
      }
      const t0 = performance.now();
      const e = lastOpOf?.version === session.version ? lastOpOf.e : session.arena.lastOp();
      lastOpSlow = performance.now() - t0 < LAST_OP_SYNC_MS ? 0 : lastOpSlow + 1;
      text = describeLastOp(e, session.config, traceName);
      if (!text && session.position === 0 && session.total > 0) {
        text = `Step 0 of ${num(session.total)}: no op has run yet. The next is op 1, ${session.slice(0, 1)[0]}.`;
      } else if (!text && session.position > MAX_PREDICTED) {
        const pos = session.position;
        text = `Op ${num(pos)}, ${session.slice(pos - 1, pos)[0]}: ops past the first ${num(MAX_PREDICTED)} are not written out one by one (the map and the meter show this step).`;
      }
    } catch { /* none to show */ }
    el.textContent = text;
    // (Shown from the first op on: renderViews says so.)
    // (The used height, in the element's own pixels: Present's zoom is not in it.)
    if (!el.hidden) el.style.minHeight = getComputedStyle(el).height;
    clearTimeout(saidTimer);
    saidTimer = setTimeout(() => {
      if (!playing) $('last-op-said').textContent = text;
    }, 200);
  }

  let lastCursorDrawn = -1;
  let cursorMapsTimer = 0;
  function renderCompareCursor() {
    if (lastCursorDrawn === session.position) return;
    lastCursorDrawn = session.position;
    renderCompare();
    // Maps "at the timeline cursor" follow it, once it rests.
    if (compareState?.at === 'cursor' && compareState.mapsStep !== session.position) {
      clearTimeout(cursorMapsTimer);
      cursorMapsTimer = setTimeout(refreshCursorMaps, 150);
    }
  }

  async function refreshCursorMaps() {
    const c = compareState;
    const step = session.position;
    if (!c || c.at !== 'cursor' || c.mapsStep === step) return;
    if (playing || busy || session.busy) { cursorMapsTimer = setTimeout(refreshCursorMaps, 300); return; }
    let m = null;
    try { m = await session.compare({ upTo: step }); } catch { /* the maps stay as they were */ }
    if (!m || compareState !== c || c.version !== contentVersion) return;
    Object.assign(c, { maps: m, mapsStep: step, mapsLabel: `At the timeline cursor: after ${plural(step, 'op')}.` });
    renderCompare();
    schedule();
  }

  function liveIn(blocks, seq) {
    for (let i = 0; i < blocks.length; i++) if (blocks.seq[i] === seq && !blocks.free[i]) return true;
    return false;
  }

  function renderBytes(a, blocks) {
    let r = region;
    let title;
    let note;
    if (!r && target != null) {
      for (let i = 0; i < blocks.length; i++) {
        if (blocks.seq[i] === target && !blocks.free[i]) {
          r = { offset: blocks.offset[i], size: blocks.size[i], seq: target, requested: blocks.requested[i] };
          break;
        }
      }
    }
    if (!r) {
      bytesView.empty('Allocate a block, write into it, free it, allocate again: the bytes stay. Click a free block on the map to see its stale bytes.');
      return;
    }
    const len = Math.min(r.size, BYTES_MAX, snapLimit(r.offset));
    const data = a.read(r.offset, len);
    if (r.freed) {
      title = `ptr[${r.seq}] (freed) · ${num(r.size)} B at ${num(r.offset)}`;
      note = 'Freed, but not erased: the bytes stay until another block is placed here (free never zeroes).';
    } else if (r.why) {
      title = `${r.why} · ${num(r.size)} B at ${num(r.offset)}`;
      note = 'Free memory keeps whatever its last owner wrote: malloc hands these bytes out as they are.';
    } else {
      title = `ptr[${r.seq}] · ${num(r.requested)} of ${num(r.size)} B at ${num(r.offset)}`;
      note = 'malloc never zeroes: a new block shows whatever was there before. calloc zeroes.';
    }
    const header = session.config.header ?? 0;
    if (header && !r.why && !r.freed) note = `The first ${num(header)} bytes are the block’s header (shaded); writes go after it. ${note}`;
    bytesView.render({ offset: r.offset, bytes: data, blocks, title, note, total: r.size, header });
  }

  function snapLimit(offset) {
    return Math.max(0, session.config.size - offset);
  }

  // ----- test and embedding hook -------------------------------------------------------
  globalThis.__playground = {
    get arena() { return session.arena; },
    get session() { return session; },
    api,
    map,
    notices,
    get busy() { return busy || session.busy || !!seeking; },
    /** What idle() waits on (for a test that times out). */
    get waitingOn() { return { busy, sessionBusy: session.busy, seeking: !!seeking, frame, playing, visible: document.visibilityState }; },
    /** Resolves after pending work and the next render. */
    idle: async () => {
      while (busy || session.busy || seeking) await new Promise((r) => setTimeout(r, 10));
      flushEditorSync();
      await new Promise((r) => { idleWaiters.push(r); schedule(); });
    },
    get rendered() { return rendered; },
    /** Play and Pause, as the timeline's button does (for tests of what a quick reader does between renders). */
    play: () => play(),
    pause: () => stop(),
  };

  // ----- state from the URL (on load, and when the hash is changed by hand) ------------
  async function loadFromHash(state) {
    if (!state) return false;
    if (state.predict !== predict.on) setPredict(state.predict, { focus: false });
    // The malloc.py view's -b, -H and draw travel with the link (a shared homework run reads as malloc.py printed it).
    ostepView.setArgs({ base: MALLOC_PY_BASE, header: 0, draw: null, ...state.mallocPy });
    // Settings the page cannot use: the link's ops still wait in the editor
    // (unrun, and the address bar keeps the link) instead of being lost.
    const settingsIgnored = (why) => {
      const keep = session.total > 0;
      // On a fresh page, the settings that could be read still apply (a bad
      // coalesce= must not also lose size=100 and align=1).
      let partly = false;
      const part = state.config ?? {};
      if (!keep && Object.keys(part).length) {
        const config = { ...DEFAULTS, ...part };
        if (part.align == null) config.align = alignDividing(config.size, config.align);
        try { checkConfig(config); session.reset(config); partly = true; } catch { /* the defaults stay */ }
      }
      if (state.ops) {
        editor.setText(state.ops, { format: 'ops', dirty: true });
        urlHeldAt = contentVersion;
      }
      const start = keep ? 'Keeping the current state' : partly ? 'Its other settings apply' : 'Starting from the defaults';
      notices.show(`${partly ? 'A setting of the link was ignored' : 'The link’s settings were ignored'}: ${why}. ${start}.${state.ops ? ' Its ops are in the op editor: Run from start runs them under the settings shown.' : ''}`, { kind: 'warn', key: 'url' });
      return false;
    };
    if (state.error) return settingsIgnored(state.error);
    const config = { ...DEFAULTS, ...state.config };
    // A link that gives a size but no alignment gets the largest default
    // alignment that divides it (`#size=100` is OSTEP's own example).
    if (state.config.align == null) config.align = alignDividing(config.size, config.align);
    try {
      // A workload's recipe: the core generates the ops again, seeded.
      const ops = state.workload ? workload(state.workload) : state.ops;
      const count = await session.load(config, ops, { label: 'Restoring the link' });
      // A trace's ids (the load dropped the last timeline's): ptr[k] is trace id ids[k].
      if (!state.workload && state.ids) traceIds = state.ids;
      if (state.workload) {
        recipe = { opts: state.workload, version: contentVersion };
        wl.set(state.workload);
      }
      if (state.step != null && state.step < count) await session.seek(state.step);
      const stepWhy = state.stepError ?? (state.step > count ? `step ${num(state.step)} is past the link’s ${plural(count, 'op')}` : null);
      await afterLoad(count <= EDITOR_SYNC_MAX ? formatOps(session.tokens()) : null);
      // (afterLoad forgets a draw: this one came with these ops.)
      if (state.mallocPy?.draw) ostepView.setArgs({ ...ostepView.args(), draw: state.mallocPy.draw });
      notices.dismiss('url');
      // (A link the page writes has one or the other: this one was edited.)
      const opsWhy = state.workload && state.ops ? 'it has a workload (wl=) too, whose ops ran' : null;
      const left = [stepWhy && `the link’s step was left out: ${stepWhy}`, opsWhy && `the link’s ops= were left out: ${opsWhy}`, state.compareError && `the link’s comparison was left out: ${state.compareError}`, state.compare && state.chartError && `the chart draws its default: ${state.chartError}`].filter(Boolean);
      if (left.length) {
        const text = left.join('; ');
        notices.show(`${text[0].toUpperCase()}${text.slice(1)}.${stepWhy ? ' The timeline shows the end.' : ''}`, { kind: 'warn', key: 'url' });
      }
      return true;
    } catch (e) {
      // load() validates before it changes anything: the state is unchanged.
      if (e?.code === 'bad-script') {
        // The settings may be fine: a new page starts from them, and the
        // link's ops wait in the editor, marked, to be fixed and run.
        const fresh = !session.total;
        let configured = false;
        if (fresh) {
          try { session.reset(config); configured = true; } catch { /* the defaults stay */ }
        }
        editor.setText(state.ops, { format: 'ops', dirty: true, validate: false });
        editor.showError(e);
        urlHeldAt = contentVersion;
        const why = e?.reason ?? errText(e);
        notices.show(`The link’s ops were not run (${why}). They are in the op editor to fix and run; ${fresh ? (configured ? 'the link’s settings apply' : 'starting from the defaults') : 'the current state is kept'}.`, { kind: 'warn', key: 'url' });
        return false;
      }
      if (e?.code === 'bad-config') return settingsIgnored(e.detail?.reason ?? errText(e));
      notices.show(`The link’s state was ignored: ${errText(e)}. ${session.total ? 'Keeping the current state' : 'Starting from the defaults'}.`, { kind: 'warn', key: 'url' });
      return false;
    }
  }
  window.addEventListener('hashchange', () => {
    if (location.hash === lastHash) return;
    const state = decodeState(location.hash);
    if (!state) return;
    // A link edited by hand replaces the timeline, as a workload or a reset
    // does: not without asking (a bad link keeps it and says why, below).
    if (!state.error && session.total && !confirmDiscard('Opening the link')) {
      history.replaceState(null, '', lastHash || location.pathname + location.search);
      return;
    }
    run(async () => {
      lastHash = location.hash;
      return loadFromHash(state);
    }).then((ok) => { if (ok && state.compare) compareFromLink(state); });
  });

  lastHash = location.hash;
  // The comparison a link carries runs once its timeline is there.
  if (await loadFromHash(urlState) && urlState.compare) compareFromLink(urlState);
  if (!urlState || (urlState.error && !urlState.ops)) syncEditor(false);
  document.documentElement.classList.add('is-ready');
  schedule();
}

start().catch((e) => {
  // The cards stay hidden until drawn: show what there is, with why.
  document.documentElement.classList.add('is-drawn');
  const box = document.getElementById('notices');
  box?.append(h('div', { class: 'notice notice-error', role: 'alert' }, h('p', { class: 'notice-msg', text: `The playground could not start: ${errText(e)}` })));
  throw e;
});
