"""Resolve the model name an LLM API client sends into the real model to run.

The Rust crate model-alias, through pyo3: per-key exact and longest-prefix aliases, validated,
with the crate's messages. See the README's "Python" section.
"""

from typing import Any, Dict, Iterator, List, Literal, Mapping, Optional, Sequence, Tuple, Union

from typing_extensions import final

__all__ = [
    "AliasSet",
    "AliasTable",
    "Resolution",
    "RewriteError",
    "SetError",
    "TableError",
    "_check_panic_boundary",
    "rewrite_model",
]

_Buffer = Union[bytes, bytearray, memoryview]
_Row = Dict[str, Any]

class SetError(ValueError):
    """A set of aliases was refused; nothing was built."""

    problems: List[Dict[str, Any]]
    """Each problem: {"row", "name", "field", "kind", "message"}, in row order."""

class TableError(ValueError):
    """A table could not be built, or bytes are not a table this version reads."""

class RewriteError(ValueError):
    """A request body is not a JSON object with a string "model"."""

@final
class Resolution:
    """How a name resolved."""

    @property
    def model(self) -> str:
        """The real model to run."""
    @property
    def rule(self) -> Literal["exact", "prefix", "passthrough"]: ...
    @property
    def alias(self) -> Optional[str]:
        """The name of the alias that applied, or None for a passthrough."""
    @property
    def requested(self) -> str:
        """The model the client sent."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class AliasSet:
    """A validated set of aliases: exact wins, else the longest prefix, else passthrough."""

    def __new__(
        cls, rows: Sequence[_Row], ignore_case: bool = False, *, max_aliases: Optional[int] = None
    ) -> AliasSet:
        """rows: dicts in the JSON list form ({"name", "target", "match", "hidden",
        "defaults", "overrides"}). Raises SetError with every problem. max_aliases: the most
        rows the set may hold (None: the crate's default, 20)."""
    @staticmethod
    def from_json(
        text: Union[str, bytes, bytearray, memoryview], ignore_case: bool = False, *, max_aliases: Optional[int] = None
    ) -> AliasSet:
        """Either JSON form: the list of rows or the {"name": "target"} shorthand."""
    def resolve(self, model: str) -> Resolution: ...
    @property
    def warnings(self) -> List[Dict[str, Any]]:
        """Each warning: {"row", "name", "kind", "message"}."""
    @property
    def ignore_case(self) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[_Row]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class AliasTable:
    """Many keys' aliases in one block of bytes, shareable between processes."""

    @staticmethod
    def build(
        keys: Mapping[Union[str, bytes], Union[AliasSet, Sequence[_Row]]],
        ignore_case: bool = False,
        *,
        max_aliases: Optional[int] = None,
    ) -> AliasTable:
        """max_aliases: the most aliases any one key may have (None: the crate's default, 20)."""
    @staticmethod
    def from_bytes(data: _Buffer) -> AliasTable:
        """A bytes object is used in place; a mutable buffer is copied first."""
    def to_bytes(self) -> bytes: ...
    def resolve(self, key: Union[str, bytes], model: str) -> Resolution:
        """An unknown key passes every model through."""
    def __contains__(self, key: Union[str, bytes], /) -> bool: ...
    def __len__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...

def rewrite_model(body: _Buffer, aliases: AliasSet) -> Tuple[bytes, Resolution]:
    """The body with its top-level "model" resolved and the alias's presets applied; every
    other byte kept. Raises RewriteError for a body that is not a JSON object with a string
    model."""

def _check_panic_boundary() -> None:
    """Panics in Rust on purpose: raises pyo3's PanicException (tested)."""
