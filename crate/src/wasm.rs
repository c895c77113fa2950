//! The wasm-bindgen binding: a thin layer over [`Session`] with no allocator
//! logic of its own. Arguments from JS are checked here (integers in range,
//! or `bad-argument`), and [`js_error`] is the one place that turns core
//! errors into JS `Error`s with a stable `code`.
//!
//! wasm-bindgen reserves `free()` on a class for its destructor, so the class
//! exposes `release()`; `www/arena.js` wraps it as `free()`.

use js_sys::{Error, Object, Reflect, Uint32Array, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::explain::{self, Explainer};
use crate::script::{self, Script, ScriptError};
use crate::session::{self, Session};
use crate::transcript::MAX_TRANSCRIPT_OPS;
use crate::workload::{self, Shape, WorkloadConfig};
use crate::{headroom, rep, AllocError, HeapConfig, ListOrder, Mode, MAX_ARENA};

type JsResult<T> = Result<T, JsValue>;

/// The largest integer the binding accepts for a size or offset (the arena limit).
const MAX_ARG: f64 = MAX_ARENA as f64;

fn coded(code: &str, message: &str) -> Error {
    let e = Error::new(message);
    let _ = Reflect::set(&e, &"code".into(), &code.into());
    e
}

/// Core error → JS `Error` with `code` (and the error's fields).
fn js_error(e: AllocError) -> JsValue {
    let err = coded(e.code(), &e.to_string());
    if let Ok(detail) = to_js(&e) {
        let _ = Reflect::set(&err, &"detail".into(), &detail);
    }
    err.into()
}

/// Op-list or trace text, which `www/arena.js` passes as UTF-8 bytes
/// (`TextEncoder`): for long ASCII text that is several times faster than
/// wasm-bindgen's own string passing, which copies it a char at a time in JS.
fn utf8(bytes: &[u8]) -> JsResult<&str> {
    std::str::from_utf8(bytes)
        .map_err(|e| coded("bad-argument", &format!("the text is not UTF-8: {e}")).into())
}

/// Parses an op list, once the host's memory is known to hold its parse
/// (`host-memory` otherwise: see [`headroom`](crate::headroom)).
fn parse_script(text: &str) -> JsResult<Script> {
    headroom::ensure(script::parse_room(text)).map_err(js_error)?;
    script::parse(text).map_err(script_error)
}

/// Script error → JS `Error` with code `bad-script`, `line`, `column` and
/// `reason` (the message without the place).
fn script_error(e: ScriptError) -> JsValue {
    let err = coded("bad-script", &e.to_string());
    let _ = Reflect::set(&err, &"reason".into(), &e.message.as_str().into());
    let _ = Reflect::set(&err, &"line".into(), &(e.line as f64).into());
    let _ = Reflect::set(&err, &"column".into(), &(e.column as f64).into());
    err.into()
}

// The JS functions the binding calls on values it is handed. Each may run
// the caller's code (a `toString`, a getter, a proxy's trap) and so throw:
// `catch` makes that an `Err` here rather than an exception unwinding through
// wasm, which would leave the arena borrowed for good.
#[wasm_bindgen]
extern "C" {
    /// JS's global `String(v)`.
    #[wasm_bindgen(catch, js_name = String)]
    fn js_string(v: &JsValue) -> Result<String, JsValue>;
    /// `Object.keys(o)`.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(o: &JsValue) -> Result<js_sys::Array, JsValue>;
}

/// At most this many strategies in one comparison (each one is an arena of
/// its own; the five modes, each twice, fit).
const MAX_COMPARED: usize = 10;

/// At most this many slab classes are read from JS: a guard against a
/// sparse array's length, above the core's own limit
/// ([`MAX_CLASSES`](crate::slab::MAX_CLASSES)), which words the usual error.
const CLASSES_READ: usize = 1024;

/// At most this many characters of a value go into a message.
const SHOWN_MAX: usize = 60;

/// `s` cut to [`SHOWN_MAX`] characters, with "…" when cut.
fn clip(s: &str) -> String {
    match s.char_indices().nth(SHOWN_MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// How a JS value reads in an error message: JS's own `String(v)` (cut
/// short), quoted for strings, marked for a BigInt or an array (whose
/// `String` reads as a plain number), by its type when it has no string form.
fn shown(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        return format!("the string \"{}\"", clip(&s));
    }
    if js_sys::Array::is_array(v) {
        return "an array".to_string();
    }
    match js_string(v) {
        Ok(s) if v.is_bigint() => format!("the BigInt {}n", clip(&s)),
        Ok(s) => clip(&s),
        Err(_) => format!(
            "a value of type {} with no string form",
            v.js_typeof().as_string().unwrap_or_default()
        ),
    }
}

/// The elements of the JS array `arr`, each read as `Reflect.get` reads it
/// (a throwing getter or proxy is a `bad-argument` naming `what`), and
/// at most `max` of them: a longer array (a sparse one may claim 2^32 - 1)
/// is a `bad-argument` before anything is read or reserved.
fn elements(arr: &JsValue, what: &str, max: usize) -> JsResult<Vec<JsValue>> {
    let bad = || JsValue::from(coded("bad-argument", &format!("{what} could not be read")));
    let len = Reflect::get(arr, &"length".into())
        .map_err(|_| bad())?
        .as_f64()
        .ok_or_else(bad)?;
    if len > max as f64 {
        return Err(too_many(what, max, len));
    }
    (0..len as u32)
        .map(|i| Reflect::get_u32(arr, i).map_err(|_| bad()))
        .collect()
}

/// `what` has `len` elements, more than `max`. (`len` is printed as an
/// integer: formatting an `f64` would pull float formatting into the wasm,
/// some 9 KB gzipped.)
fn too_many(what: &str, max: usize, len: f64) -> JsValue {
    let len = len as u64;
    coded(
        "bad-argument",
        &format!("{what} takes at most {max} elements, got {len}"),
    )
    .into()
}

fn bad_argument(what: &str, min: usize, v: &JsValue) -> JsValue {
    coded(
        "bad-argument",
        &format!(
            "{what} must be an integer from {min} to {MAX_ARENA}, got {}",
            shown(v)
        ),
    )
    .into()
}

/// A JS number that is an integer in `0 ..= 2^30`; anything else is `bad-argument`.
fn uint(v: &JsValue, what: &str) -> JsResult<usize> {
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=MAX_ARG).contains(&n) => Ok(n as usize),
        _ => Err(bad_argument(what, 0, v)),
    }
}

/// A request size: as [`uint`], but the message gives the useful range (a 0
/// goes on to the core, which refuses it as `zero-size`).
fn size_arg(v: &JsValue) -> JsResult<usize> {
    uint(v, "size").map_err(|_| bad_argument("size", 1, v))
}

/// `maxOps` of a transcript: an integer from 0 to [`MAX_TRANSCRIPT_OPS`].
fn transcript_ops(v: &JsValue) -> JsResult<usize> {
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=MAX_TRANSCRIPT_OPS as f64).contains(&n) => {
            Ok(n as usize)
        }
        _ => Err(coded(
            "bad-argument",
            &format!(
                "maxOps must be an integer from 0 to {MAX_TRANSCRIPT_OPS}, got {}",
                shown(v)
            ),
        )
        .into()),
    }
}

/// An arena size: any integer a `usize` holds goes on to the core, which
/// words the range error; a larger one gets the same `bad-config` (as 0 and
/// 2^31 do, so does 2^32 on wasm32); anything else (a negative number too)
/// is `bad-argument`.
fn arena_size_arg(v: &JsValue) -> JsResult<usize> {
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=usize::MAX as f64).contains(&n) => Ok(n as usize),
        Some(n) if n.fract() == 0.0 && n > 0.0 => Err(js_error(
            crate::free_list::arena_size_out_of_range(shown(v)),
        )),
        _ => Err(bad_argument("size", 1, v)),
    }
}

/// A sampling interval (`every`): an integer from 1 (0 would sample nothing
/// new: once taken as 1, now refused as the bad input it is).
fn every_arg(v: &JsValue) -> JsResult<usize> {
    match uint(v, "every") {
        Ok(0) | Err(_) => Err(bad_argument("every", 1, v)),
        Ok(n) => Ok(n),
    }
}

/// An alignment: as [`uint`], but the message gives the useful range (a 0
/// goes on to the core, which refuses it as it refuses 3).
fn align_arg(v: &JsValue) -> JsResult<usize> {
    uint(v, "align").map_err(|_| bad_argument("align", 1, v))
}

/// A `Uint8Array`, or an array whose every element is an integer 0..=255.
///
/// At most [`MAX_WRITE`](script::MAX_WRITE) of them (what one write takes):
/// more is a `bad-argument` before anything is copied into wasm memory.
fn byte_array(v: &JsValue) -> JsResult<Vec<u8>> {
    if let Some(u8s) = v.dyn_ref::<Uint8Array>() {
        if u8s.length() as usize > script::MAX_WRITE {
            return Err(too_many("bytes", script::MAX_WRITE, u8s.length().into()));
        }
        return Ok(u8s.to_vec());
    }
    let bad = || {
        JsValue::from(coded(
            "bad-argument",
            "bytes must be a Uint8Array or an array of integers from 0 to 255",
        ))
    };
    if !js_sys::Array::is_array(v) {
        return Err(bad());
    }
    elements(v, "bytes", script::MAX_WRITE)?
        .into_iter()
        .map(|x| match x.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..=255.0).contains(&n) => Ok(n as u8),
            _ => Err(bad()),
        })
        .collect()
}

fn to_js<T: Serialize + ?Sized>(v: &T) -> JsResult<JsValue> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&ser)
        .map_err(|e| coded("bad-argument", &e.to_string()).into())
}

/// Options: `undefined`, or an object whose every key is one of `known`
/// (a misspelt option is refused, not taken as its default).
fn options(opts: &JsValue, known: &[&str], what: &str) -> JsResult<()> {
    if opts.is_undefined() {
        return Ok(());
    }
    let Some(obj) = opts.dyn_ref::<Object>() else {
        return Err(coded("bad-argument", &format!("{what} options must be an object")).into());
    };
    let keys = object_keys(obj).map_err(|_| {
        JsValue::from(coded(
            "bad-argument",
            &format!("{what} options could not be read"),
        ))
    })?;
    for key in keys.iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(coded(
                "bad-argument",
                &format!(
                    "unknown {what} option \"{key}\" (the options are {})",
                    known.join(", ")
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// How `malloc.py` drew a run (`draw` of `parseMallocPy`'s result):
/// `undefined` or `null` for none, else `{ seed, numOps, range,
/// percentAlloc }` as [`crate::transcript::Draw::check`] takes them.
fn draw_arg(v: &JsValue) -> JsResult<Option<crate::transcript::Draw>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    options(v, &["seed", "numOps", "range", "percentAlloc"], "draw")?;
    let bad = |m: String| JsValue::from(coded("bad-argument", &format!("draw: {m}")));
    // Whole numbers within ±2^53 (checked against their ranges by `check`).
    let int = |key: &str| -> JsResult<i64> {
        let x = field(v, key)?;
        match x.as_f64() {
            Some(n) if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0 => Ok(n as i64),
            _ => Err(bad(format!(
                "{key} must be a whole number, got {}",
                shown(&x)
            ))),
        }
    };
    let count = |key: &str| -> JsResult<usize> {
        usize::try_from(int(key)?).map_err(|_| bad(format!("{key} must not be negative")))
    };
    let d = crate::transcript::Draw {
        seed: int("seed")?,
        num_ops: count("numOps")?,
        range: count("range")?,
        percent_alloc: count("percentAlloc")?,
    };
    d.check().map_err(bad)?;
    Ok(Some(d))
}

/// Option `key` of `obj` (`undefined` when `obj` is no object); a getter
/// that throws is a `bad-argument`.
fn field(obj: &JsValue, key: &str) -> JsResult<JsValue> {
    if !obj.is_object() {
        return Ok(JsValue::UNDEFINED);
    }
    Reflect::get(obj, &key.into()).map_err(|_| {
        JsValue::from(coded(
            "bad-argument",
            &format!("option {key} could not be read"),
        ))
    })
}

fn mode_arg(v: &JsValue) -> JsResult<Mode> {
    let s = v.as_string().ok_or_else(|| bad_strategy(v))?;
    s.parse::<Mode>().map_err(js_error)
}

fn bad_strategy(v: &JsValue) -> JsValue {
    coded(
        "bad-argument",
        &format!(
            "strategy must be first-fit, next-fit, best-fit, worst-fit or slab, got {}",
            shown(v)
        ),
    )
    .into()
}

fn bool_arg(v: &JsValue, what: &str) -> JsResult<bool> {
    v.as_bool()
        .ok_or_else(|| coded("bad-argument", &format!("{what} must be true or false")).into())
}

/// Reads `{ size, strategy, align, coalesce, classes, slabSize, order,
/// header, sbrk }`; absent keys take defaults.
fn config_arg(opts: &JsValue) -> JsResult<HeapConfig> {
    options(
        opts,
        &[
            "size", "strategy", "align", "coalesce", "slabSize", "classes", "order", "header",
            "sbrk",
        ],
        "arena",
    )?;
    let mut c = HeapConfig::default();
    let get = |k: &str| field(opts, k);
    if !get("size")?.is_undefined() {
        c.arena_size = arena_size_arg(&get("size")?)?;
    }
    if !get("strategy")?.is_undefined() {
        c.mode = mode_arg(&get("strategy")?)?;
    }
    if !get("align")?.is_undefined() {
        c.align = align_arg(&get("align")?)?;
    }
    if !get("coalesce")?.is_undefined() {
        c.coalesce = bool_arg(&get("coalesce")?, "coalesce")?;
    }
    if !get("header")?.is_undefined() {
        c.header = uint(&get("header")?, "header")?;
    }
    if !get("sbrk")?.is_undefined() {
        c.sbrk = bool_arg(&get("sbrk")?, "sbrk")?;
    }
    if !get("order")?.is_undefined() {
        let o = get("order")?;
        let name = o.as_string().ok_or_else(|| {
            JsValue::from(coded(
                "bad-argument",
                &format!(
                    "order must be address, size-ascending, size-descending, insert-front or insert-back, got {}",
                    shown(&o)
                ),
            ))
        })?;
        c.order = name.parse::<ListOrder>().map_err(js_error)?;
    }
    let slab_size = get("slabSize")?;
    let classes = get("classes")?;
    if classes.is_undefined() {
        // Default classes follow the alignment (align 32: 32/64/128), in
        // slabs that hold them unless a slab size is given: that one is
        // kept, for the core to refuse if it does not suit (never changed
        // behind the caller's back, as `slabSize: 0` once became 64).
        let (classes, slab) = crate::slab::fit_to_align(&c.classes, c.slab_size, c.align);
        (c.classes, c.slab_size) = (classes, slab);
    } else {
        c.classes = classes_arg(&classes)?;
    }
    if !slab_size.is_undefined() {
        c.slab_size = uint(&slab_size, "slabSize")?;
    }
    Ok(c)
}

/// Slab classes from JS: an array of integers.
fn classes_arg(classes: &JsValue) -> JsResult<Vec<usize>> {
    if !js_sys::Array::is_array(classes) {
        return Err(coded("bad-argument", "classes must be an array").into());
    }
    elements(classes, "classes", CLASSES_READ)?
        .iter()
        .map(|v| uint(v, "a size class"))
        .collect()
}

/// The largest power of two that divides `size` and is at most `align`
/// (see [`align_dividing`](crate::free_list::align_dividing)): the alignment
/// the page gives an arena size that `align` does not divide.
#[wasm_bindgen(js_name = alignDividing)]
pub fn align_dividing(size: JsValue, align: JsValue) -> JsResult<f64> {
    let size = uint(&size, "size")?;
    let align = align_arg(&align)?;
    Ok(crate::free_list::align_dividing(size, align) as f64)
}

/// `{ classes, slabSize }` that suit `align`: the same ones when they do,
/// else each class rounded up to a multiple of it (see
/// [`fit_to_align`](crate::slab::fit_to_align)). What the page and the
/// widget do to slab classes when the alignment changes. An `align` that is
/// not a power of two is `bad-align`.
#[wasm_bindgen(js_name = slabForAlign)]
pub fn slab_for_align(classes: JsValue, slab_size: JsValue, align: JsValue) -> JsResult<JsValue> {
    let classes = classes_arg(&classes)?;
    let slab_size = uint(&slab_size, "slabSize")?;
    let align = align_arg(&align)?;
    if !align.is_power_of_two() {
        return Err(js_error(AllocError::BadAlign { align }));
    }
    let (classes, slab_size) = crate::slab::fit_to_align(&classes, slab_size, align);
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Fit {
        classes: Vec<usize>,
        slab_size: usize,
    }
    to_js(&Fit { classes, slab_size })
}

/// One arena: a [`Session`] (heap, pointer table, op log) in wasm linear memory.
#[wasm_bindgen]
pub struct Arena {
    session: Session,
    /// `lastOp()`'s state before the last op, kept between calls.
    explainer: Explainer,
}

impl Arena {
    /// Room for one more op (`switch`: a change of strategy), or `host-memory`.
    fn room(&self, switch: bool) -> JsResult<()> {
        self.session.ensure_room(1, switch, 0).map_err(js_error)
    }

    /// Room for a list of the blocks, or `host-memory`.
    fn read_room(&self) -> JsResult<()> {
        self.session.ensure_read_room().map_err(js_error)
    }
}

#[wasm_bindgen]
impl Arena {
    /// `new Arena({ size, strategy, align, coalesce, classes, slabSize, order,
    /// header, sbrk })`.
    #[wasm_bindgen(constructor)]
    pub fn new(opts: JsValue) -> JsResult<Arena> {
        let config = config_arg(&opts)?;
        Session::new(config)
            .map(|session| Arena {
                session,
                explainer: Explainer::default(),
            })
            .map_err(js_error)
    }

    /// Allocates `size` bytes in the current mode; returns the offset.
    pub fn alloc(&mut self, size: JsValue) -> JsResult<f64> {
        let size = size_arg(&size)?;
        self.room(false)?;
        self.session.alloc(size).map(|o| o as f64).map_err(js_error)
    }

    /// Allocates `size` bytes at a multiple of `align`.
    #[wasm_bindgen(js_name = allocAligned)]
    pub fn alloc_aligned(&mut self, size: JsValue, align: JsValue) -> JsResult<f64> {
        let size = size_arg(&size)?;
        let align = align_arg(&align)?;
        self.room(false)?;
        self.session
            .alloc_aligned(size, align)
            .map(|o| o as f64)
            .map_err(js_error)
    }

    /// Allocates `size` zeroed bytes.
    pub fn calloc(&mut self, size: JsValue) -> JsResult<f64> {
        let size = size_arg(&size)?;
        self.room(false)?;
        self.session
            .calloc(size)
            .map(|o| o as f64)
            .map_err(js_error)
    }

    /// Frees the block at `offset` (exposed as `free` by `arena.js`).
    pub fn release(&mut self, offset: JsValue) -> JsResult<()> {
        let offset = uint(&offset, "offset")?;
        self.room(false)?;
        self.session.free(offset).map_err(js_error)
    }

    /// Resizes the block at `offset`; returns its (maybe new) offset.
    pub fn realloc(&mut self, offset: JsValue, size: JsValue) -> JsResult<f64> {
        let offset = uint(&offset, "offset")?;
        let size = size_arg(&size)?;
        self.room(false)?;
        self.session
            .realloc(offset, size)
            .map(|o| o as f64)
            .map_err(js_error)
    }

    /// Writes `bytes` into the live block at `offset`, `at` bytes in.
    /// `bytes` is a `Uint8Array` or an array of integers 0..=255; anything
    /// else is `bad-argument` (never coerced).
    pub fn write(&mut self, offset: JsValue, bytes: JsValue, at: JsValue) -> JsResult<()> {
        let offset = uint(&offset, "offset")?;
        let bytes = byte_array(&bytes)?;
        let at = if at.is_undefined() {
            0
        } else {
            uint(&at, "at")?
        };
        // The op log keeps the bytes.
        self.session
            .ensure_room(1, false, bytes.len())
            .map_err(js_error)?;
        self.session.write(offset, at, &bytes).map_err(js_error)
    }

    /// `len` bytes of the arena from `offset` (free or used: stale bytes show).
    pub fn read(&self, offset: JsValue, len: JsValue) -> JsResult<Uint8Array> {
        let offset = uint(&offset, "offset")?;
        let len = uint(&len, "len")?;
        self.session
            .heap()
            .read(offset, len)
            .map(Uint8Array::from)
            .map_err(js_error)
    }

    /// The whole state as a plain, JSON-compatible object.
    pub fn snapshot(&self) -> JsResult<JsValue> {
        self.read_room()?;
        to_js(&self.session.snapshot())
    }

    /// The statistics alone (cheaper than a snapshot).
    pub fn stats(&self) -> JsResult<JsValue> {
        to_js(&self.session.heap().stats())
    }

    /// The block list packed as a `Uint32Array`, 6 words per block: offset,
    /// size, requested, seq (`0xFFFFFFFF` when free), flags (bit 0 free,
    /// bit 1 padding, bit 2 slab chunk), class size (0 for ordinary blocks).
    #[wasm_bindgen(js_name = blocksPacked)]
    pub fn blocks_packed(&self) -> JsResult<Uint32Array> {
        self.read_room()?;
        let blocks = self.session.heap().blocks();
        let mut v = Vec::with_capacity(blocks.len() * 6);
        for b in blocks {
            let flags =
                (b.free as u32) | ((b.padding as u32) << 1) | ((b.class.is_some() as u32) << 2);
            v.extend_from_slice(&[
                b.offset as u32,
                b.size as u32,
                b.requested as u32,
                b.seq
                    .map_or(u32::MAX, |s| s.min(u32::MAX as u64 - 1) as u32),
                flags,
                b.class.unwrap_or(0) as u32,
            ]);
        }
        Ok(Uint32Array::from(&v[..]))
    }

    /// The free list's order: `'address'`, `'size-ascending'`,
    /// `'size-descending'`, `'insert-front'` or `'insert-back'`.
    #[wasm_bindgen(getter)]
    pub fn order(&self) -> String {
        self.session
            .heap()
            .free_list_allocator()
            .list_order()
            .name()
            .to_string()
    }

    /// Whether the heap grows with `sbrk` (its end is the high-water mark)
    /// rather than being the whole arena.
    #[wasm_bindgen(getter)]
    pub fn sbrk(&self) -> bool {
        self.session.heap().free_list_allocator().sbrk()
    }

    /// The free blocks' offsets in the free list's order (by address unless
    /// the arena's `order` says otherwise): what the fit searches walk.
    #[wasm_bindgen(js_name = freeListOffsets)]
    pub fn free_list_offsets(&self) -> JsResult<Uint32Array> {
        self.read_room()?;
        let list = self.session.heap().free_list_allocator().free_list();
        let v: Vec<u32> = list.iter().map(|&(off, _)| off as u32).collect();
        Ok(Uint32Array::from(&v[..]))
    }

    /// The current mode: `'first-fit'`, `'next-fit'`, `'best-fit'`, `'worst-fit'` or `'slab'`.
    #[wasm_bindgen(getter)]
    pub fn strategy(&self) -> String {
        self.session.heap().mode().name().to_string()
    }

    /// Switches the mode; every block stays.
    #[wasm_bindgen(setter)]
    pub fn set_strategy(&mut self, s: JsValue) -> JsResult<()> {
        let mode = mode_arg(&s).map_err(|_| bad_strategy(&s))?;
        self.room(true)?;
        self.session.set_mode(mode);
        Ok(())
    }

    /// Whether free merges neighbours.
    #[wasm_bindgen(getter)]
    pub fn coalesce(&self) -> bool {
        self.session.heap().config().coalesce
    }

    /// Turns coalescing on (merging now) or off.
    #[wasm_bindgen(setter)]
    pub fn set_coalesce(&mut self, on: JsValue) -> JsResult<()> {
        let on = bool_arg(&on, "coalesce")?;
        self.room(false)?;
        self.session.set_coalesce(on);
        Ok(())
    }

    /// Merges all adjacent free blocks; returns the merges made.
    #[wasm_bindgen(js_name = mergeAll)]
    pub fn merge_all(&mut self) -> JsResult<f64> {
        self.room(false)?;
        Ok(self.session.merge_all() as f64)
    }

    /// Validates and runs an op list (OSTEP syntax); returns the report.
    /// A bad script throws `bad-script` (with `line`) and changes nothing.
    pub fn replay(&mut self, text: &[u8]) -> JsResult<JsValue> {
        let text = utf8(text)?;
        self.session
            .ensure_room_for_text(text, None)
            .map_err(js_error)?;
        let report = self.session.replay_text(text).map_err(script_error)?;
        to_js(&report)
    }

    /// Like `replay`, but runs ops only while `ms` milliseconds have not
    /// passed (it looks at the clock every 16 ops, and runs at least one):
    /// a long replay's piece takes about that long whatever an op costs.
    /// The report's `ops` says how many ran; the rest did not.
    #[wasm_bindgen(js_name = replayFor)]
    pub fn replay_for(&mut self, text: &[u8], ms: JsValue) -> JsResult<JsValue> {
        let ms = uint(&ms, "ms")? as f64;
        let text = utf8(text)?;
        self.session
            .ensure_room_for_text(text, None)
            .map_err(js_error)?;
        let script = script::parse(text).map_err(script_error)?;
        let deadline = js_sys::Date::now() + ms;
        let report = self
            .session
            .replay_until(&script, || js_sys::Date::now() >= deadline)
            .map_err(script_error)?;
        to_js(&report)
    }

    /// Like `replay`, sampling the statistics before the first op, every
    /// `every` ops and after the last (as `compare` samples):
    /// `{ report, samples: [...], peaks }` (`peaks`: the highest external
    /// fragmentation and the most free blocks after any op, with their steps).
    #[wasm_bindgen(js_name = replaySampled)]
    pub fn replay_sampled(&mut self, text: &[u8], every: JsValue) -> JsResult<JsValue> {
        let every = every_arg(&every)?;
        let text = utf8(text)?;
        self.session
            .ensure_room_for_text(text, Some(every))
            .map_err(js_error)?;
        let (report, samples, peaks) = self
            .session
            .replay_text_sampled(text, every)
            .map_err(script_error)?;
        #[derive(Serialize)]
        struct Out {
            report: crate::ReplayReport,
            samples: Vec<session::Sample>,
            peaks: session::Peaks,
        }
        to_js(&Out {
            report,
            samples,
            peaks,
        })
    }

    /// The op log as text (comma-separated).
    pub fn log(&self) -> JsResult<String> {
        script::try_format(self.session.log()).map_err(js_error)
    }

    /// Ops `from .. to` of the log in the op-list syntax: a window of a long
    /// log without formatting all of it. `from` and `to` are integers from 0
    /// to 2^30 (else `bad-argument`); the range is clamped to the log.
    #[wasm_bindgen(js_name = logSlice)]
    pub fn log_slice(&self, from: JsValue, to: JsValue) -> JsResult<String> {
        let log = self.session.log();
        let to = uint(&to, "to")?.min(log.len());
        let from = uint(&from, "from")?.min(to);
        script::try_format(&log[from..to]).map_err(js_error)
    }

    /// Positions in the log, from `from` up to `to` (clamped as in
    /// `logSlice`), of the ops that failed: a malloc, calloc or realloc that
    /// returned NULL, a write outside its block or through a NULL pointer, a
    /// free of a pointer already freed.
    #[wasm_bindgen(js_name = failedOps)]
    pub fn failed_ops(&self, from: JsValue, to: JsValue) -> JsResult<Uint32Array> {
        let failed = self.session.failed_ops();
        let to = uint(&to, "to")?.min(self.session.log().len());
        let from = uint(&from, "from")?.min(to);
        let a = failed.partition_point(|&i| (i as usize) < from);
        let b = failed.partition_point(|&i| (i as usize) < to);
        Ok(Uint32Array::from(&failed[a..b]))
    }

    /// The step (from 1) of the last logged allocation request (malloc,
    /// aligned malloc, calloc or realloc: the op `stats().lastSearched`
    /// counts the search of), 0 when none is logged.
    #[wasm_bindgen(getter, js_name = lastRequestStep)]
    pub fn last_request_step(&self) -> f64 {
        self.session.last_request().unwrap_or(0) as f64
    }

    /// Number of logged ops that failed (see `failedOps`).
    #[wasm_bindgen(getter, js_name = failedCount)]
    pub fn failed_count(&self) -> f64 {
        self.session.failed_ops().len() as f64
    }

    /// The first `maxOps` logged ops as OSTEP's `malloc.py -H header -c`
    /// prints a run (what each request returned, blocks searched, the free
    /// list), with addresses from `base`; a heap with a header of its own is
    /// written with it (`header` is then not used). `base` and `header` are integers
    /// from 0 to 2^30, `maxOps` from 0 to `maxTranscriptOps()`, else
    /// `bad-argument`; `host-memory` when wasm memory cannot hold the second
    /// arena the ops are replayed in. `draw` (`parseMallocPy`'s, or null):
    /// when the whole log is that draw, the text is what `malloc.py`'s
    /// random mode prints.
    pub fn transcript(
        &self,
        base: JsValue,
        max_ops: JsValue,
        header: JsValue,
        draw: JsValue,
    ) -> JsResult<String> {
        let base = uint(&base, "base")?;
        let max_ops = transcript_ops(&max_ops)?;
        let header = uint(&header, "header")?;
        let draw = draw_arg(&draw)?;
        crate::transcript::transcript(&self.session, base, header, max_ops, draw.as_ref())
            .map_err(js_error)
    }

    /// What the last logged op did: `{ step, op, call, mode, coalesce, order,
    /// sbrk, heapEnd, grew, room, failed, ptr, block, hole, merged, otherMerges, before, searched,
    /// freeBlocks, largestFree, freeBytes, needed, class }` (see
    /// [`LastOp`](crate::explain::LastOp); blocks as `{ offset, size }` or
    /// null), or null before the first op and past the longest log it explains.
    #[wasm_bindgen(js_name = lastOp)]
    pub fn last_op(&mut self) -> JsResult<JsValue> {
        let last = self.explainer.last_op(&self.session).map_err(js_error)?;
        to_js(&last)
    }

    /// The ops the next `lastOp()` would replay to find the state before the
    /// last op: those run since the last `lastOp()` (it keeps that state),
    /// or the whole log the first time; 0 when it would return null.
    #[wasm_bindgen(getter, js_name = lastOpReplays)]
    pub fn last_op_replays(&self) -> f64 {
        self.explainer.pending(&self.session) as f64
    }

    /// The `malloc.py` command that prints what `transcript(base, maxOps,
    /// header, draw)` prints: `{ command, drawn }`, or `{ why, differs,
    /// drawn }` when there is none (see
    /// [`NoCommand`](crate::transcript::NoCommand); `differs`: `malloc.py`
    /// runs these ops, but not as they ran here). `drawn`: the transcript is
    /// written as `malloc.py`'s random mode prints `draw`.
    #[wasm_bindgen(js_name = mallocPyCommand)]
    pub fn malloc_py_command(
        &self,
        base: JsValue,
        max_ops: JsValue,
        header: JsValue,
        draw: JsValue,
    ) -> JsResult<JsValue> {
        let base = uint(&base, "base")?;
        let max_ops = transcript_ops(&max_ops)?;
        let header = uint(&header, "header")?;
        let draw = draw_arg(&draw)?;
        let command =
            crate::transcript::command_checked(&self.session, base, header, max_ops, draw.as_ref())
                .map_err(js_error)?;
        let drawn = draw
            .as_ref()
            .is_some_and(|d| crate::transcript::writes_draw(&self.session, header, d));
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out {
            #[serde(skip_serializing_if = "Option::is_none")]
            command: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            why: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            differs: Option<bool>,
            #[serde(skip_serializing_if = "Option::is_none")]
            cut: Option<bool>,
            drawn: bool,
        }
        let out = match command {
            Ok(c) => Out {
                command: Some(c),
                why: None,
                differs: None,
                cut: None,
                drawn,
            },
            Err(no) => Out {
                command: None,
                why: Some(no.why),
                differs: Some(no.differs),
                cut: Some(no.cut),
                drawn,
            },
        };
        to_js(&out)
    }

    /// The ptr number the next allocation request gets (requests so far).
    #[wasm_bindgen(getter, js_name = nextPtr)]
    pub fn next_ptr(&self) -> f64 {
        self.session.ptrs().len() as f64
    }

    /// Number of ops in the log.
    #[wasm_bindgen(getter, js_name = logLength)]
    pub fn log_length(&self) -> f64 {
        self.session.log().len() as f64
    }

    /// A new arena in the state after the first `n` logged ops (undo,
    /// scrubbing), which keeps the state before its last op, so that its
    /// first `lastOp()` replays nothing. (This arena's `lastOp()` state goes
    /// first: the caller usually disposes of it next, and this arena, the
    /// new one and the new one's state are three already.)
    pub fn rebuild(&mut self, n: JsValue) -> JsResult<Arena> {
        let n = uint(&n, "n")?;
        self.explainer.forget();
        let (session, explainer) =
            explain::rebuild_explained(&self.session, n).map_err(js_error)?;
        Ok(Arena { session, explainer })
    }

    /// Keeps the state as it is now for the next `lastOp()`, which then
    /// replays nothing (after a rewind done by replaying from the start);
    /// false when it is not kept (see `Explainer::keep`).
    #[wasm_bindgen(js_name = keepForLastOp)]
    pub fn keep_for_last_op(&mut self) -> bool {
        self.explainer.keep(&self.session)
    }

    /// Lets the state kept for `lastOp()` go (its arena-sized memory with
    /// it): before this arena is replaced by one rebuilt from the start.
    #[wasm_bindgen(js_name = forgetLastOp)]
    pub fn forget_last_op(&mut self) {
        self.explainer.forget();
    }

    /// The options the arena started from, in `createArena`'s shape:
    /// `{ size, strategy, align, coalesce, classes, slabSize, order, header,
    /// sbrk }`.
    #[wasm_bindgen(js_name = initialConfig)]
    pub fn initial_config(&self) -> JsResult<JsValue> {
        let c = self.session.initial_config();
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Opts<'a> {
            size: usize,
            strategy: Mode,
            align: usize,
            coalesce: bool,
            classes: &'a [usize],
            slab_size: usize,
            order: ListOrder,
            header: usize,
            sbrk: bool,
        }
        to_js(&Opts {
            size: c.arena_size,
            strategy: c.mode,
            align: c.align,
            coalesce: c.coalesce,
            classes: &c.classes,
            slab_size: c.slab_size,
            order: c.order,
            header: c.header,
            sbrk: c.sbrk,
        })
    }

    /// Checks an op list against this arena without running it: `{ count }`,
    /// or throws `bad-script` naming the line (syntax, a `ptr` that does not
    /// exist yet, or a realloc or write of a freed one; a second free runs and
    /// fails).
    pub fn validate(&self, text: &[u8]) -> JsResult<JsValue> {
        let script = parse_script(utf8(text)?)?;
        self.session.validate(&script).map_err(script_error)?;
        let out = Object::new();
        let _ = Reflect::set(&out, &"count".into(), &(script.ops.len() as f64).into());
        Ok(out.into())
    }

    /// The `ptr` index of the live block at `offset`, or -1.
    #[wasm_bindgen(js_name = ptrAt)]
    pub fn ptr_at(&self, offset: JsValue) -> JsResult<f64> {
        let offset = uint(&offset, "offset")?;
        Ok(self.session.ptr_at(offset).map_or(-1.0, |k| k as f64))
    }

    /// The fraction of free bytes that cannot serve a request of `size`.
    #[wasm_bindgen(js_name = unusableFree)]
    pub fn unusable_free(&self, size: JsValue) -> JsResult<f64> {
        let size = size_arg(&size)?;
        // (It lists the free blocks.)
        self.read_room()?;
        Ok(self.session.heap().unusable_free(size))
    }

    /// Checks every core invariant; throws with the first broken one.
    #[wasm_bindgen(js_name = checkInvariants)]
    pub fn check_invariants(&self) -> JsResult<()> {
        // The checks list the free blocks, a few words each.
        self.read_room()?;
        self.session
            .check_invariants()
            .map_err(|m| coded("invariant", &m).into())
    }
}

/// Checks `{ size, strategy, align, coalesce, classes, slabSize }` as
/// `new Arena` would, without building anything (no arena allocated): throws
/// `bad-config` or `bad-argument`.
#[wasm_bindgen(js_name = checkConfig)]
pub fn check_config(opts: JsValue) -> JsResult<()> {
    config_arg(&opts)?.validate().map_err(js_error)
}

/// Parses an op list without running it: `{ count }`, or throws `bad-script`.
#[wasm_bindgen(js_name = parseOps)]
pub fn parse_ops(text: &[u8]) -> JsResult<JsValue> {
    let s = parse_script(utf8(text)?)?;
    let out = Object::new();
    let _ = Reflect::set(&out, &"count".into(), &(s.ops.len() as f64).into());
    let _ = Reflect::set(&out, &"ops".into(), &to_js(&s.ops)?);
    Ok(out.into())
}

/// An op list in canonical form: parsed, then formatted back comma-separated
/// (comments and blank space gone), or throws `bad-script`.
#[wasm_bindgen(js_name = canonicalOps)]
pub fn canonical_ops(text: &[u8]) -> JsResult<String> {
    script::try_format(&parse_script(utf8(text)?)?.ops).map_err(js_error)
}

/// Reads a `malloc.py` command line: `{ size, base, header, align, strategy,
/// coalesce, ops, draw }` (`draw`: null when `-A` lists the ops, else `{
/// seed, numOps, range, percentAlloc }`, how they were drawn); `bad-script`
/// (with `line` and `column`) for what it cannot run.
#[wasm_bindgen(js_name = parseMallocPy)]
pub fn parse_malloc_py(text: &[u8]) -> JsResult<JsValue> {
    let text = utf8(text)?;
    headroom::ensure(script::parse_room(text)).map_err(js_error)?;
    let run = crate::transcript::parse_command_checked(text)
        .map_err(js_error)?
        .map_err(script_error)?;
    to_js(&run)
}

/// The ops `malloc.py`'s random mode draws with `draw` (`{ seed, numOps,
/// range, percentAlloc }`, as `parseMallocPy` gives it) for a heap of
/// `options` (`createArena`'s) with `header`-byte headers where the heap has
/// none: op-list text. Which requests fail decides what it frees, so under
/// other settings it draws other ops. `bad-config` for settings `malloc.py`
/// does not have (next fit, slab pools) or a draw too long for a list order.
#[wasm_bindgen(js_name = drawMallocPy)]
pub fn draw_malloc_py(options: JsValue, draw: JsValue, header: JsValue) -> JsResult<String> {
    let config = config_arg(&options)?;
    let draw = draw_arg(&draw)?.ok_or_else(|| {
        JsValue::from(coded(
            "bad-argument",
            "draw: expected { seed, numOps, range, percentAlloc }",
        ))
    })?;
    let header = if header.is_undefined() {
        0
    } else {
        uint(&header, "header")?
    };
    let ops = crate::transcript::draw_ops(&config, header, &draw).map_err(js_error)?;
    script::try_format(&ops).map_err(js_error)
}

/// The most ops `Arena.transcript` writes out.
#[wasm_bindgen(js_name = maxTranscriptOps)]
pub fn max_transcript_ops() -> u32 {
    MAX_TRANSCRIPT_OPS as u32
}

/// The longest log `Arena.lastOp` explains (past it, it returns null).
#[wasm_bindgen(js_name = maxExplainedOps)]
pub fn max_explained_ops() -> u32 {
    crate::explain::MAX_EXPLAINED_LOG as u32
}

/// Parses a CS:APP `.rep` trace: `{ ops (op-list text), format ('cs:app' or
/// 'cmu', the header's form), heapHint (the CS:APP header's, else null),
/// hintHolds (it holds peakPayload), weight, peakPayload (the most bytes the
/// requests hold at once), numIds, numOps, count, ptrIds }` (`ptrIds[k]`: the
/// trace id `ptr[k]` stands for).
#[wasm_bindgen(js_name = parseRep)]
pub fn parse_rep(text: &[u8]) -> JsResult<JsValue> {
    let text = utf8(text)?;
    // Its ops, and the trace's ids and sizes beside them.
    headroom::ensure(script::parse_room(text).saturating_mul(2)).map_err(js_error)?;
    let t = rep::parse(text).map_err(script_error)?;
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Out<'a> {
        ops: String,
        format: &'static str,
        heap_hint: Option<f64>,
        hint_holds: bool,
        weight: f64,
        peak_payload: f64,
        num_ids: usize,
        num_ops: usize,
        count: usize,
        ptr_ids: &'a [usize],
    }
    // (Header numbers are u64: as JS numbers, exact up to 2^53.)
    to_js(&Out {
        ops: script::try_format(&t.script.ops).map_err(js_error)?,
        format: match t.header {
            rep::Header::CsApp { .. } => "cs:app",
            rep::Header::Cmu { .. } => "cmu",
        },
        heap_hint: t.heap_hint().map(|h| h as f64),
        hint_holds: t.hint_holds(),
        weight: t.weight() as f64,
        peak_payload: t.peak_payload as f64,
        num_ids: t.num_ids,
        num_ops: t.num_ops,
        count: t.script.ops.len(),
        ptr_ids: &t.ptr_ids,
    })
}

/// Whether the text starts as a CS:APP trace (its header numbers, then an
/// op): a refused one is then worded by the trace reader (`parseRep`).
#[wasm_bindgen(js_name = looksLikeRep)]
pub fn looks_like_rep(text: &[u8]) -> bool {
    std::str::from_utf8(text).is_ok_and(rep::looks_like)
}

/// A seeded workload as op-list text:
/// `{ shape: 'uniform'|'small-biased'|'phased', seed, ops, allocPercent, maxSize }`.
#[wasm_bindgen]
pub fn workload(opts: JsValue) -> JsResult<String> {
    let c = workload_config(&opts)?;
    workload::generate_text(&c).map_err(js_error)
}

/// Checks `workload`'s options without drawing the ops (a million take a
/// moment): throws what `workload` would.
#[wasm_bindgen(js_name = checkWorkload)]
pub fn check_workload(opts: JsValue) -> JsResult<()> {
    workload_config(&opts).map(|_| ())
}

/// `workload`'s options, read and checked.
fn workload_config(opts: &JsValue) -> JsResult<WorkloadConfig> {
    options(
        opts,
        &["shape", "seed", "ops", "allocPercent", "maxSize"],
        "workload",
    )?;
    let mut c = WorkloadConfig::default();
    let get = |k: &str| field(opts, k);
    let shape = get("shape")?;
    if !shape.is_undefined() {
        c.shape = match shape.as_string().as_deref() {
            Some("uniform") => Shape::Uniform,
            Some("small-biased") => Shape::SmallBiased,
            Some("phased") => Shape::Phased,
            _ => {
                return Err(coded(
                    "bad-argument",
                    &format!(
                        "shape must be uniform, small-biased or phased, got {}",
                        shown(&shape)
                    ),
                )
                .into())
            }
        };
    }
    if !get("seed")?.is_undefined() {
        c.seed = uint(&get("seed")?, "seed")? as u64;
    }
    // (Out of range as a number or as an integer, one wording: the workload's.)
    if !get("ops")?.is_undefined() {
        let v = get("ops")?;
        c.ops =
            uint(&v, "ops").map_err(|_| coded("bad-argument", &workload::ops_error(shown(&v))))?;
    }
    if !get("allocPercent")?.is_undefined() {
        let p = uint(&get("allocPercent")?, "allocPercent")?;
        c.alloc_percent =
            u8::try_from(p).map_err(|_| coded("bad-argument", &workload::percent_error(p)))?;
    }
    if !get("maxSize")?.is_undefined() {
        let v = get("maxSize")?;
        c.max_size = uint(&v, "maxSize")
            .map_err(|_| coded("bad-argument", &workload::max_size_error(shown(&v))))?;
    }
    c.validate().map_err(|m| coded("bad-argument", &m))?;
    Ok(c)
}

/// The arguments of `compare` and `new Comparer`, checked.
fn compare_args(
    opts: &JsValue,
    text: &[u8],
    strategies: &JsValue,
    every: &JsValue,
) -> JsResult<(HeapConfig, Script, Vec<Mode>, usize)> {
    let config = config_arg(opts)?;
    let modes: Vec<Mode> = if strategies.is_undefined() {
        Mode::ALL.to_vec()
    } else {
        if !js_sys::Array::is_array(strategies) {
            return Err(coded("bad-argument", "strategies must be an array").into());
        }
        elements(strategies, "strategies", MAX_COMPARED)?
            .iter()
            .map(mode_arg)
            .collect::<JsResult<_>>()?
    };
    let every = if every.is_undefined() {
        1
    } else {
        every_arg(every)?
    };
    let script = parse_script(utf8(text)?)?;
    // A config that cannot be built is a bad-config, not a script error.
    config.validate().map_err(js_error)?;
    Ok((config, script, modes, every))
}

/// A comparison that could not start: `bad-config` or `bad-script`.
fn compare_error(e: session::CompareError) -> JsValue {
    match e {
        session::CompareError::Config(e) => js_error(e),
        session::CompareError::Script(e) => script_error(e),
    }
}

/// The arguments of `firstFitArena` and `sbrkArena`, checked: the config
/// (validated), the op list and the limit.
fn arena_for_args(
    opts: &JsValue,
    text: &[u8],
    limit: &JsValue,
) -> JsResult<(HeapConfig, crate::script::Script, usize)> {
    let config = config_arg(opts)?;
    let limit = uint(limit, "limit")?;
    let script = parse_script(utf8(text)?)?;
    config.validate().map_err(js_error)?;
    Ok((config, script, limit))
}

/// An arena in which the op list runs under first fit with no failed
/// request (`opts`' alignment and coalescing): first fit's high-water mark;
/// `null` past `limit` bytes or when the list switches strategy. See
/// [`session::first_fit_arena`].
#[wasm_bindgen(js_name = firstFitArena)]
pub fn first_fit_arena(opts: JsValue, text: &[u8], limit: JsValue) -> JsResult<Option<u32>> {
    let (config, script, limit) = arena_for_args(&opts, text, &limit)?;
    let size = session::first_fit_arena(&script, &config, limit).map_err(compare_error)?;
    Ok(size.map(|n| n as u32))
}

/// An arena in which no fit strategy refuses a request of the op list when
/// the heap grows with sbrk (`opts`' alignment and header): the bytes of
/// every block it asks for; `null` past `limit` bytes or when the list
/// switches strategy. See [`session::sbrk_arena`].
#[wasm_bindgen(js_name = sbrkArena)]
pub fn sbrk_arena(opts: JsValue, text: &[u8], limit: JsValue) -> JsResult<Option<u32>> {
    let (config, script, limit) = arena_for_args(&opts, text, &limit)?;
    Ok(session::sbrk_arena(&script, &config, limit).map(|n| n as u32))
}

/// Runs one op list under several strategies in lockstep:
/// `{ runs: [{ strategy, report, samples, snapshot }], firstDivergence }`.
#[wasm_bindgen]
pub fn compare(
    opts: JsValue,
    text: &[u8],
    strategies: JsValue,
    every: JsValue,
) -> JsResult<JsValue> {
    let (config, script, modes, every) = compare_args(&opts, text, &strategies, &every)?;
    let cmp = session::compare(&config, &script, &modes, every).map_err(compare_error)?;
    to_js(&cmp)
}

/// `compare` a chunk at a time: `new Comparer(opts, text, strategies, every)`,
/// then `step(n)` until `done === length`, then `finish()`.
#[wasm_bindgen]
pub struct Comparer {
    /// `None` once finished.
    inner: Option<session::Comparer>,
}

#[wasm_bindgen]
impl Comparer {
    /// Parses and validates the op list under every strategy.
    #[wasm_bindgen(constructor)]
    pub fn new(
        opts: JsValue,
        text: &[u8],
        strategies: JsValue,
        every: JsValue,
    ) -> JsResult<Comparer> {
        let (config, script, modes, every) = compare_args(&opts, text, &strategies, &every)?;
        let inner =
            session::Comparer::new(&config, script, &modes, every).map_err(compare_error)?;
        Ok(Comparer { inner: Some(inner) })
    }

    fn inner(&mut self) -> JsResult<&mut session::Comparer> {
        self.inner
            .as_mut()
            .ok_or_else(|| JsValue::from(coded("finished", "this comparison has finished")))
    }

    /// Ops in the list.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.as_ref().map_or(0, session::Comparer::len)
    }

    /// Ops run so far.
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> usize {
        self.inner.as_ref().map_or(0, session::Comparer::done)
    }

    /// Runs up to `n` more ops under every strategy (`n` an integer from 0 to
    /// 2^30, else `bad-argument`); returns the ops run so far. With `ms` (a
    /// number of milliseconds, else `bad-argument`), it stops once that much
    /// time has passed (it looks every 16 ops), as `replayFor` does.
    pub fn step(&mut self, n: JsValue, ms: JsValue) -> JsResult<usize> {
        let n = uint(&n, "n")?;
        let ms = if ms.is_undefined() {
            None
        } else {
            Some(uint(&ms, "ms")? as f64)
        };
        let inner = self.inner()?;
        inner.ensure_room(n).map_err(js_error)?;
        Ok(match ms {
            None => inner.step(n),
            Some(ms) => {
                let deadline = js_sys::Date::now() + ms;
                inner.step_until(n, || js_sys::Date::now() >= deadline)
            }
        })
    }

    /// Runs what is left and returns what `compare` returns.
    pub fn finish(&mut self) -> JsResult<JsValue> {
        self.inner()?.ensure_room(usize::MAX).map_err(js_error)?;
        let c = self.inner.take().expect("checked above");
        to_js(&c.finish())
    }
}

/// Checks that `bytes` more fit in wasm memory (`host-memory` otherwise):
/// `www/arena.js` asks before it hands the core a text, which the glue
/// copies into wasm memory before any check of the core's could run.
#[wasm_bindgen(js_name = ensureRoom)]
pub fn ensure_room(bytes: JsValue) -> JsResult<()> {
    let n = bytes
        .as_f64()
        .filter(|n| n.fract() == 0.0 && *n >= 0.0)
        .ok_or_else(|| bad_argument("bytes", 0, &bytes))?;
    // (A length past usize, 2^32 in wasm32, cannot fit: the cast saturates.)
    headroom::ensure(n as usize).map_err(js_error)
}

/// Bytes of wasm linear memory (for leak checks).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    let mem: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    // Read as a JS number: js-sys's `byte_length()` is a u32, which reads 4 GiB as 0.
    Reflect::get(&mem.buffer(), &"byteLength".into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}
