//! `model_alias` for Python: the crate's `AliasSet`, `AliasTable` and `rewrite_model`, with the
//! crate's validation and messages, through pyo3 (abi3: one wheel for every CPython 3.9+).
//!
//! Invariants:
//! 1. nothing Python passes in can panic: every value is checked and converted, and a type
//!    that does not fit is a `TypeError`; a panic would still reach Python as pyo3's
//!    `PanicException`, never unwind across the boundary (`_check_panic_boundary` proves it);
//! 2. the crate's errors are Python exceptions carrying its messages: `SetError` (with
//!    `problems`, the crate's JSON form of each), `TableError`, `RewriteError`, all
//!    `ValueError`s;
//! 3. table builds, table loads and rewrites of large bodies run without the GIL.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use ::model_alias::table::{AliasTable, TableBuilder};
use ::model_alias::{Limits, Resolve};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

pyo3::create_exception!(
    model_alias,
    SetError,
    PyValueError,
    "A set of aliases was refused; `problems` lists each problem as a dict with row, name, field, kind and message."
);
pyo3::create_exception!(
    model_alias,
    TableError,
    PyValueError,
    "A table could not be built or read."
);
pyo3::create_exception!(
    model_alias,
    RewriteError,
    PyValueError,
    "A request body could not be rewritten."
);

/// Bodies at least this long are rewritten without the GIL.
const DETACH_BODY: usize = 64 << 10;

/// Python's `json` module's `loads` of `text`.
fn loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// A `SetError` for `error`, its problems attached as dicts.
fn set_error(py: Python<'_>, error: &::model_alias::SetError) -> PyErr {
    let err = SetError::new_err(error.to_string());
    let problems = serde_json::to_string(error.problems())
        .map_err(|e| PyValueError::new_err(e.to_string()))
        .and_then(|text| loads(py, &text));
    match problems.and_then(|problems| err.value(py).setattr("problems", problems)) {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// How a name resolved.
#[pyclass(frozen, eq, module = "model_alias", name = "Resolution")]
#[derive(Clone, PartialEq, Eq)]
struct PyResolution {
    /// The real model to run.
    #[pyo3(get)]
    model: String,
    /// `"exact"`, `"prefix"` or `"passthrough"`.
    #[pyo3(get)]
    rule: &'static str,
    /// The alias's name, or `None` for a passthrough.
    #[pyo3(get)]
    alias: Option<String>,
    /// The model the client sent.
    #[pyo3(get)]
    requested: String,
}

impl From<::model_alias::Resolution<'_>> for PyResolution {
    fn from(r: ::model_alias::Resolution<'_>) -> PyResolution {
        PyResolution {
            model: r.model().to_string(),
            rule: r.rule().as_str(),
            alias: r.alias().map(|a| a.name().to_owned()),
            requested: r.requested().to_owned(),
        }
    }
}

#[pymethods]
impl PyResolution {
    fn __repr__(&self) -> String {
        let alias = match &self.alias {
            Some(name) => format!("{name:?}"),
            None => "None".to_owned(),
        };
        format!(
            "Resolution(requested={:?}, model={:?}, rule={:?}, alias={alias})",
            self.requested, self.model, self.rule
        )
    }
}

/// How a set is built: the keyword arguments every constructor takes.
#[derive(Clone, Copy)]
struct Options {
    ignore_case: bool,
    limits: Limits,
}

impl Options {
    /// `max_aliases` of `None` keeps the crate's default.
    fn new(ignore_case: bool, max_aliases: Option<i64>) -> PyResult<Options> {
        let limits = match max_aliases.map(usize::try_from) {
            None => Limits::DEFAULT,
            Some(Ok(max)) => Limits::DEFAULT.with_max_aliases(max),
            Some(Err(_)) => {
                return Err(PyValueError::new_err(
                    "max_aliases is the most aliases a set may hold: 0 or more",
                ));
            }
        };
        Ok(Options {
            ignore_case,
            limits,
        })
    }
}

/// A validated set of aliases.
#[pyclass(frozen, module = "model_alias", name = "AliasSet")]
struct PyAliasSet {
    inner: Arc<::model_alias::AliasSet>,
}

impl PyAliasSet {
    /// A set from JSON text, validated by the crate.
    fn parse(py: Python<'_>, text: &str, options: Options) -> PyResult<PyAliasSet> {
        let builder = ::model_alias::AliasSet::builder()
            .ignore_case(options.ignore_case)
            .limits(options.limits);
        match builder.from_json(text) {
            Ok(set) => Ok(PyAliasSet {
                inner: Arc::new(set),
            }),
            Err(e) => Err(set_error(py, &e)),
        }
    }

    /// A set from `rows`, a list or tuple of dicts in the JSON list form.
    fn from_rows(
        py: Python<'_>,
        rows: &Bound<'_, PyAny>,
        options: Options,
    ) -> PyResult<PyAliasSet> {
        if !rows.is_instance_of::<PyList>() && !rows.is_instance_of::<PyTuple>() {
            return Err(PyTypeError::new_err(format!(
                "rows must be a list of dicts like {{\"name\": ..., \"target\": ...}}, not {}",
                rows.get_type().name()?
            )));
        }
        let text: String = py
            .import("json")?
            .call_method1("dumps", (rows,))?
            .extract()?;
        PyAliasSet::parse(py, &text, options)
    }

    /// The rows as the JSON list form's text.
    fn rows_json(&self) -> PyResult<String> {
        serde_json::to_string(&*self.inner).map_err(|e| PyValueError::new_err(e.to_string()))
    }
}

#[pymethods]
impl PyAliasSet {
    /// A set from `rows`, a list of dicts in the JSON list form.
    #[new]
    #[pyo3(signature = (rows, ignore_case = false, *, max_aliases = None))]
    fn new(
        py: Python<'_>,
        rows: &Bound<'_, PyAny>,
        ignore_case: bool,
        max_aliases: Option<i64>,
    ) -> PyResult<PyAliasSet> {
        PyAliasSet::from_rows(py, rows, Options::new(ignore_case, max_aliases)?)
    }

    /// A set from JSON text (`str` or UTF-8 `bytes`) in either form.
    #[staticmethod]
    #[pyo3(signature = (text, ignore_case = false, *, max_aliases = None))]
    fn from_json(
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        ignore_case: bool,
        max_aliases: Option<i64>,
    ) -> PyResult<PyAliasSet> {
        let options = Options::new(ignore_case, max_aliases)?;
        if let Ok(text) = text.cast::<PyString>() {
            return PyAliasSet::parse(py, &text.to_cow()?, options);
        }
        let bytes = readable(text)?;
        let text = std::str::from_utf8(bytes.as_ref())
            .map_err(|e| PyValueError::new_err(format!("the JSON text is not UTF-8: {e}")))?;
        PyAliasSet::parse(py, text, options)
    }

    /// What `model` resolves to.
    fn resolve(&self, model: &str) -> PyResolution {
        self.inner.resolve(model).into()
    }

    /// The set's warnings: dicts with row, name, kind and message.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = serde_json::to_string(&self.inner.warnings())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        loads(py, &text)
    }

    /// Whether models are matched with ASCII case folded.
    #[getter]
    fn ignore_case(&self) -> bool {
        self.inner.ignores_case()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The rows, as dicts in the JSON list form.
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        loads(py, &self.rows_json()?)?
            .try_iter()
            .map(Bound::into_any)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyAliasSet>() {
            Ok(other) => *self.inner == *other.get().inner,
            Err(_) => false,
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let rows = loads(py, &self.rows_json()?)?.repr()?;
        let mut out = format!("AliasSet({rows}");
        if self.inner.ignores_case() {
            out.push_str(", ignore_case=True");
        }
        let max_aliases = self.inner.limits().max_aliases();
        if max_aliases != Limits::DEFAULT.max_aliases() {
            out.push_str(&format!(", max_aliases={max_aliases}"));
        }
        out.push(')');
        Ok(out)
    }
}

/// Bytes a table is read from: a `bytes` object's own memory (immutable, so never copied) or
/// a copy of a mutable buffer's (`bytearray`, `memoryview`, `mmap`), which could change under
/// the table.
enum Backing {
    Shared(PyBackedBytes),
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for Backing {
    fn as_ref(&self) -> &[u8] {
        match self {
            Backing::Shared(bytes) => bytes,
            Backing::Owned(bytes) => bytes,
        }
    }
}

/// The bytes of `bytes` (in place) or of any other object with the buffer protocol (copied
/// by `bytes(object)`: the limited API of Python 3.9 has no buffer access of its own).
fn readable(object: &Bound<'_, PyAny>) -> PyResult<Backing> {
    if object.is_instance_of::<PyBytes>() {
        return Ok(Backing::Shared(object.extract()?));
    }
    let is_buffer = object.is_instance_of::<pyo3::types::PyByteArray>()
        || object.is_instance_of::<pyo3::types::PyMemoryView>()
        || object.hasattr("__buffer__")?
        || object
            .py()
            .import("mmap")?
            .getattr("mmap")
            .and_then(|m| object.is_instance(&m))?;
    if !is_buffer {
        return Err(PyTypeError::new_err(format!(
            "expected bytes or another buffer (bytearray, memoryview, mmap), not {}",
            object.get_type().name()?
        )));
    }
    let copied = object.py().get_type::<PyBytes>().call1((object,))?;
    Ok(Backing::Shared(copied.extract()?))
}

/// A key: `str` (its UTF-8) or bytes.
fn key_bytes(key: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(text) = key.cast::<PyString>() {
        return Ok(text.to_cow()?.as_bytes().to_vec());
    }
    if let Ok(bytes) = key.cast::<PyBytes>() {
        return Ok(bytes.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "a key is str or bytes, not {}",
        key.get_type().name()?
    )))
}

/// Many keys' aliases in one block of bytes.
#[pyclass(frozen, module = "model_alias", name = "AliasTable")]
struct PyAliasTable {
    inner: AliasTable<Backing>,
}

#[pymethods]
impl PyAliasTable {
    /// A table from a dict of key (str or bytes) to an `AliasSet` or rows.
    #[staticmethod]
    #[pyo3(signature = (keys, ignore_case = false, *, max_aliases = None))]
    fn build(
        py: Python<'_>,
        keys: &Bound<'_, PyDict>,
        ignore_case: bool,
        max_aliases: Option<i64>,
    ) -> PyResult<PyAliasTable> {
        let options = Options::new(ignore_case, max_aliases)?;
        let mut entries = Vec::with_capacity(keys.len());
        for (key, aliases) in keys.iter() {
            let set = match aliases.cast::<PyAliasSet>() {
                Ok(set) => set.get().inner.clone(),
                Err(_) => PyAliasSet::from_rows(py, &aliases, options)?.inner,
            };
            entries.push((key_bytes(&key)?, set));
        }
        let built = py.detach(move || {
            let mut builder = TableBuilder::with_limits(options.limits);
            builder.ignore_case(options.ignore_case);
            for (key, set) in &entries {
                builder.insert(key, set.iter())?;
            }
            builder.build()
        });
        let table = built.map_err(|e| TableError::new_err(e.to_string()))?;
        let bytes = table.into_inner();
        let inner = AliasTable::from_bytes(Backing::Owned(bytes))
            .map_err(|e| TableError::new_err(e.to_string()))?;
        Ok(PyAliasTable { inner })
    }

    /// A table from its bytes: a `bytes` object is used in place; other buffers are copied.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<PyAliasTable> {
        let backing = readable(data)?;
        let inner = py
            .detach(move || AliasTable::from_bytes(backing))
            .map_err(|e| TableError::new_err(e.to_string()))?;
        Ok(PyAliasTable { inner })
    }

    /// The table's bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.as_bytes())
    }

    /// What `model` resolves to for `key`; an unknown key passes through.
    fn resolve(&self, key: &Bound<'_, PyAny>, model: &str) -> PyResult<PyResolution> {
        let key = key_bytes(key)?;
        Ok(self.inner.get(&key).resolve(model).into())
    }

    /// Whether the table holds `key`.
    fn __contains__(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.get(key_bytes(key)?).is_some())
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyAliasTable>() {
            Ok(other) => self.inner.as_bytes() == other.get().inner.as_bytes(),
            Err(_) => false,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "<AliasTable of {} keys, {} bytes>",
            self.inner.len(),
            self.inner.as_bytes().len()
        )
    }
}

/// Rewrites a request body's top-level `"model"` through `aliases`, applying its presets;
/// returns the new body and how the model resolved.
#[pyfunction]
fn rewrite_model<'py>(
    py: Python<'py>,
    body: &Bound<'py, PyAny>,
    aliases: &Bound<'py, PyAliasSet>,
) -> PyResult<(Bound<'py, PyBytes>, PyResolution)> {
    let body = readable(body)?;
    let set = aliases.get().inner.clone();
    let large = body.as_ref().len() >= DETACH_BODY;
    let rewrite = move || {
        ::model_alias::openai::rewrite_model(body.as_ref(), &*set)
            .map(|r| (r.body().to_vec(), PyResolution::from(r.resolution())))
            .map_err(|e| e.to_string())
    };
    let done = match large {
        true => py.detach(rewrite),
        false => rewrite(),
    };
    let (bytes, resolution) = done.map_err(RewriteError::new_err)?;
    Ok((PyBytes::new(py, &bytes), resolution))
}

/// Panics on purpose: the test that a Rust panic reaches Python as an exception
/// (`pyo3_runtime.PanicException`) and never unwinds across the boundary.
#[pyfunction]
#[allow(clippy::panic)]
fn _check_panic_boundary() {
    panic!("a panic inside model_alias, raised as PanicException");
}

#[pymodule(name = "model_alias")]
fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyAliasSet>()?;
    m.add_class::<PyAliasTable>()?;
    m.add_class::<PyResolution>()?;
    m.add_function(wrap_pyfunction!(rewrite_model, m)?)?;
    m.add_function(wrap_pyfunction!(_check_panic_boundary, m)?)?;
    m.add("SetError", py.get_type::<SetError>())?;
    m.add("TableError", py.get_type::<TableError>())?;
    m.add("RewriteError", py.get_type::<RewriteError>())?;
    Ok(())
}
